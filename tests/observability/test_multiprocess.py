"""`intowork serve --workers 2`: both workers count, and /metrics sums them whichever answers."""

import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from prometheus_client.multiprocess import MultiProcessCollector

from tests.cli.test_cli import INTOWORK, cli_environment, free_port
from tests.fixtures.timing import patient, wait_for_http, wait_until
from tests.observability.conftest import parse

ROUTE = "/api/ping"
COUNT = "intowork_http_request_duration_seconds_count"
BATCH = 40
# The second worker may start well after the first answers, on a busy machine.
BOTH_WORKERS_SECONDS = 120


def ping(url: str) -> int:
    # A new connection each time, so that either worker may accept it.
    return httpx.get(url, timeout=patient(30), headers={"Connection": "close"}).status_code


def counts_by_worker(directory: Path) -> dict[str, float]:
    """Each worker's own count of GET /api/ping, read from its histogram file."""
    counts = {}
    for path in directory.glob("histogram_*.db"):
        metrics = MultiProcessCollector.merge([str(path)], accumulate=True)  # type: ignore[no-untyped-call]
        counts[path.stem.removeprefix("histogram_")] = sum(
            sample.value
            for metric in metrics
            for sample in metric.samples
            if sample.name == COUNT and sample.labels.get("route") == ROUTE
        )
    return {pid: count for pid, count in counts.items() if count}


def scraped_count(base: str) -> float:
    reading = parse(httpx.get(f"{base}/metrics", timeout=patient(30)).text)
    return reading.value(COUNT, method="GET", route=ROUTE, status="2xx")


def test_two_workers_counts_are_summed(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    directory = tmp_path / "prometheus-multiproc"
    directory.mkdir()
    (directory / "counter_99999999.db").write_bytes(b"left over by an earlier run")
    server = subprocess.Popen(  # noqa: S603
        [*INTOWORK, "serve", "--workers", "2", "--port", str(port)],
        env=cli_environment(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_http(f"{base}/health", process=server)
        assert not (directory / "counter_99999999.db").exists(), "the directory starts empty"
        sent = 0
        with ThreadPoolExecutor(max_workers=8) as pool:

            def both_counted() -> bool:
                nonlocal sent
                statuses = list(pool.map(ping, [f"{base}{ROUTE}"] * BATCH))
                assert statuses == [200] * BATCH
                sent += BATCH
                return len(counts_by_worker(directory)) == 2

            wait_until(both_counted, BOTH_WORKERS_SECONDS, what="requests served by both workers")
        # The last observations land just after their responses.
        wait_until(lambda: scraped_count(base) >= sent, 30, what=f"{sent} requests scraped")

        by_worker = counts_by_worker(directory)
        assert len(by_worker) == 2, by_worker
        assert sum(by_worker.values()) == sent, by_worker
        assert scraped_count(base) == sent
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=patient(60))
    assert server.returncode in {0, -signal.SIGTERM}
    assert b"Traceback" not in errors, errors.decode(errors="replace")
    # Stopped workers no longer count in the live gauges (in progress, pool).
    assert not list(directory.glob("gauge_livesum_*.db"))
