"""The report of bench/run.py: the goals of issue 18 and the tables that say whether a run met
them, printed in the terminal; bench/docs_page.py renders the same tables into the docs."""

import statistics
from dataclasses import dataclass
from typing import Any

from harness import ROOT, console
from rich.table import Table

RESULTS = ROOT / "bench" / "results"
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
