"""What every flow needs, built once by ``wiring`` and passed in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from passgate.auth.keyring import KeyRing
from passgate.auth.oauth_providers import ProviderClient
from passgate.auth.password_hashing import PasswordHashing
from passgate.auth.projects import ProjectDirectory
from passgate.auth.ratelimits import RateLimiter
from passgate.auth.served_origins import ServedOrigins
from passgate.clock import Clock
from passgate.crypto.issued import IssuedTokens
from passgate.crypto.sealing import Secrets
from passgate.models.audit import AuditEvent
from passgate.storage.database import Database
from passgate.storage.group_commit import GroupCommit


@dataclass(frozen=True)
class AuthContext:
    db: Database
    secrets: Secrets
    clock: Clock
    keyring: KeyRing
    projects: ProjectDirectory
    origins: ServedOrigins  # the union of every project's allowed origins, for CORS preflights
    notify_outbox: Callable[[], None]
    limiter: RateLimiter
    audit_log: GroupCommit[AuditEvent]
    oauth: ProviderClient  # social login providers' and tenants' IdPs' endpoints and keys
    # Refresh JWTs this process signed: presented back, they skip the signature check.
    issued_refresh: IssuedTokens = field(default_factory=IssuedTokens)
    passwords: PasswordHashing = field(default_factory=PasswordHashing)
    public_url: str = ""  # the base URL providers call back (empty: the request's own)

    def now_ms(self) -> int:
        return int(self.clock.now() * 1000)


@dataclass(frozen=True)
class Caller:
    """Who is asking, as far as the transport knows."""

    ip: str = ""
    user_agent: str = ""
