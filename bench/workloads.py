"""The requests of bench/run.py: the read endpoints, the sign-in storm and the mixed workload.

Everything here talks to a running server over HTTP with the demo accounts of `intowork seed`
(employer1 is the busy employer: with `--busy-employer` its company receives that many
applications; candidate1..N are candidates)."""

import json
import random
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from harness import Request, Scenario

from intowork.seed import DEMO_DOMAIN, DEMO_PASSWORD

SEARCH_WORD = "python"
LIMIT = 20  # the job list and search pages, and the floor's page: 20 jobs
DETAIL_IDS = 50  # job detail cycles through this many published jobs
CANDIDATES = 10  # candidates who read their applications and apply in the mixed workload
WRITE_EVERY = 20  # the mixed workload: one write in 20 requests (5%)


def signin(base: str, email: str) -> str:
    response = httpx.post(
        f"{base}/api/auth/signin", json={"email": email, "password": DEMO_PASSWORD}, timeout=30
    )
    if response.status_code != 200:
        raise SystemExit(f"sign-in of {email}: {response.status_code} {response.text}")
    token: str = response.json()["access_token"]
    return token


def get(base: str, path: str, token: str = "", **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    # No `params` at all when none are given: httpx would replace the path's own query with {}.
    response = httpx.get(f"{base}{path}", params=params or None, headers=headers, timeout=60)
    response.raise_for_status()
    return response.json()


@dataclass
class World:
    """What the scenarios are made of, read once from the cached server."""

    employer: str
    candidates: list[str]  # tokens of candidate1..CANDIDATES
    published: list[int]  # ids of published jobs, newest first (up to 500)
    search: str  # the search + location path
    page: bytes  # the 20-job page of the job list, for the floor
    facts: dict[str, Any]

    @classmethod
    def read(cls, base: str) -> "World":
        employer = signin(base, f"employer1@{DEMO_DOMAIN}")
        candidates = [
            signin(base, f"candidate{number}@{DEMO_DOMAIN}") for number in range(1, CANDIDATES + 1)
        ]
        first = httpx.get(f"{base}/api/jobs", params={"limit": LIMIT}, timeout=60)
        first.raise_for_status()
        published: list[int] = []
        total = 0
        for page in range(1, 6):
            listing = get(base, "/api/jobs", limit=100, page=page)
            total = listing["total"]
            published += [job["id"] for job in listing["jobs"]]
            if page == 1:
                cities = Counter(job["location"] for job in listing["jobs"] if job["location"])
            if page >= listing["total_pages"]:
                break
        city = cities.most_common(1)[0][0] if cities else "Paris"
        search = "/api/jobs?" + urlencode({"search": SEARCH_WORD, "location": city, "limit": LIMIT})
        dashboard = get(base, "/api/dashboard", employer)
        facts = {
            "published_jobs": total,
            "search": search,
            "search_total": get(base, search)["total"],
            "page_bytes": len(first.content),
            "candidate_applications": get(base, "/api/applications/my/applications", candidates[0])[
                "total"
            ],
            "employer_received": get(base, "/api/applications/employer/applications", employer)[
                "total"
            ],
            "dashboard_bytes": len(json.dumps(dashboard)),
        }
        return cls(employer, candidates, published, search, first.content, facts)

    def reads(self, cache: str) -> list[Scenario]:
        details = [f"/api/jobs/{job_id}" for job_id in self.published[:DETAIL_IDS]]
        mine = "/api/applications/my/applications"
        return [
            Scenario.get("job list", cache, [f"/api/jobs?limit={LIMIT}"]),
            Scenario.get("search + location", cache, [self.search]),
            Scenario.get("job detail", cache, details),
            Scenario.get("employer dashboard", cache, ["/api/dashboard"], self.employer),
            Scenario.get("candidate applications", cache, [mine], self.candidates[0]),
        ]

    def signin_scenario(self) -> Scenario:
        body = json.dumps({"email": f"employer1@{DEMO_DOMAIN}", "password": DEMO_PASSWORD})
        return Scenario(
            "sign-in", "-", [Request("POST", "/api/auth/signin", body=body)], signin=True
        )

    # --- the mixed workload ------------------------------------------------------------------

    def read_pool(self) -> list[Request]:
        """The reads of the mix: the endpoints above, over a few pages, jobs and users."""
        pool = [Request("GET", f"/api/jobs?limit={LIMIT}&page={page}") for page in (1, 2, 3)]
        pool += [Request("GET", self.search)] * 2
        pool += [Request("GET", f"/api/jobs/{job_id}") for job_id in self.published[:DETAIL_IDS]]
        pool += [Request("GET", "/api/dashboard", self.employer)] * 3
        pool += [
            Request("GET", "/api/applications/my/applications", token) for token in self.candidates
        ]
        return pool

    def writes(self, base: str, count: int) -> list[Request]:
        """`count` writes, a third each: applies by candidate1..N to jobs they have not applied
        to, employer1's status changes along the pipeline, employer1's job edits."""
        rng = random.Random(18)  # noqa: S311 - a reproducible mix, not a secret
        per_kind = count // 3 + 1
        applies: list[Request] = []
        mine = "/api/applications/my/applications"
        for token in self.candidates:
            applied: set[int] = set()
            page = 1
            while True:  # every page: a candidate may have more than 100 applications
                found = get(base, mine, token, limit=100, page=page)
                applied |= {row["job_id"] for row in found["applications"]}
                if page >= found["total_pages"]:
                    break
                page += 1
            choices = [job_id for job_id in self.published if job_id not in applied]
            for job_id in rng.sample(
                choices, min(len(choices), per_kind // len(self.candidates) + 1)
            ):
                applies.append(Request("POST", mine, token, json.dumps({"job_id": job_id})))
        rng.shuffle(applies)
        changes = self._status_changes(base, per_kind)
        edits = self._job_edits(base, per_kind)
        self.facts["mix_writes_prepared"] = {
            "applies": len(applies),
            "status changes": len(changes),
            "job edits": len(edits),
        }
        kinds = [kind for kind in (applies, changes, edits) if kind]
        if not kinds:
            raise SystemExit("the mixed workload found nothing to write: seed more jobs")
        writes = []
        for index in range(count):
            kind = kinds[index % len(kinds)]
            writes.append(kind[(index // len(kinds)) % len(kind)])
        return writes

    def _status_changes(self, base: str, wanted: int) -> list[Request]:
        """Applications of employer1's company still early in the pipeline, moved on one step at
        a time (all to `viewed`, then all to `shortlisted`, then `interview`)."""
        path = "/api/applications/employer/applications"
        early: list[int] = []
        for status in ("applied", "viewed"):
            page = 1
            while len(early) < wanted:
                found = get(base, path, self.employer, status=status, limit=100, page=page)
                early += [row["id"] for row in found["applications"]]
                if page >= found["total_pages"]:
                    break
                page += 1
        changes = []
        for step in ("viewed", "shortlisted", "interview"):
            body = json.dumps({"status": step})
            changes += [
                Request("PUT", f"{path}/{app_id}/status", self.employer, body) for app_id in early
            ]
        return changes[:wanted]

    def _job_edits(self, base: str, wanted: int) -> list[Request]:
        jobs = get(base, "/api/jobs/my-jobs", self.employer, limit=100, status_filter="published")
        edits = []
        fields = (
            "title",
            "description",
            "location",
            "location_type",
            "job_type",
            "salary_min",
            "salary_max",
            "currency",
            "requirements",
            "responsibilities",
            "benefits",
        )
        details = [get(base, f"/api/jobs/{job['id']}", self.employer) for job in jobs["jobs"][:20]]
        for index in range(wanted):
            if not details:
                break
            detail = details[index % len(details)]
            body = {name: detail[name] for name in fields}
            body["title"] = f"{detail['title'][:80]} ({index % 5 + 1})"
            edits.append(
                Request("PUT", f"/api/jobs/{detail['id']}", self.employer, json.dumps(body))
            )
        return edits

    def mixed(self, base: str, length: int) -> tuple[Scenario, Scenario]:
        """(the pure-read run, the mixed run): the same reads in the same order, the mixed one
        with a write in place of every WRITE_EVERY-th request."""
        rng = random.Random(42)  # noqa: S311
        pool = self.read_pool()
        reads = [rng.choice(pool) for _ in range(length)]
        writes = self.writes(base, length // WRITE_EVERY)
        mixed = list(reads)
        for index, write in enumerate(writes):
            mixed[index * WRITE_EVERY + WRITE_EVERY - 1] = write
        share = 1 - len(writes) / length
        return (
            Scenario("mix: reads only", "cached", reads),
            Scenario("mix: 95% reads, 5% writes", "cached", mixed, reads=share, statuses=True),
        )
