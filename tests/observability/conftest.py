"""Reading /metrics as Prometheus does, and comparing two readings.

The registry is process-global (every app of the test run counts into it), so tests compare a
reading taken before their flow with one taken after, never absolute values.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from httpx import AsyncClient
from prometheus_client.parser import text_string_to_metric_families

from tests.fixtures.actors import bearer

SeriesKey = tuple[str, frozenset[tuple[str, str]]]

# Label values that must never appear: ids (bare numbers), e-mails, IPv4/IPv6 addresses.
ID_LIKE = re.compile(r"\d+")
EMAIL_LIKE = re.compile(r"[^@\s]+@[^@\s]+")
IPV4_LIKE = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
IPV6_LIKE = re.compile(r"[0-9A-Fa-f:]*:[0-9A-Fa-f:]+")
# Bucket bounds are numbers by nature.
NUMERIC_LABELS = frozenset({"le", "quantile"})


@dataclass(frozen=True)
class Reading:
    samples: dict[SeriesKey, float]
    types: dict[str, str]

    def value(self, name: str, **labels: str) -> float:
        """The sum of the samples of that name whose labels include these."""
        wanted = set(labels.items())
        return sum(
            value
            for (sample, sample_labels), value in self.samples.items()
            if sample == name and wanted <= sample_labels
        )

    def series(self, name: str) -> set[frozenset[tuple[str, str]]]:
        return {labels for sample, labels in self.samples if sample == name}

    def label_values(self, prefix: str = "intowork_") -> Iterator[tuple[str, str, str]]:
        for sample, labels in self.samples:
            if sample.startswith(prefix):
                for label, value in labels:
                    if label not in NUMERIC_LABELS:
                        yield sample, label, value


def parse(text: str) -> Reading:
    samples: dict[SeriesKey, float] = {}
    types: dict[str, str] = {}
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return Reading(samples, types)


async def scrape(client: AsyncClient, token: str | None = None) -> Reading:
    headers = bearer(token) if token else {}
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    return parse(response.text)


def suspicious_label_values(reading: Reading) -> list[str]:
    return [
        f"{sample}{{{label}={value!r}}}"
        for sample, label, value in reading.label_values()
        if ID_LIKE.fullmatch(value)
        or EMAIL_LIKE.fullmatch(value)
        or IPV4_LIKE.fullmatch(value)
        or IPV6_LIKE.fullmatch(value)
    ]
