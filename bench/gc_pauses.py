"""The garbage collector's pauses while a server is under load. Numbers, not pass/fail.

Serves the app as `intowork serve` does (one uvicorn worker; settings from the environment, so
GC_FREEZE=true/false compares the two), counts every collection by generation with its time,
and prints them when stopped (Ctrl-C). Load it meanwhile, e.g. a cached job list:

    GC_FREEZE=false RATE_LIMIT_ENABLED=false LOG_LEVEL=WARNING \
        taskset -c 0 .venv/bin/python bench/gc_pauses.py --port 8011 &
    taskset -c 1 wrk -t1 -c16 -d20s --latency http://127.0.0.1:8011/api/jobs
    kill -INT %1
"""

import argparse
import gc
import time
from typing import Any

import uvicorn

from intowork.core.config import get_settings
from intowork.main import create_app

counts = [0, 0, 0]
seconds = [0.0, 0.0, 0.0]
longest = [0.0, 0.0, 0.0]
started: list[float] = []


def on_collection(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        started.append(time.perf_counter())
    elif started:
        elapsed = time.perf_counter() - started.pop()
        generation = info["generation"]
        counts[generation] += 1
        seconds[generation] += elapsed
        longest[generation] = max(longest[generation], elapsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=8011)
    args = parser.parse_args()
    settings = get_settings()
    app = create_app(settings)
    gc.callbacks.append(on_collection)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_config=None, access_log=False)
    print(f"gc_freeze={settings.gc_freeze} thresholds at exit={gc.get_threshold()}")
    for generation in range(3):
        total, worst = seconds[generation] * 1000, longest[generation] * 1000
        print(
            f"gen{generation}: {counts[generation]} collections, "
            f"{total:.0f} ms in all, longest {worst:.1f} ms"
        )


if __name__ == "__main__":
    main()
