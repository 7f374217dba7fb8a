"""Benchmark the cost of a staff password: Argon2id hash and verify time, and the memory each
takes, for a few parameter sets, one at a time and two at once (this machine's cores).

    .venv/bin/python bench/signin.py          (--quick: fewer runs)

What it answers: which Argon2id parameters Sauti can afford for staff sign-in (issue 14,
"sign-in cost"). A sign-in verifies one hash; an attacker holding a stolen hash pays the same
per guess. The memory is measured as the growth of the process's peak resident set
(`ru_maxrss`) while hashing, each parameter set in a fresh child process.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import resource
import statistics
import time

from argon2 import PasswordHasher, Type

# (label, time cost, memory KiB, parallelism). RFC 9106's second recommendation (t=3, 64 MiB,
# p=4), OWASP's floors (19 MiB t=2, 46 MiB t=1), and argon2-cffi's default (t=3, 64 MiB, p=4).
PARAMETER_SETS = [
    ("OWASP minimum: t=2, 19 MiB, p=1", 2, 19 * 1024, 1),
    ("OWASP alternative: t=1, 46 MiB, p=1", 1, 46 * 1024, 1),
    ("t=1, 64 MiB, p=2", 1, 64 * 1024, 2),
    ("t=2, 64 MiB, p=2", 2, 64 * 1024, 2),
    ("Sauti: t=3, 64 MiB, p=1", 3, 64 * 1024, 1),
    ("RFC 9106 / argon2-cffi default: t=3, 64 MiB, p=4", 3, 64 * 1024, 4),
    ("t=4, 128 MiB, p=1", 4, 128 * 1024, 1),
]
PASSWORD = "a long passphrase of several words"


def _measure(time_cost: int, memory_kib: int, parallelism: int, runs: int) -> dict[str, float]:
    hasher = PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hashes, verifies = [], []
    encoded = ""
    for _ in range(runs):
        began = time.perf_counter()
        encoded = hasher.hash(PASSWORD)
        hashes.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        hasher.verify(encoded, PASSWORD)
        verifies.append((time.perf_counter() - began) * 1000)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    # Two verifications at once (two threads: argon2-cffi releases the GIL), as two people
    # signing in together on a 2-core server.
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        began = time.perf_counter()
        list(pool.map(lambda _: hasher.verify(encoded, PASSWORD), range(2 * runs)))
        pair = (time.perf_counter() - began) * 1000 / runs
    return {
        "hash": statistics.median(hashes),
        "verify": statistics.median(verifies),
        "pair": pair,
        "memory_mib": grown / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5 runs per set instead of 20")
    runs = 5 if parser.parse_args().quick else 20
    context = multiprocessing.get_context("spawn")  # a fresh process: its own peak memory
    print(f"{'parameters':<50} {'hash':>8} {'verify':>8} {'2 at once':>10} {'memory':>9}")
    for label, time_cost, memory_kib, parallelism in PARAMETER_SETS:
        with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
            result = pool.submit(_measure, time_cost, memory_kib, parallelism, runs).result()
        print(
            f"{label:<50} {result['hash']:6.1f}ms {result['verify']:6.1f}ms "
            f"{result['pair']:8.1f}ms {result['memory_mib']:6.1f}MiB"
        )


if __name__ == "__main__":
    main()
