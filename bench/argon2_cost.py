"""Cost of one password hash and one verification with IntoWork's Argon2id parameters.

Run: .venv/bin/python bench/argon2_cost.py [rounds]
"""

import statistics
import sys
import time

from intowork.core.security import password_hash


def measure(rounds: int) -> None:
    password = "Correct-Horse-Battery-42!"
    hashes, verifies = [], []
    stored = password_hash.hash(password)
    for _ in range(rounds):
        started = time.perf_counter()
        password_hash.hash(password)
        hashes.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        password_hash.verify(password, stored)
        verifies.append((time.perf_counter() - started) * 1000)
    print(f"Argon2id m=19 MiB t=2 p=1, {rounds} rounds, one thread")
    for name, samples in (("hash", hashes), ("verify", verifies)):
        print(
            f"{name:>6}: median {statistics.median(samples):.1f} ms, "
            f"min {min(samples):.1f} ms, max {max(samples):.1f} ms"
        )


if __name__ == "__main__":
    measure(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
