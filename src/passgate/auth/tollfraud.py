"""SMS pumping (toll fraud) protection for SMS, voice and WhatsApp sends.

Three checks before anything is queued: the number's country must be on the project's
allow-list (when it has one); sends to one number range (the number without its last four
digits) are capped; and the project has a daily budget of phone messages. An exhausted
budget is an alert: it is logged and counted in ``passgate_phone_budget_exhausted_total``.
"""

from __future__ import annotations

import phonenumbers
import structlog
from prometheus_client import Counter

from passgate.auth import ratelimits
from passgate.auth.context import AuthContext
from passgate.errors import InvalidArgument, RateLimited
from passgate.models.projects import Project

log = structlog.get_logger("passgate.tollfraud")

BUDGET_EXHAUSTED = Counter(
    "passgate_phone_budget_exhausted_total",
    "Phone sends refused because the project's daily budget ran out",
    ["project"],
)
COUNTRY_REFUSED = Counter("passgate_phone_country_refused_total", "Phone sends refused by the country allow-list")


def region_of(number: str) -> str:
    """The ISO region of an E.164 number (``US``, ``GB`` …), or ``ZZ`` if unknown."""
    return phonenumbers.region_code_for_number(phonenumbers.parse(number)) or "ZZ"


async def check_phone_send(ctx: AuthContext, project: Project, number: str) -> None:
    """Refuse a phone send outside the allowed countries or over the velocity caps."""
    allowed = {region.upper() for region in project.settings.phone_countries}
    if allowed and region_of(number) not in allowed:
        COUNTRY_REFUSED.inc()
        raise InvalidArgument("Phone numbers in this country are not enabled for this project")
    await ctx.limiter.hit(ratelimits.phone_prefix(project, number))
    try:
        await ctx.limiter.hit(ratelimits.phone_budget(project))
    except RateLimited:
        BUDGET_EXHAUSTED.labels(project.id).inc()
        log.error("phone message budget exhausted; sends refused", project_id=project.id)
        raise
