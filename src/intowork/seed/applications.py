"""Applications and their status history: the candidate applies, the employer moves it on."""

from collections.abc import Iterator
from datetime import datetime, timedelta

from intowork.models.enums import ApplicationStatus
from intowork.seed.stream import DAY, DemoData, Row
from intowork.seed.vocabulary import APPLICATION_STATUSES, COVER_LETTERS, PIPELINE


def draw_applications(
    data: DemoData, target: int, busy: int | None = None
) -> Iterator[tuple[Row, list[Row]]]:
    """Distinct (candidate, published job) pairs, each with its status history.

    `busy`: the first company (employer1's) receives exactly that many of them (as far as
    its published jobs allow) and no other; without it, jobs are drawn evenly."""
    if busy is not None:
        yield from _draw_busy_applications(data, target, busy)
        return
    capacity = len(data.candidates) * len(data.published)
    target = min(target, capacity)
    if target > capacity // 2:
        pairs = data.rng.sample(range(capacity), target)
    else:
        chosen: set[int] = set()
        pairs = []
        while len(pairs) < target:
            pair = data.rng.randrange(capacity)
            if pair not in chosen:
                chosen.add(pair)
                pairs.append(pair)
    for pair in pairs:
        job, candidate = divmod(pair, len(data.candidates))
        yield draw_application(data, data.candidates[candidate], data.published[job])


def _draw_busy_applications(
    data: DemoData, target: int, busy: int
) -> Iterator[tuple[Row, list[Row]]]:
    people = len(data.candidates)
    busy_jobs = set(data.busy)
    busy_pairs = [job * people + candidate for job in data.busy for candidate in range(people)]
    chosen = data.rng.sample(busy_pairs, min(busy, len(busy_pairs), target))
    others = (len(data.published) - len(busy_jobs)) * people
    wanted = len(chosen) + min(target - len(chosen), others)
    taken = set(chosen)
    while len(chosen) < wanted:
        pair = data.rng.randrange(len(data.published) * people)
        if pair // people not in busy_jobs and pair not in taken:
            taken.add(pair)
            chosen.append(pair)
    data.rng.shuffle(chosen)
    for pair in chosen:
        job, candidate = divmod(pair, people)
        yield draw_application(data, data.candidates[candidate], data.published[job])


def draw_application(
    data: DemoData, candidate: tuple[int, int], job: tuple[int, datetime, int]
) -> tuple[Row, list[Row]]:
    """One application and its history: the initial row (by the candidate), then one row per
    step the employer took along the pipeline to the current status."""
    rng = data.rng
    candidate_id, candidate_user_id = candidate
    job_id, posted_at, employer_user_id = job
    application_id = data.next_id("job_applications")
    status = APPLICATION_STATUSES.draw(rng)
    if status is ApplicationStatus.REJECTED:
        path = [*PIPELINE[: rng.randint(1, 4)], status]
    else:
        path = list(PIPELINE[: PIPELINE.index(status) + 1])
    applied_at = changed_at = data.between(posted_at, data.now)
    history: list[Row] = []
    previous: ApplicationStatus | None = None
    for step in path:
        if previous is not None:
            changed_at = min(data.now, changed_at + timedelta(seconds=rng.randint(3600, 5 * DAY)))
        history.append(
            {
                "id": data.next_id("application_status_history"),
                "application_id": application_id,
                "from_status": previous,
                "to_status": step,
                "changed_by_user_id": candidate_user_id if previous is None else employer_user_id,
                "changed_at": changed_at,
                "created_at": changed_at,
            }
        )
        previous = step
    application = {
        "id": application_id,
        "job_id": job_id,
        "candidate_id": candidate_id,
        "cv_id": None,
        "status": status,
        "cover_letter": rng.choice(COVER_LETTERS),
        "notes": None if status is ApplicationStatus.APPLIED else "Profil à recontacter.",
        "applied_at": applied_at,
        "created_at": applied_at,
        "updated_at": changed_at,
    }
    return application, history
