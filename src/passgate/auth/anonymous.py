"""Anonymous users (``mgmt.jwt.anonymous``): JWTs with ``danu: true`` and a fresh subject,
and no user row.

A session must belong to a stored user, so an anonymous user's refresh JWT is recorded
nowhere: it refreshes on its signature and expiry alone, keeping every claim it carries
(``danu``, the selected tenant, custom claims), and stays the same refresh JWT (there is
no session whose generation could rotate). It cannot be revoked: it lasts until it
expires (``refreshDuration`` bounds that). Calls about the user itself (me, history,
logout, updates, tenant selection) are refused: there is no user to answer about.
"""

from __future__ import annotations

from typing import Any

from passgate.auth.claims import ANONYMOUS, REFRESH_DRN
from passgate.auth.context import AuthContext
from passgate.auth.minting import tokens_for
from passgate.models.projects import Project
from passgate.models.sessions import SessionTokens
from passgate.models.users import User, UserStatus


def anonymous_user(project_id: str, subject: str, now: float) -> User:
    """The user an anonymous user's JWTs are minted for: its subject, nothing else."""
    return User(
        id=subject, project_id=project_id, login_ids=(), status=UserStatus.ENABLED, created_at=now, modified_at=now
    )


def is_anonymous(claims: dict[str, Any]) -> bool:
    """Whether verified claims are an anonymous user's refresh JWT (only passgate sets ``danu``)."""
    return claims.get("drn") == REFRESH_DRN and claims.get(ANONYMOUS) is True


async def refresh(ctx: AuthContext, project: Project, claims: dict[str, Any], refresh_jwt: str) -> SessionTokens:
    """A new session JWT from an anonymous user's verified, unexpired refresh JWT (``claims``),
    which is handed back as it is."""
    user = anonymous_user(project.id, str(claims["sub"]), ctx.clock.now())
    return await tokens_for(ctx, project, user, claims, refresh_jwt, first_seen=False)
