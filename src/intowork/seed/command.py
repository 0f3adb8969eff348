"""`intowork seed`: migrate (outside production), then seed with a progress bar per stage."""

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from intowork.core.config import Settings
from intowork.core.db import create_database
from intowork.core.migrations import upgrade_to_head
from intowork.seed.write import (
    STAGES,
    DemoDataExists,
    SeedSummary,
    demo_data_exists,
    planned_counts,
    seed_demo_data,
)


async def run_seed(
    settings: Settings,
    *,
    jobs: int,
    seed: int,
    console: Console,
    applications: int | None = None,
    busy_employer: int | None = None,
) -> SeedSummary:
    """`intowork seed`: migrate (outside production), then seed with a progress bar per stage."""
    plan = planned_counts(jobs, applications)
    totals = {"password": 1, **plan}
    database = create_database(settings)
    try:
        if not settings.is_production:
            await upgrade_to_head(database.engine)
        if await demo_data_exists(database):
            raise DemoDataExists
        columns = (
            TextColumn("{task.description:<26}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as progress:
            tasks = {
                stage: progress.add_task(label, total=totals[stage])
                for stage, label in STAGES.items()
            }
            summary = await seed_demo_data(
                database,
                jobs=jobs,
                seed=seed,
                applications=applications,
                busy_employer=busy_employer,
                advance=lambda stage, rows: progress.advance(tasks[stage], rows),
            )
            # Applications are capped by what uniqueness allows: end that bar where it stopped.
            progress.update(tasks["applications"], total=summary.counts["applications"])
        return summary
    finally:
        await database.dispose()
