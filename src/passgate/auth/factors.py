"""Sign-ins by a factor the user holds rather than a message sent to them: passkeys
(``webauthn``), authenticator apps (``totp``).

The flows of those methods check their own secret; what verifying it earns is the same for
all of them and lives here: the user it signs in (created on sign-up), and the session it
opens, with the ``loginOptions`` of the start applied (custom claims; step-up, which marks
the first session JWT ``su``; MFA, which adds the factor to the ``amr`` of the session the
caller already holds, as ``intents`` does for codes and links).
"""

from __future__ import annotations

from dataclasses import dataclass

from passgate.addresses import normalize_login_id
from passgate.auth import accounts, minting, refresh_tokens
from passgate.auth.claims import combined_amr
from passgate.auth.context import AuthContext, Caller
from passgate.errors import InvalidRefreshToken, UserAlreadyExists
from passgate.models.projects import Project
from passgate.models.sessions import LoginOptions
from passgate.models.users import User, UserProfile
from passgate.storage import sessions_store, users_store
from passgate.storage.database import Transaction

WEBAUTHN, TOTP = "webauthn", "totp"


@dataclass(frozen=True)
class Earned:
    """What a verified factor earns, decided when its ceremony started: the options asked
    for, and the ``amr`` of the session step-up or MFA builds on (empty otherwise)."""

    stepup: bool = False
    mfa: bool = False
    prior_amr: tuple[str, ...] = ()
    custom_claims: dict[str, object] | None = None
    revoke_other_sessions: bool = False

    @classmethod
    def of(cls, options: LoginOptions, prior: refresh_tokens.RefreshContext | None) -> Earned:
        return cls(
            stepup=options.stepup,
            mfa=options.mfa,
            prior_amr=tuple(prior.record.amr) if prior else (),
            custom_claims=dict(options.custom_claims) or None,
            revoke_other_sessions=options.revoke_other_sessions,
        )

    def to_stored(self) -> dict[str, object]:
        """The JSON a ceremony keeps between its start and finish."""
        return {
            "stepup": self.stepup,
            "mfa": self.mfa,
            "priorAmr": list(self.prior_amr),
            "customClaims": self.custom_claims,
            "revokeOtherSessions": self.revoke_other_sessions,
        }

    @classmethod
    def from_stored(cls, stored: dict[str, object]) -> Earned:
        claims = stored.get("customClaims")
        prior = stored.get("priorAmr")
        return cls(
            stepup=bool(stored.get("stepup")),
            mfa=bool(stored.get("mfa")),
            prior_amr=tuple(str(value) for value in prior) if isinstance(prior, list) else (),
            custom_claims=dict(claims) if isinstance(claims, dict) else None,
            revoke_other_sessions=bool(stored.get("revokeOtherSessions")),
        )


async def prior_session(
    ctx: AuthContext, project: Project, options: LoginOptions, refresh_jwt: str | None, user: User | None
) -> refresh_tokens.RefreshContext | None:
    """The session step-up or MFA builds on: required for either (``None`` otherwise), and
    it must be ``user``'s when the user is known."""
    if not (options.stepup or options.mfa):
        return None
    prior = await refresh_tokens.authenticate_refresh(ctx, project, refresh_jwt)
    if user is not None and prior.user.id != user.id:
        raise InvalidRefreshToken("The refresh token belongs to another user")
    return prior


async def new_user(
    tx: Transaction, ctx: AuthContext, project: Project, login_id: str, profile: UserProfile, user_id: str = ""
) -> User:
    """Create the user a factor sign-up is for (with ``user_id`` when the ceremony chose it);
    ``UserAlreadyExists`` if the login ID is taken.

    No address is verified: a passkey or an app proves who holds it, not an email or phone.
    """
    login_id = normalize_login_id(login_id)
    if await users_store.login_id_owner(tx, project.id, login_id):
        raise UserAlreadyExists()
    return await accounts.create_user(
        tx,
        project_id=project.id,
        login_ids=[login_id],
        profile=profile,
        test=False,
        now=ctx.clock.now(),
        user_id=user_id,
    )


async def open_session(
    tx: Transaction,
    ctx: AuthContext,
    project: Project,
    caller: Caller,
    user: User,
    factor: str,
    earned: Earned,
    *,
    first_seen: bool = False,
    system: dict[str, object] | None = None,
) -> minting.OpenedSession:
    """Open the session a verified ``factor`` earned for ``user``, in the caller's transaction
    (``system``: reserved claims the flow sets, an SSO tenant's ``dct``)."""
    amr = combined_amr(list(earned.prior_amr), factor) if earned.mfa else [factor]
    if earned.revoke_other_sessions:
        await sessions_store.revoke_all_of_user(tx, user.id, ctx.now_ms())
    grant = minting.Grant(
        user=user,
        amr=amr,
        first_seen=first_seen,
        stepup=earned.stepup,
        nsec=earned.custom_claims or {},
        system=dict(system or {}),
    )
    return await minting.open_session(tx, ctx, project, grant, caller)


async def mark(tx: Transaction, ctx: AuthContext, user: User, factor: str, *, held: bool) -> User:
    """Record on the user row whether it holds ``factor``; the user as it now is."""
    await users_store.set_factor(tx, user.id, factor, held, ctx.now_ms())
    found = await users_store.find_by_id(tx, user.project_id, user.id)
    assert found is not None
    return found
