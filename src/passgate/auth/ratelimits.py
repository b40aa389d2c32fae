"""Rate limits (moving windows; specs in the ``limits`` library's notation).

Counters live in process memory by default (``auth/windows.py``) and in Redis, through
``limits``' moving-window strategy, when ``PASSGATE_REDIS_URL`` is set, so several
instances share them. Over a limit: ``RateLimited`` (429, ``E130429``,
``Retry-After`` in seconds). What is limited, by default (per project, configurable):

* every request to an auth route, per client IP; the routes a browser keeps its session
  with (refresh, try-refresh, me, me/tenants, me/history) in a window of their own;
* sends (codes and links) per address and channel: 30 s apart, 5 an hour, 10 a day; per
  login ID across its addresses, 10 an hour and 20 a day; and per project, 600 a minute;
* verification attempts per client IP and per login ID;
* management calls per management key.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.aio.strategies import MovingWindowRateLimiter

from passgate.auth.windows import MovingWindows
from passgate.errors import RateLimited
from passgate.models.projects import Project


@dataclass(frozen=True)
class Rule:
    """A named limit on one key (the key's parts are joined by the library)."""

    name: str
    spec: str
    key: tuple[str, ...]


class RateLimiter:
    """Counts hits in Redis (``shared``: a ``limits`` moving-window limiter) or in this process."""

    def __init__(self, shared: MovingWindowRateLimiter | None = None) -> None:
        self._shared = shared
        self._local = MovingWindows()

    async def hit(self, *rules: Rule) -> None:
        """Count one hit against every rule; ``RateLimited`` on the first rule that is full."""
        for rule in rules:
            for item in _parsed(rule.spec):
                wait = await self._hit(item, rule)
                if wait > 0:
                    raise RateLimited(max(1, math.ceil(wait)))

    async def _hit(self, item: RateLimitItem, rule: Rule) -> float:
        """0 if the hit was allowed, else the seconds until it would be."""
        if self._shared is None:
            return self._local.hit((rule.name, *rule.key, str(item)), item.amount, item.get_expiry())
        if await self._shared.hit(item, rule.name, *rule.key):
            return 0.0
        stats = await self._shared.get_window_stats(item, rule.name, *rule.key)
        # limits reports the reset as wall-clock seconds
        return max(1.0, stats.reset_time - time.time())  # noqa: TID251


_PARSED: dict[str, list[RateLimitItem]] = {}


def _parsed(spec: str) -> list[RateLimitItem]:
    items = _PARSED.get(spec)
    if items is None:
        items = _PARSED[spec] = parse_many(spec) if spec.strip() else []
    return items


def per_ip(project: Project, ip: str) -> Rule:
    return Rule("ip", project.settings.rate_limits.requests_per_ip, (project.id, ip))


def session_per_ip(project: Project, ip: str) -> Rule:
    """The routes a browser keeps its session with, counted apart (their 429 signs the user out)."""
    return Rule("session-ip", project.settings.rate_limits.session_requests_per_ip, (project.id, ip))


def sends(project: Project, login_id: str, channel: str, address: str) -> list[Rule]:
    """The limits on one send of a code or link for ``login_id`` to ``address`` on ``channel``."""
    limits = project.settings.rate_limits
    return [
        Rule("send-address", limits.sends_per_address, (project.id, channel, address)),
        Rule("send-login", limits.sends_per_login_id_cap, (project.id, login_id)),
        Rule("send-project", limits.sends_per_project, (project.id,)),
    ]


def verifies(project: Project, login_id: str, ip: str) -> list[Rule]:
    limits = project.settings.rate_limits
    return [
        Rule("verify-ip", limits.verifies_per_ip, (project.id, ip)),
        Rule("verify-login", limits.verifies_per_login_id, (project.id, login_id)),
    ]


def link_verifies(project: Project, ip: str) -> Rule:
    """Link tokens carry no login ID before lookup: they are limited per client IP."""
    return Rule("verify-ip", project.settings.rate_limits.verifies_per_ip, (project.id, ip))


def phone_prefix(project: Project, number: str) -> Rule:
    """Velocity per number range (the number without its last four digits): SMS pumping
    rotates through numbers of one premium range."""
    return Rule("phone-prefix", project.settings.rate_limits.phone_sends_per_prefix, (project.id, number[:-4]))


def phone_budget(project: Project) -> Rule:
    """The project's daily budget of phone messages."""
    return Rule("phone-budget", project.settings.rate_limits.phone_sends_per_project, (project.id,))


def management(project: Project, key_id: str) -> Rule:
    return Rule("mgmt", project.settings.rate_limits.management_per_key, (project.id, key_id))
