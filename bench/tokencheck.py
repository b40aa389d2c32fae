"""The session check of a resource server: validate a session JWT locally with the public
keys the server publishes at ``/v2/keys/<projectId>``.

Two ways, both in this (load-generator) process, one operation at a time: PyJWT with keys
fetched once (what a hand-written backend does), and the descope SDK's
``validate_session`` (which fetches the keys itself on first use). Local validation is
CPU-bound, so its rate is per core whatever the concurrency.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt

Validate = Callable[[str], object]


def pyjwt_validator(base_url: str, project_id: str) -> Validate:
    """Fetch the JWKS once; then check signature, ``exp``, ``iss`` and ``aud`` of each token."""
    keys = httpx.get(f"{base_url}/v2/keys/{project_id}", timeout=10).raise_for_status().json()["keys"]
    by_kid = {key["kid"]: jwt.PyJWK(key) for key in keys}

    def validate(token: str) -> object:
        key = by_kid[jwt.get_unverified_header(token)["kid"]]
        return jwt.decode(token, key, algorithms=[key.algorithm_name], audience=project_id, issuer=project_id)

    return validate


def descope_validator(base_url: str, project_id: str) -> Validate | None:
    """The descope SDK's ``validate_session`` (``None`` if the SDK is not installed)."""
    try:
        from descope import DescopeClient
    except ImportError:
        return None
    client = DescopeClient(project_id=project_id, base_url=base_url)
    validate: Validate = client.validate_session
    return validate


def time_ops(validate: Validate, tokens: list[str], *, seconds: float, max_ops: int) -> dict[str, Any]:
    """Validate ``tokens`` round robin for ``seconds`` (at most ``max_ops``); rate and per-op µs."""
    validate(tokens[0])  # the SDK fetches the JWKS on its first call: keep that out of the timing
    durations_ns: list[int] = []
    errors, first_error = 0, ""
    start = time.perf_counter()
    deadline = start + seconds
    while len(durations_ns) < max_ops and time.perf_counter() < deadline:
        token = tokens[len(durations_ns) % len(tokens)]
        began = time.perf_counter_ns()
        try:
            validate(token)
        except Exception as exc:
            errors += 1
            first_error = first_error or f"{type(exc).__name__}: {exc}"
        durations_ns.append(time.perf_counter_ns() - began)
    elapsed = time.perf_counter() - start
    durations_ns.sort()
    count = len(durations_ns)
    return {
        "ops": count,
        "ops_per_s": count / elapsed,
        "mean_us": sum(durations_ns) / count / 1e3,
        "p50_us": durations_ns[count // 2] / 1e3,
        "p99_us": durations_ns[min(count - 1, count * 99 // 100)] / 1e3,
        "errors": errors,
        "first_error": first_error,
    }


def check_sessions(
    base_url: str, project_id: str, tokens: list[str], *, seconds: float, max_ops: int
) -> list[dict[str, Any]]:
    """Time every available validator on ``tokens``."""
    validators = {
        "PyJWT + JWKS": pyjwt_validator(base_url, project_id),
        "descope SDK validate_session": descope_validator(base_url, project_id),
    }
    return [
        {"method": name, **time_ops(validate, tokens, seconds=seconds, max_ops=max_ops)}
        for name, validate in validators.items()
        if validate is not None
    ]
