"""The report of bench/run.py: terminal tables, the goals of issue 18 met or missed, and
docs/performance.{md,png} rendered from the result files."""

import json
import os
import platform
import shutil
import statistics
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import ROOT, console
from rich.table import Table

RESULTS = ROOT / "bench" / "results"
DOCS = ROOT / "docs"
FLOOR_HEALTH = "floor /health"
FLOOR_MEMORY = "floor memory (20 jobs, dicts)"
FLOOR_TYPED = "floor memory, typed (pydantic)"
FLOOR_BYTES = "floor stored bytes"
FLOOR_ASYNCPG = "floor asyncpg query"
PURE = "mix: reads only"
MIXED = "mix: 95% reads, 5% writes"
STORM_HEALTH = "storm: /health"
SCALE_ENDPOINTS = ("job list", "search + location")
Record = dict[str, Any]
Row = dict[str, Any]


@dataclass(frozen=True)
class Goal:
    """One row of issue 18's table: its floor, the shares it gives, and the goal."""

    endpoint: str
    cache: str
    floor: str
    old: str  # the old IntoWork server, % of the same floor (the table)
    start: str  # this project when the issue was filed (the table)
    share: float | None  # the goal: at least this share of the floor
    tail: bool = False  # the goal also asks p99 <= 4 x p50


GOALS = (
    Goal("/health", "-", FLOOR_HEALTH, "8.6%", "31-39%", 0.60),
    Goal("job list", "cached", FLOOR_MEMORY, "16% (no cache)", "65-71%", 1.50, tail=True),
    Goal("search + location", "cached", FLOOR_MEMORY, "14%", "56-70%", 1.50, tail=True),
    Goal("job detail", "cached", FLOOR_MEMORY, "24%", "31-38%", 1.50, tail=True),
    Goal("employer dashboard", "cached", FLOOR_MEMORY, "7.4%", "32-33%", 1.50, tail=True),
    Goal("candidate applications", "cached", FLOOR_MEMORY, "12.6%", "19-20%", 1.50, tail=True),
    Goal("job list", "off", FLOOR_MEMORY, "16%", "23%", 0.60),
    Goal("search + location", "off", FLOOR_MEMORY, "14%", "16%", 0.50),
    Goal("job detail", "off", FLOOR_MEMORY, "24%", "-", None),
    Goal("employer dashboard", "off", FLOOR_MEMORY, "7.4%", "10.6%", 0.40),
    Goal("candidate applications", "off", FLOOR_MEMORY, "12.6%", "-", None),
    Goal("sign-in", "-", FLOOR_MEMORY, "-", "-", None),
)


def mark(met: bool) -> str:
    return "met" if met else "**missed**"


def load_results(directory: Path) -> list[Record]:
    records = []
    for path in sorted(directory.glob("*.json")):
        record = json.loads(path.read_text())
        if record.get("format") == 2:
            records.append(record)
    return records


def find(record: Record, endpoint: str, cache: str | None = None) -> Row | None:
    for row in record["results"]:
        if row["endpoint"] == endpoint and (cache is None or row["cache"] == cache):
            return row
    return None


def floor(record: Record, name: str) -> dict[str, float] | None:
    """A floor's mean over its rounds (before and after the app's runs), and its drift."""
    rows = [row for row in record["results"] if row["endpoint"] == name]
    if not rows:
        return None
    return {
        "rps": statistics.mean(row["rps"] for row in rows),
        "p50_ms": statistics.mean(row["p50_ms"] for row in rows),
        "p99_ms": statistics.mean(row["p99_ms"] for row in rows),
        "drift": rows[-1]["rps"] / rows[0]["rps"] - 1 if rows[0]["rps"] else 0.0,
    }


def tail(row: Row) -> float:
    return float(row["p99_ms"] / row["p50_ms"]) if row["p50_ms"] else 0.0


# --- the main run: every endpoint --------------------------------------------------------------

ENDPOINT_HEADERS = [
    "endpoint",
    "cache",
    "req/s",
    "p50 ms",
    "p99 ms",
    "p99/p50",
    "% of floor",
    "floor",
    "old server",
    "at the issue",
    "goal",
    "met",
    "SQL/req",
    "errors",
    "server CPU",
]


def endpoint_rows(record: Record) -> list[list[str]]:
    rows = []
    for goal in GOALS:
        row = find(record, goal.endpoint, goal.cache)
        base = floor(record, goal.floor)
        if row is None or base is None:
            continue
        share = row["rps"] / base["rps"] if base["rps"] else 0.0
        wanted, met = "-", "-"
        if goal.share is not None:
            wanted = f">= {goal.share:.0%}"
            ok = share >= goal.share
            if goal.tail:
                wanted += ", p99 <= 4x p50"
                ok = ok and tail(row) <= 4
            met = mark(ok)
        sql = "-" if row["statements"] is None else f"{row['statements']:.2f}"
        rows.append(
            [
                goal.endpoint,
                goal.cache,
                f"{row['rps']:,.0f}",
                f"{row['p50_ms']:.2f}",
                f"{row['p99_ms']:.2f}",
                f"{tail(row):.1f}",
                f"{share:.0%}",
                "/health" if goal.floor == FLOOR_HEALTH else "memory",
                goal.old,
                goal.start,
                wanted,
                met,
                sql,
                str(row["errors"]),
                f"{row['server_cpu']:.0%}",
            ]
        )
    return rows


FLOOR_HEADERS = ["floor", "req/s (mean)", "p50 ms", "p99 ms", "drift after/before"]


def floor_rows(record: Record) -> list[list[str]]:
    rows = []
    for name in (FLOOR_HEALTH, FLOOR_MEMORY, FLOOR_TYPED, FLOOR_BYTES, FLOOR_ASYNCPG):
        value = floor(record, name)
        if value is not None:
            rows.append(
                [
                    name,
                    f"{value['rps']:,.0f}",
                    f"{value['p50_ms']:.2f}",
                    f"{value['p99_ms']:.2f}",
                    f"{value['drift']:+.0%}",
                ]
            )
    return rows


def mixed_lines(record: Record) -> list[str]:
    pure, mixed = find(record, PURE), find(record, MIXED)
    if pure is None or mixed is None:
        return []
    reads = mixed["rps"] * mixed["reads"]
    ratio = reads / pure["rps"] if pure["rps"] else 0.0
    lines = [
        f"- Read throughput under 5% writes: {reads:,.0f} reads/s against {pure['rps']:,.0f}"
        f" reads/s alone: **{ratio:.0%}** (goal >= 80%: {mark(ratio >= 0.8)}). p50/p99"
        f" {mixed['p50_ms']:.2f}/{mixed['p99_ms']:.2f} ms mixed,"
        f" {pure['p50_ms']:.2f}/{pure['p99_ms']:.2f} ms reads only.",
    ]
    for row, label in ((mixed, "mixed run"), (pure, "reads-only run")):
        hits, misses = row.get("cache_hits"), row.get("cache_misses")
        if hits is None or misses is None or hits + misses == 0:
            lines.append(f"- Cache hit rate, {label}: no cache reads counted at /metrics.")
            continue
        rate = hits / (hits + misses)
        goal = f" (goal >= 90%: {mark(rate >= 0.9)})" if row is mixed else ""
        lines.append(
            f"- Cache hit rate, {label}: **{rate:.1%}** ({hits:,.0f} hits, {misses:,.0f} misses"
            f" at /metrics){goal}."
        )
    lines.append(
        f"- Requests answered 4xx/5xx or failed: {mixed['errors']:,} of {mixed['requests']:,}"
        " in the mixed run (a write the sequence repeats after wrapping is refused: already"
        f" applied, or a status step back), {pure['errors']:,} in the reads-only run;"
        f" {mixed['extra'].get('committed_applies_and_status_changes', 0):,.0f} applies and"
        " status changes committed (the server's business counters; job edits have none)."
    )
    prepared = record["facts"].get("mix_writes_prepared")
    if prepared:
        kinds = ", ".join(f"{count:,} {kind}" for kind, count in prepared.items())
        lines.append(f"- Distinct writes prepared for the sequence (then repeated): {kinds}.")
    statuses = mixed["extra"].get("statuses")
    if statuses:
        counted = ", ".join(f"{status}: {count:,}" for status, count in sorted(statuses.items()))
        lines.append(f"- Responses of the mixed run by status: {counted}.")
    for refusal in mixed["extra"].get("refusals", []):
        lines.append(f"  - e.g. `{refusal}`")
    return lines


def other_lines(record: Record) -> list[str]:
    lines = []
    storm = find(record, STORM_HEALTH)
    if storm is not None:
        lines.append(
            f"- Sign-in storm: /health p99 {storm['p99_ms']:.1f} ms (p50 {storm['p50_ms']:.1f})"
            f" while 8 connections sign in (goal < 50 ms: {mark(storm['p99_ms'] < 50)})."
        )
    detail = find(record, "job detail", "cached")
    if detail is not None and detail["statements"] is not None:
        lines.append(
            f"- Job detail, cached: {detail['statements']:.2f} SQL statements per request"
            f" (no write on the read path: {mark(detail['statements'] < 0.01)})."
        )
    if record["engine"] == "sqlite":
        for cache in ("cached", "off"):
            row = find(record, "job detail", cache)
            if row is not None:
                lines.append(
                    f"- SQLite job detail ({cache}) p99 {row['p99_ms']:.1f} ms at"
                    f" 16 connections (goal < 100 ms: {mark(row['p99_ms'] < 100)})."
                )
    mine = find(record, "candidate applications", "off")
    if mine is not None and mine["statements"] is not None:
        lines.append(
            f"- A candidate's applications, cache off: {mine['statements']:.2f} statements"
            f" per request (goal <= 2: {mark(mine['statements'] <= 2.01)})."
        )
    rows = [row for row in record["results"] if row["statements"] is not None]
    if rows:
        worst = max(rows, key=lambda row: row["statements"])
        lines.append(
            f"- Most SQL statements per request: {worst['statements']:.2f} ({worst['endpoint']},"
            f" {worst['cache']})."
        )
    return lines


def print_main(record: Record) -> None:
    table = Table(title=title(record))
    for header in ENDPOINT_HEADERS:
        table.add_column(header, justify="left" if header in {"endpoint", "cache"} else "right")
    for row in endpoint_rows(record):
        table.add_row(*row)
    console.print(table)
    floors = Table(title="floors (same run, same core, same client)")
    for header in FLOOR_HEADERS:
        floors.add_column(header)
    for row in floor_rows(record):
        floors.add_row(*row)
    console.print(floors)
    for line in mixed_lines(record) + other_lines(record) + record["notes"]:
        console.print(line)


def title(record: Record) -> str:
    smoke = " [SMOKE RUN: 1 s runs, not figures]" if record["quick"] else ""
    return f"{record['engine']}, {record['size']:,} jobs ({record['client']}){smoke}"


# --- the scale series --------------------------------------------------------------------------


def scale_series(records: list[Record]) -> dict[str, dict[int, Record]]:
    found: dict[str, dict[int, Record]] = {}
    for record in records:
        if record["kind"] == "scale":
            found.setdefault(record["engine"], {})[record["size"]] = record
    return found


def scale_rows(runs: dict[int, Record]) -> tuple[list[str], list[list[str]]]:
    sizes = sorted(runs)
    headers = ["endpoint (cache off)"]
    headers += [f"p50 / p99 ms @{size:,}" for size in sizes]
    headers += [f"p99 {sizes[-1]:,} / {sizes[0]:,}", "goal <= 2x"]
    rows = []
    for endpoint in SCALE_ENDPOINTS:
        cells = [endpoint]
        p99 = []
        for size in sizes:
            row = find(runs[size], endpoint, "off")
            if row is None:
                cells.append("-")
                continue
            p99.append(row["p99_ms"])
            cells.append(f"{row['p50_ms']:.1f} / {row['p99_ms']:.1f}")
        if len(p99) == len(sizes) and p99[0]:
            ratio = p99[-1] / p99[0]
            cells += [f"{ratio:.1f}x", mark(ratio <= 2)]
        else:
            cells += ["-", "-"]
        rows.append(cells)
    return headers, rows


# --- docs --------------------------------------------------------------------------------------


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    model = "unknown CPU"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.1f} GiB RAM"
    wrk = shutil.which("wrk")
    generator = f"wrk ({wrk})" if wrk else "httpx"
    return (
        f"{model}, {os.cpu_count()} cores{memory}; Linux {platform.release()}; "
        f"Python {platform.python_version()}; load generator: {generator}"
    )


def plot(records: list[Record], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mains = [record for record in records if record["kind"] == "main"]
    series = scale_series(records)
    panels = len(mains) + len(series)
    if not panels:
        return
    figure, axes = plt.subplots(1, panels, figsize=(6.5 * panels, 4.8), squeeze=False)
    index = 0
    for record in mains:
        axis = axes[0][index]
        index += 1
        labels, shares, goals = [], [], []
        for goal in GOALS:
            row, base = find(record, goal.endpoint, goal.cache), floor(record, goal.floor)
            if row is None or base is None or goal.endpoint == "sign-in":
                continue
            labels.append(f"{goal.endpoint} ({goal.cache})")
            shares.append(100 * row["rps"] / base["rps"])
            goals.append(100 * goal.share if goal.share is not None else float("nan"))
        positions = range(len(labels))
        axis.barh(positions, shares, color="tab:blue", label="% of its floor")
        axis.scatter(goals, positions, color="tab:red", marker="|", s=200, label="goal", zorder=3)
        axis.set_yticks(list(positions), labels, fontsize=7)
        axis.invert_yaxis()
        axis.set_xlabel("req/s, % of the floor measured in the same run")
        axis.set_title(f"{record['engine']}, {record['size']:,} jobs" + smoke(record), fontsize=9)
        axis.grid(True, axis="x", alpha=0.3)
        axis.legend(fontsize=7)
    for engine, runs in sorted(series.items()):
        axis = axes[0][index]
        index += 1
        sizes = sorted(runs)
        for endpoint in SCALE_ENDPOINTS:
            rows = [find(runs[size], endpoint, "off") for size in sizes]
            if any(row is None for row in rows):
                continue
            p99 = [row["p99_ms"] for row in rows if row is not None]
            p50 = [row["p50_ms"] for row in rows if row is not None]
            line = axis.plot(sizes, p99, marker="o", label=f"{endpoint}, cache off, p99")[0]
            axis.plot(sizes, p50, marker=".", linestyle=":", color=line.get_color())
        if sizes:
            first = find(runs[sizes[0]], SCALE_ENDPOINTS[0], "off")
            if first is not None:
                axis.plot(
                    sizes,
                    [2 * first["p99_ms"]] * len(sizes),
                    color="tab:red",
                    linestyle="--",
                    label="goal: list p99 within 2x of its smallest size",
                )
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("jobs seeded")
        axis.set_ylabel("latency, ms (solid p99, dotted p50)")
        quick = any(record["quick"] for record in runs.values())
        axis.set_title(f"{engine}: scale series" + (" [SMOKE RUN]" if quick else ""), fontsize=9)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def smoke(record: Record) -> str:
    return " [SMOKE RUN]" if record["quick"] else ""


def render_docs(results: Path, docs: Path) -> None:
    records = load_results(results)
    if not records:
        raise SystemExit(f"no results in {results}: run bench/run.py first")
    docs.mkdir(parents=True, exist_ok=True)
    plot(records, docs / "performance.png")
    parts = ["# Performance", ""]
    if any(record["quick"] for record in records):
        parts += [
            "> **SMOKE RUN** (`--quick`): 1-second runs without warm-up on a small dataset, to"
            " show the harness works end to end. These are not figures: re-run without"
            " `--quick` (see Commands) before reading anything into them.",
            "",
        ]
    parts += [
        "Rendered by `bench/run.py --docs` from `bench/results/*.json`: numbers measured, never"
        " asserted in tests. Each figure is also given as a share of a floor measured in the same"
        " run on the same core with the same client, so that runs on a busy or different machine"
        " stay comparable; the floors' drift between their two rounds (before and after the"
        " app's runs) says how steady the machine was.",
        "",
        f"Machine: {machine()}.",
        "",
        "## Commands",
        "",
        "```sh",
        "make bench                            # the issue's dataset, SQLite",
        "make bench ENGINE=postgresql          # the same on PostgreSQL + Redis db 14",
        "make bench SCALE=1                    # uncached list and search at 1k, 10k, 100k",
        "make bench SCALE=1 ENGINE=postgresql",
        ".venv/bin/python bench/run.py --docs-only   # re-render this page from bench/results",
        "```",
        "",
        "## Method",
        "",
        "- Data: `intowork seed --jobs 2000 --applications 10442 --busy-employer 974` (seed 42):"
        " the dataset of issue 18, employer1's company receiving 974 applications; the scale"
        " series uses the seed's default proportions at each size.",
        "- Server: `taskset -c 0 intowork serve`, one uvicorn worker, `ENVIRONMENT=production`,"
        " `LOG_LEVEL=WARNING`, `RATE_LIMIT_ENABLED=false`. On PostgreSQL, Redis db 14 under a"
        " key prefix of the run's own, deleted afterwards.",
        "- Load: wrk, one thread per run, pinned to core 1, 16 connections (4 for sign-in),"
        " keep-alive; `--warm-up` seconds (1), then `--duration` seconds measured (6; sign-in 3).",
        "- Floors (`bench/floor_app.py`, core 0): `/health` returning a tiny dict; the memory"
        " floor of issue 18, the job list's 20-job page held as plain dicts and returned"
        " through FastAPI's default encoder (an untyped endpoint: `jsonable_encoder`, then"
        " `json.dumps`); for reference, the same dicts from an endpoint typed"
        " `-> dict[str, Any]` (pydantic serialisation), the page as stored bytes, and one"
        " raw asyncpg query. Measured"
        " before and after the app's runs; shares use their mean. /health is compared with"
        " floor /health, everything else with the memory floor.",
        "- Cached: the real server, the same requests over and over (job detail cycles over 50"
        " published jobs). Cache off: the same app and URLs with `app.state.cache = None`"
        " (`bench/serve_nocache.py`).",
        "- Sign-in storm: /health with 4 connections while 8 connections sign in, at once.",
        "- Mixed workload: a fixed sequence of reads over the endpoints above (3 list pages,"
        " search + location, 50 job details, employer1's dashboard, 10 candidates'"
        " applications), run alone, then with every 20th request replaced by a write with a"
        " real token (in turn: a candidate's apply to a job not yet applied to, an employer1"
        " status change one pipeline step on, an edit of one of employer1's published jobs)."
        " Read throughput = the mixed req/s x 95%; the hit rate comes from the server's"
        " `intowork_cache_hits_total` / `intowork_cache_misses_total` around the run.",
        "- SQL/req: `intowork_db_query_duration_seconds_count` over"
        " `intowork_http_request_duration_seconds_count`, deltas around each run.",
        "- Old server and `at the issue`: the shares in issue 18's table (measured the same way"
        " earlier), for reference.",
        "- Scale series (`SCALE=1`): at 1k, 10k and 100k jobs, the uncached job list and"
        " search + location; the goal is each p99 at the largest size within 2x of the smallest.",
        "",
    ]
    for record in records:
        if record["kind"] != "main":
            continue
        facts = record["facts"]
        parts += [
            f"## {title(record)}",
            "",
            f"Run {record['when']}, {record['wall_seconds']:.0f} s, load average before"
            f" {record['load_before'][0]:.2f} / after {record['load_after'][0]:.2f} (1 min)."
            f" Seeded: {facts['seeded']}; {facts['published_jobs']:,} published jobs; the page"
            f" is {facts['page_bytes']:,} bytes; search matches {facts['search_total']}"
            f" (`{facts['search']}`); candidate1 has {facts['candidate_applications']}"
            f" applications; employer1 sees {facts['employer_received']} received.",
            "",
            markdown_table(ENDPOINT_HEADERS, endpoint_rows(record)),
            "",
            markdown_table(FLOOR_HEADERS, floor_rows(record)),
            "",
            *mixed_lines(record),
            *other_lines(record),
            *[f"- {note}" for note in record["notes"]],
            "",
        ]
    for engine, runs in sorted(scale_series(records).items()):
        headers, rows = scale_rows(runs)
        sizes = sorted(runs)
        parts += [
            f"## {engine}: scale series" + smoke(runs[sizes[0]]),
            "",
            "Seeding took "
            + ", ".join(f"{runs[size]['seed_seconds']:.0f} s" for size in sizes)
            + "; load average before each size: "
            + ", ".join(f"{runs[size]['load_before'][0]:.2f}" for size in sizes)
            + ".",
            "",
            markdown_table(headers, rows),
            "",
        ]
    notes = results / "notes.md"
    if notes.exists():  # what the person who ran it saw: kept across re-renders
        parts += ["## Notes on these runs", "", notes.read_text().strip(), ""]
    parts += ["## Figures", "", "![shares of the floors and the scale series](performance.png)", ""]
    (docs / "performance.md").write_text("\n".join(parts))
    console.print(f"wrote {docs / 'performance.md'} and {docs / 'performance.png'}")
