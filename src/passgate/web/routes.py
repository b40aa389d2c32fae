"""The route table: every Descope path passgate serves, read top to bottom."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from passgate.web import (
    auth_access_keys,
    auth_links,
    auth_otp,
    auth_session,
    auth_tenants,
    health,
    metrics,
    mgmt_access_keys,
    mgmt_audit,
    mgmt_authz,
    mgmt_links,
    mgmt_project,
    mgmt_sessions,
    mgmt_users,
)
from passgate.web.audited import audited
from passgate.web.lean_route import LeanRoute
from passgate.web.schemas import ErrorResponse

_UNAUDITED = frozenset({"operations", "keys"})
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": "A Descope error body"} for status in (400, 401, 404, 413, 429)
}


def _table() -> list[tuple[str, str, Callable[..., Any], str]]:
    return [
        # --- OTP (contract §2.1) --------------------------------------------------------------
        ("POST", "/v1/auth/otp/signup/{method}", auth_otp.sign_up, "otp"),
        ("POST", "/v1/auth/otp/signin/{method}", auth_otp.sign_in, "otp"),
        ("POST", "/v1/auth/otp/signup-in/{method}", auth_otp.sign_up_or_in, "otp"),
        ("POST", "/v1/auth/otp/verify/{method}", auth_otp.verify, "otp"),
        ("POST", "/v1/auth/otp/update/email", auth_otp.update_email, "otp"),
        ("POST", "/v1/auth/otp/update/phone/{method}", auth_otp.update_phone, "otp"),
        # --- magic links (§2.2) -----------------------------------------------------------------
        ("POST", "/v1/auth/magiclink/signup/{method}", auth_links.magic_sign_up, "magic link"),
        ("POST", "/v1/auth/magiclink/signin/{method}", auth_links.magic_sign_in, "magic link"),
        ("POST", "/v1/auth/magiclink/signup-in/{method}", auth_links.magic_sign_up_or_in, "magic link"),
        ("POST", "/v1/auth/magiclink/verify", auth_links.magic_verify, "magic link"),
        ("POST", "/v1/auth/magiclink/update/email", auth_links.magic_update_email, "magic link"),
        ("POST", "/v1/auth/magiclink/update/phone", auth_links.magic_update_phone, "magic link"),
        ("POST", "/v1/auth/magiclink/update/phone/{method}", auth_links.magic_update_phone_by, "magic link"),
        # --- enchanted links (§2.3) -------------------------------------------------------------
        ("POST", "/v1/auth/enchantedlink/signup/{method}", auth_links.enchanted_sign_up, "enchanted link"),
        ("POST", "/v1/auth/enchantedlink/signin/{method}", auth_links.enchanted_sign_in, "enchanted link"),
        ("POST", "/v1/auth/enchantedlink/signup-in/{method}", auth_links.enchanted_sign_up_or_in, "enchanted link"),
        ("POST", "/v1/auth/enchantedlink/verify", auth_links.enchanted_verify, "enchanted link"),
        ("POST", "/v1/auth/enchantedlink/pending-session", auth_links.enchanted_pending_session, "enchanted link"),
        ("POST", "/v1/auth/enchantedlink/update/email", auth_links.enchanted_update_email, "enchanted link"),
        ("POST", "/v1/auth/enchantedlink/update/phone/{method}", auth_links.enchanted_update_phone, "enchanted link"),
        # --- sessions (§2.6) and keys (§2.8) ----------------------------------------------------
        ("POST", "/v1/auth/refresh", auth_session.refresh, "session"),
        ("POST", "/v1/auth/logout", auth_session.logout, "session"),
        ("POST", "/v1/auth/logoutall", auth_session.logout_all, "session"),
        ("GET", "/v1/auth/me", auth_session.me, "session"),
        ("GET", "/v1/auth/me/history", auth_session.history, "session"),
        ("GET", "/v2/keys/{project_id}", auth_session.jwks, "keys"),
        # --- management (§5) -----------------------------------------------------------------
        ("POST", "/v1/mgmt/user/create", mgmt_users.create_user, "management"),
        ("POST", "/v1/mgmt/user/create/test", mgmt_users.create_test_user, "management"),
        ("GET", "/v1/mgmt/user", mgmt_users.load_user, "management"),
        ("POST", "/v1/mgmt/user/delete", mgmt_users.delete_user, "management"),
        ("POST", "/v1/mgmt/tests/generate/otp", mgmt_users.generate_otp, "management"),
        ("POST", "/v1/mgmt/tests/generate/magiclink", mgmt_links.generate_magic_link, "management"),
        ("POST", "/v1/mgmt/tests/generate/enchantedlink", mgmt_links.generate_enchanted_link, "management"),
        ("POST", "/v1/mgmt/user/signin/embeddedlink", mgmt_links.embedded_sign_in, "management"),
        ("POST", "/v1/mgmt/user/signup/embeddedlink", mgmt_links.embedded_sign_up, "management"),
        ("POST", "/v1/mgmt/audit/search", mgmt_audit.search, "management"),
        ("GET", "/v1/mgmt/license", mgmt_users.license_tier, "operations"),
        # Each module below declares its own routes (contract §5 and §2.6-2.7).
        *mgmt_users.ROUTES,
        *mgmt_authz.ROUTES,
        *mgmt_access_keys.ROUTES,
        *mgmt_sessions.ROUTES,
        *mgmt_project.ROUTES,
        *auth_tenants.ROUTES,
        *auth_access_keys.ROUTES,
        # --- operations -------------------------------------------------------------------------
        ("GET", "/healthz", health.healthz, "operations"),
        ("GET", "/readyz", health.readyz, "operations"),
        ("GET", "/metrics", metrics.metrics, "operations"),
    ]


# Starlette tries routes in order and stops at the first full match: the paths every
# sign-in and every page load take are tried first.
_HOT_PATHS = (
    "/v1/auth/refresh",
    "/v1/auth/otp/verify/{method}",
    "/v1/auth/otp/signup-in/{method}",
    "/v1/auth/otp/signin/{method}",
    "/v1/auth/me",
    "/v2/keys/{project_id}",
    "/healthz",
)


def _hot_first(table: list[tuple[str, str, Callable[..., Any], str]]) -> list[tuple[str, str, Callable[..., Any], str]]:
    rank = {path: i for i, path in enumerate(_HOT_PATHS)}
    return sorted(table, key=lambda route: rank.get(route[1], len(rank)))  # stable: the rest keep their order


def install(app: FastAPI) -> None:
    """Add every route to ``app`` itself (an included router adds a matching layer to each
    request), each documented in ``/openapi.json`` from its request/response models and
    answered through ``LeanRoute``'s planned handler."""
    app.router.route_class = LeanRoute
    for method, path, endpoint, tag in _hot_first(_table()):
        extra: dict[str, Any] = {"response_class": PlainTextResponse} if endpoint is metrics.metrics else {}
        name = endpoint.__module__.rsplit(".", 1)[-1] + "." + endpoint.__name__
        handler = endpoint if tag in _UNAUDITED else audited(name, endpoint)
        app.add_api_route(
            path,
            handler,
            methods=[method],
            tags=[tag],
            responses=_ERRORS,
            operation_id=endpoint.__module__.rsplit(".", 1)[-1] + "_" + endpoint.__name__,
            **extra,
        )
