"""Password policies: what a project (or a tenant) asks of a password.

The defaults are NIST SP 800-63B-4's: at least 8 characters, no forced character classes,
no periodic expiry, a check against common passwords and the login ID. The wire names are
Descope's (``/v1/mgmt/password/settings``); ``blockCommon`` is passgate's own.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

MAX_PASSWORD_LENGTH = 256  # characters; longer inputs are refused before any hashing


class PasswordPolicy(BaseModel):
    """One policy (the project's, or a tenant's own), validated and frozen."""

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel, populate_by_name=True)

    enabled: bool = True
    min_length: int = Field(default=8, ge=1, le=MAX_PASSWORD_LENGTH)
    lowercase: bool = False
    uppercase: bool = False
    number: bool = False
    non_alphanumeric: bool = False
    expiration: bool = False
    expiration_weeks: int = Field(default=0, ge=0, le=520)
    reuse: bool = False
    reuse_amount: int = Field(default=0, ge=0, le=50)
    lock: bool = False
    lock_attempts: int = Field(default=0, ge=0, le=1000)
    block_common: bool = Field(default=True, description="Refuse the 30,000 most common passwords.")

    @property
    def expires_after_ms(self) -> int | None:
        """How long a password lasts, if the policy sets an expiry."""
        if not (self.expiration and self.expiration_weeks):
            return None
        return self.expiration_weeks * 7 * 86_400_000

    @property
    def history_depth(self) -> int:
        """How many earlier passwords a new one must differ from."""
        return self.reuse_amount if self.reuse else 0

    @property
    def locks_after(self) -> int | None:
        """Wrong tries (in a row) that lock the password, if the policy locks."""
        return self.lock_attempts if self.lock and self.lock_attempts else None

    def strictest(self, other: PasswordPolicy) -> PasswordPolicy:
        """The policy holding both to their stricter side (a user in several tenants that
        each set their own)."""
        return PasswordPolicy(
            enabled=self.enabled and other.enabled,
            min_length=max(self.min_length, other.min_length),
            lowercase=self.lowercase or other.lowercase,
            uppercase=self.uppercase or other.uppercase,
            number=self.number or other.number,
            non_alphanumeric=self.non_alphanumeric or other.non_alphanumeric,
            expiration=self.expiration or other.expiration,
            expiration_weeks=_stricter_limit(self, other, "expiration", "expiration_weeks"),
            reuse=self.reuse or other.reuse,
            reuse_amount=max(self.history_depth, other.history_depth),
            lock=self.lock or other.lock,
            lock_attempts=_stricter_limit(self, other, "lock", "lock_attempts"),
            block_common=self.block_common or other.block_common,
        )


def _stricter_limit(one: PasswordPolicy, two: PasswordPolicy, switch: str, amount: str) -> int:
    """The smaller of two limits among the policies whose ``switch`` is on (0 if neither)."""
    amounts = [getattr(p, amount) for p in (one, two) if getattr(p, switch) and getattr(p, amount)]
    return min(amounts) if amounts else 0
