"""The one random stream every demo row is drawn from, and the state the draws share."""

import random
from bisect import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any, Generic, TypeVar

from intowork.jobs.search import search_document

# The newest demo timestamp: this instant minus up to 30 days, depending on the seed.
REFERENCE_BASE = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
DAY = 86_400

T = TypeVar("T")
Row = dict[str, Any]


def reference_date(seed: int) -> datetime:
    return REFERENCE_BASE - timedelta(hours=seed % 720)


@dataclass(frozen=True, slots=True)
class Weighted(Generic[T]):
    items: tuple[T, ...]
    cum_weights: tuple[int, ...]

    @classmethod
    def of(cls, pairs: Iterable[tuple[T, int]]) -> "Weighted[T]":
        items, weights = zip(*pairs, strict=True)
        return cls(items, tuple(accumulate(weights)))

    def draw(self, rng: random.Random) -> T:
        # What `rng.choices(items, cum_weights=...)[0]` does, without its per-call set-up.
        return self.items[bisect(self.cum_weights, rng.random() * self.cum_weights[-1])]


class DemoData:
    """What the draw functions share: one random stream, the next id of each table, and what
    the earlier tables drew (the later ones refer to it). Rows come out in a fixed order."""

    def __init__(self, seed: int, first_ids: dict[str, int], password_hash: str) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - demo data, reproducible on purpose
        self.now = reference_date(seed)
        self.first = dict(first_ids)
        self.ids = dict(first_ids)
        self.password_hash = password_hash
        self._folded: dict[str, str] = {}
        # Filled as rows are drawn: the later tables refer to the earlier ones.
        self.companies: list[tuple[str, bool]] = []  # (name, french)
        self.company_choice: Weighted[int] = Weighted((), ())
        self.teams: list[list[tuple[int, int]]] = []  # per company: (employer id, user id)
        self.candidates: list[tuple[int, int]] = []  # (candidate id, user id)
        self.published: list[tuple[int, datetime, int]] = []  # (job id, posted_at, user id)
        self.busy: list[int] = []  # indexes in `published` of the first company's jobs

    def next_id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def ago(self, max_days: float, min_days: float = 0) -> datetime:
        return self.now - timedelta(seconds=int(self.rng.uniform(min_days * DAY, max_days * DAY)))

    def between(self, start: datetime, end: datetime) -> datetime:
        span = max(0, int((end - start).total_seconds()))
        return start + timedelta(seconds=self.rng.randint(0, span))

    def fold(self, piece: str) -> str:
        folded = self._folded.get(piece)
        if folded is None:
            folded = self._folded[piece] = search_document(piece)
        return folded

    def digits(self, prefix: str) -> str:
        return prefix + " ".join(f"{self.rng.randint(10, 99)}" for _ in range(4))
