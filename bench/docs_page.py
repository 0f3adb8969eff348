"""docs/performance.{md,png}, rendered from the result files in bench/results: the method,
each run's tables (from bench/report.py) and the figures."""

import json
import os
import platform
import shutil
from contextlib import suppress
from pathlib import Path

from harness import ROOT, console
from report import (
    ENDPOINT_HEADERS,
    FLOOR_HEADERS,
    GOALS,
    SCALE_ENDPOINTS,
    Record,
    endpoint_rows,
    find,
    floor,
    floor_rows,
    mixed_lines,
    other_lines,
    scale_rows,
    scale_series,
    title,
)

DOCS = ROOT / "docs"


def load_results(directory: Path) -> list[Record]:
    records = []
    for path in sorted(directory.glob("*.json")):
        record = json.loads(path.read_text())
        if record.get("format") == 2:
            records.append(record)
    return records


def smoke(record: Record) -> str:
    return " [SMOKE RUN]" if record["quick"] else ""


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
