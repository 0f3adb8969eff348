"""The `intowork` command. Every subcommand reads the same settings as the server."""

import asyncio
import os
import shutil
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from intowork.core.config import Settings, get_settings
from intowork.core.db import create_database
from intowork.core.errors import AppError
from intowork.core.migrations import upgrade_to_head
from intowork.core.observability.logging import configure_logging
from intowork.users import service as users_service

app = typer.Typer(help="IntoWork recruitment platform backend.", no_args_is_help=True)
console = Console(stderr=True)


def _load_settings() -> Settings:
    try:
        return get_settings()
    except ValueError as exc:
        console.print(f"[red]Invalid configuration:[/red] {exc}")
        raise typer.Exit(code=2) from exc


async def _migrate(settings: Settings) -> None:
    database = create_database(settings)
    try:
        await upgrade_to_head(database.engine)
    finally:
        await database.dispose()


@app.command()
def migrate() -> None:
    """Apply pending database migrations."""
    settings = _load_settings()
    asyncio.run(_migrate(settings))
    console.print("[green]Database is up to date.[/green]")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address [default: HOST]")] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: PORT or 8000]")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes [default: WEB_CONCURRENCY]")
    ] = None,
) -> None:
    """Start the API server (in development, pending migrations are applied first)."""
    settings = _load_settings()
    # This process's own lines too (uvicorn's supervisor, when there are several workers).
    configure_logging(settings)
    if not settings.is_production:
        asyncio.run(_migrate(settings))
    workers = workers or settings.web_concurrency
    if workers > 1:
        _prepare_multiprocess_metrics(settings)
    uvicorn.run(
        "intowork.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_config=None,
        access_log=False,  # the app writes its own access line, without the client's address
        proxy_headers=False,
        server_header=False,
    )


def _prepare_multiprocess_metrics(settings: Settings) -> None:
    """Several workers share their metrics through files (prometheus_client's multiprocess
    mode); the workers, started afterwards, inherit the variable. Files of an earlier run would
    be summed with this one's, so the directory starts empty."""
    directory = settings.data_dir.resolve() / "prometheus-multiproc"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(prompt=True)],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    first_name: Annotated[str, typer.Option(prompt=True)] = "Admin",
    last_name: Annotated[str, typer.Option(prompt=True)] = "IntoWork",
) -> None:
    """Create an administrator account (the only way to get one)."""
    settings = _load_settings()

    async def run() -> int:
        database = create_database(settings)
        try:
            if not settings.is_production:
                await upgrade_to_head(database.engine)
            async with database.sessionmaker() as session, session.begin():
                user = await users_service.create_admin(
                    session,
                    email=email,
                    password=password,
                    first_name=first_name,
                    last_name=last_name,
                )
                return user.id
        finally:
            await database.dispose()

    try:
        user_id = asyncio.run(run())
    except (AppError, ValueError) as exc:
        console.print(f"[red]Refused:[/red] {getattr(exc, 'detail', exc)}")
        raise typer.Exit(code=1) from exc
    console.print(f"[green]Admin created[/green] (id {user_id}).")


@app.command("seed")
def seed_demo_data(
    jobs: Annotated[int, typer.Option(min=1, help="Jobs to create")] = 200,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data")] = 42,
    applications: Annotated[
        int | None, typer.Option(min=0, help="Applications to create (default: half the jobs)")
    ] = None,
    busy_employer: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Applications received by employer1's company, no more, no less "
            "(as far as its published jobs allow; default: no skew)",
        ),
    ] = None,
) -> None:
    """Fill the database with demo data: companies, employers, jobs, candidates, applications."""
    # Imported here: only this command needs the generator.
    from intowork.seed import DemoDataExists, run_seed

    settings = _load_settings()
    try:
        summary = asyncio.run(
            run_seed(
                settings,
                jobs=jobs,
                seed=seed,
                console=console,
                applications=applications,
                busy_employer=busy_employer,
            )
        )
    except DemoDataExists as exc:
        console.print(f"[red]Refused:[/red] {exc}")
        raise typer.Exit(code=1) from exc
    counts = ", ".join(f"{count} {name}" for name, count in summary.counts.items())
    console.print(f"[green]Demo data created[/green] in {summary.seconds:.1f} s: {counts}.")
    console.print(f"Demo password (every demo account): [bold]{summary.password}[/bold]")
    console.print(f"Demo employer: {summary.employer_email}")
    console.print(f"Demo candidate: {summary.candidate_email}")


@app.command()
def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Deliver what is due now, then exit.")
    ] = False,
) -> None:
    """Deliver the e-mail outbox until stopped (several workers may run at once on PostgreSQL)."""
    from intowork.core.observability.logging import configure_logging
    from intowork.email.commands import run_worker

    settings = _load_settings()
    configure_logging(settings)
    result = asyncio.run(run_worker(settings, once=once))
    if result is not None:
        console.print(
            f"[green]Outbox drained:[/green] {result.sent} sent, {result.retried} to retry, "
            f"{result.failed} failed, {result.skipped} skipped."
        )


@app.command()
def emails(
    failed: Annotated[bool, typer.Option("--failed", help="List the failed e-mails.")] = False,
    retry: Annotated[bool, typer.Option("--retry", help="Requeue the failed e-mails.")] = False,
    email_id: Annotated[
        int | None, typer.Option("--id", help="With --retry: only this e-mail.")
    ] = None,
) -> None:
    """Inspect the e-mails the worker gave up on, and send them again."""
    from rich.table import Table

    from intowork.email.commands import failed_emails, requeue_failed

    if failed == retry or (email_id is not None and not retry):
        console.print("[red]Choose one of --failed or --retry [--id N].[/red]")
        raise typer.Exit(code=2)
    settings = _load_settings()
    if retry:
        requeued = asyncio.run(requeue_failed(settings, email_id=email_id))
        if email_id is not None and not requeued:
            console.print(f"[red]No failed e-mail with id {email_id}.[/red]")
            raise typer.Exit(code=1)
        console.print(f"[green]Requeued {len(requeued)} e-mail(s).[/green]")
        return
    rows = asyncio.run(failed_emails(settings))
    if not rows:
        console.print("No failed e-mails.")
        return
    table = Table()
    # Identifiers are never cut short; the error text takes whatever width remains.
    for name in ("ID", "Template", "Recipient", "Attempts"):
        table.add_column(name, no_wrap=True)
    table.add_column("Last error", overflow="fold", ratio=1)
    table.add_column("Failed at")
    for row in rows:
        table.add_row(
            str(row.id),
            row.template.value,
            row.to_email,
            str(row.attempts),
            row.last_error or "",
            row.updated_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        )
    Console().print(table)
