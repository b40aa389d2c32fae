"""What argon2id parameter sets cost on this machine: median ms per hash and per verify, and the rate one
core sustains.

Each set is hashed (and the result verified) ``--repeats`` times, one at a time, after one warm-up run.
"ms per hash" is wall-clock time; "CPU ms per hash" is this process's CPU time, which exceeds the wall
time when parallelism > 1 because argon2 then runs its lanes on several threads. A sign-in costs one
verify, so "hashes/s one core sustains" is 1000 / CPU ms: what one core serves at most when it does
nothing else. The bcrypt rows are what verifying an imported bcrypt hash costs, for comparison.

    .venv/bin/python bench/argon2_params.py                 # the default sets, ~15 s
    .venv/bin/python bench/argon2_params.py --sets 19456:2:1,65536:3:4 --repeats 21
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret, verify_secret

# OWASP's password storage cheat sheet (first three), RFC 9106's second recommendation, and a middle one.
DEFAULT_SETS = "19456:2:1,12288:3:1,47104:1:1,65536:3:4,65536:2:1"
PASSWORD = b"correct horse battery staple"


@dataclass(frozen=True)
class Argon2Set:
    memory_kib: int
    time_cost: int
    parallelism: int

    @classmethod
    def parse(cls, text: str) -> Argon2Set:
        memory, time_cost, parallelism = (int(part) for part in text.split(":"))
        return cls(memory, time_cost, parallelism)


@dataclass(frozen=True)
class Timing:
    wall_ms: float  # median
    cpu_ms: float  # median


def timed(operation: Callable[[], object], repeats: int) -> Timing:
    """Median wall and CPU milliseconds of ``operation`` over ``repeats`` runs, after one warm-up run."""
    operation()
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        operation()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return Timing(statistics.median(walls), statistics.median(cpus))


def argon2_hash(params: Argon2Set) -> Callable[[], bytes]:
    def run() -> bytes:
        return hash_secret(
            PASSWORD,
            secrets.token_bytes(16),
            time_cost=params.time_cost,
            memory_cost=params.memory_kib,
            parallelism=params.parallelism,
            hash_len=32,
            type=Type.ID,
        )

    return run


def argon2_verify(params: Argon2Set) -> Callable[[], bool]:
    encoded = argon2_hash(params)()
    return lambda: verify_secret(encoded, PASSWORD, Type.ID)


def bcrypt_verify(cost: int) -> Callable[[], bool] | None:
    """A bcrypt verify at ``cost``; None when the bcrypt package is not installed."""
    try:
        import bcrypt
    except ImportError:
        return None
    hashed = bcrypt.hashpw(PASSWORD, bcrypt.gensalt(cost))
    return lambda: bcrypt.checkpw(PASSWORD, hashed)


def argon2_table(sets: list[Argon2Set], repeats: int) -> list[str]:
    lines = [
        f"| memory KiB | time cost | parallelism | ms per hash (median of {repeats}) | ms per verify | "
        "CPU ms per hash | hashes/s one core sustains |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for params in sets:
        hashing = timed(argon2_hash(params), repeats)
        verifying = timed(argon2_verify(params), repeats)
        lines.append(
            f"| {params.memory_kib} | {params.time_cost} | {params.parallelism} | {hashing.wall_ms:.1f} | "
            f"{verifying.wall_ms:.1f} | {hashing.cpu_ms:.1f} | {1000 / hashing.cpu_ms:.0f} |"
        )
    return lines


def bcrypt_table(costs: list[int], repeats: int) -> list[str]:
    lines = [
        f"| bcrypt cost | ms per verify (median of {repeats}) | verifies/s one core sustains |",
        "|---:|---:|---:|",
    ]
    for cost in costs:
        verify = bcrypt_verify(cost)
        if verify is None:
            return ["(bcrypt is not installed: no bcrypt rows)"]
        timing = timed(verify, repeats)
        lines.append(f"| {cost} | {timing.wall_ms:.1f} | {1000 / timing.cpu_ms:.0f} |")
    return lines


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sets",
        default=DEFAULT_SETS,
        help="comma-separated memory_kib:time_cost:parallelism (default: %(default)s)",
    )
    parser.add_argument("--repeats", type=int, default=9, help="timed runs per set (default: %(default)s)")
    parser.add_argument(
        "--bcrypt-costs",
        default="10,12",
        help="comma-separated bcrypt costs to time a verify at, '' for none (default: %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sets = [Argon2Set.parse(text) for text in args.sets.split(",") if text]
    print("\n".join(argon2_table(sets, args.repeats)))
    costs = [int(cost) for cost in args.bcrypt_costs.split(",") if cost]
    if costs:
        print()
        print("\n".join(bcrypt_table(costs, args.repeats)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
