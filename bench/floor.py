"""The per-core floor of OTP verify, scaled to the machine this run is on.

The floor (../shared/bench/README.md: about 3,500/s per core with ES256 or EdDSA, 1,100/s
with RS256) was summed from parts measured on one machine; judged on a faster or slower
one, a fixed figure flatters or wrongs the server. So each run times the floor's largest
parts here, on the server's core — two PyJWT signs of the algorithm and one stdlib
``sqlite3`` verify transaction (WAL, ``synchronous=NORMAL``) — and scales the floor by how
much faster or slower they ran than where the floor was measured.
"""

from __future__ import annotations

import hmac
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

# per-core verify rate and the parts it was summed from, as measured in ../shared/bench (µs)
REFERENCE_RPS = {"RS256": 1100.0, "ES256": 3500.0, "EdDSA": 3500.0}
REFERENCE_SIGN_US = {"RS256": 363.0, "ES256": 56.0, "EdDSA": 61.0}
REFERENCE_VERIFY_TXN_US = 117.0
ROUNDS = 5
SEED_ROWS = 20_000


def calibrated_floor(algs: list[str], cpu: int | None) -> dict[str, Any]:
    """Per algorithm: the reference floor, this machine's parts and the floor scaled to it."""
    previous = os.sched_getaffinity(0)
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    try:
        with (
            tempfile.TemporaryDirectory(prefix="passgate-floor-") as tmp,
            closing(sqlite3.connect(Path(tmp) / "floor.db", isolation_level=None)) as db,
        ):
            txn_us = _median_us(_verify_txn(db))
        result: dict[str, Any] = {"verify_txn_us": round(txn_us, 1), "algs": {}}
        for alg in algs:
            sign_us = _median_us(_sign(alg))
            here = 2 * sign_us + txn_us
            reference = 2 * REFERENCE_SIGN_US[alg] + REFERENCE_VERIFY_TXN_US
            result["algs"][alg] = {
                "sign_us": round(sign_us, 1),
                "reference_rps": REFERENCE_RPS[alg],
                "speed": round(reference / here, 3),  # > 1: this machine is faster
                "rps": round(REFERENCE_RPS[alg] * reference / here, 0),
            }
        return result
    finally:
        os.sched_setaffinity(0, previous)


def _median_us(op: Callable[[], object], per_round: int = 300) -> float:
    """Median over ``ROUNDS`` rounds of the mean µs ``op`` takes (after one warm-up round)."""
    op()
    samples = []
    for _ in range(ROUNDS + 1):
        started = time.perf_counter()
        for _ in range(per_round):
            op()
        samples.append((time.perf_counter() - started) / per_round * 1e6)
    return statistics.median(samples[1:])


def _sign(alg: str) -> Callable[[], object]:
    private: Any = {
        "RS256": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
        "EdDSA": ed25519.Ed25519PrivateKey.generate,
    }[alg]()
    claims = {
        "sub": "U2" + "a" * 26,
        "iss": "P2" + "b" * 26,
        "aud": ["P2" + "b" * 26],
        "iat": 1_800_000_000,
        "exp": 1_800_000_600,
        "drn": "DS",
        "amr": ["email"],
        "roles": [],
        "permissions": [],
        "tenants": {},
    }
    headers = {"kid": "K2" + "c" * 26, "typ": "JWT"}
    return lambda: jwt.encode(claims, private, algorithm=alg, headers=headers)


def _verify_txn(db: sqlite3.Connection) -> Callable[[], object]:
    """The floor's verify transaction on ``db``: claim a code, read the user, record a session."""
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE users (id TEXT PRIMARY KEY, login_id TEXT UNIQUE, status TEXT)")
    db.execute(
        "CREATE TABLE otp (id INTEGER PRIMARY KEY, user_id TEXT, login_id TEXT, mac BLOB, "
        "expires_at INTEGER, attempts INTEGER DEFAULT 0, used_at INTEGER)"
    )
    db.execute("CREATE INDEX otp_login ON otp (login_id)")
    db.execute("CREATE TABLE sessions (id TEXT PRIMARY KEY, user_id TEXT, created_at INTEGER, expires_at INTEGER)")
    key, now = os.urandom(32), 1_800_000_000  # any fixed instant: nothing here expires
    mac = hmac.digest(key, b"482913", "sha256")
    db.execute("BEGIN")
    db.executemany("INSERT INTO users VALUES (?, ?, 'enabled')", ((f"U{i}", f"u{i}@x.test") for i in range(SEED_ROWS)))
    db.executemany(
        "INSERT INTO otp (user_id, login_id, mac, expires_at) VALUES (?, ?, ?, ?)",
        ((f"U{i}", f"u{i}@x.test", mac, now + 600) for i in range(SEED_ROWS)),
    )
    db.execute("COMMIT")
    counter = iter(range(10**9))

    def verify() -> None:
        n = next(counter)
        login = f"u{n % SEED_ROWS}@x.test"
        db.execute("BEGIN IMMEDIATE")
        row = db.execute(
            "UPDATE otp SET attempts = attempts + 1 WHERE id = (SELECT id FROM otp WHERE login_id = ? "
            "ORDER BY id DESC LIMIT 1) RETURNING id, user_id, mac, expires_at, attempts",
            (login,),
        ).fetchone()
        hmac.compare_digest(row[2], hmac.digest(key, b"482913", "sha256"))
        db.execute("UPDATE otp SET used_at = ? WHERE id = ?", (now, row[0]))
        db.execute("SELECT id, status FROM users WHERE id = ?", (row[1],)).fetchone()
        db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)", (f"S{n}", row[1], now, now + 86400))
        db.execute("COMMIT")

    return verify
