"""What a new password must be, and which policy a user is held to.

A user is held to the project's policy, or, if tenants the user belongs to set their own,
to the strictest combination of those (a tenant's policy replaces the project's for its
members). The check refuses, in this order: a password shorter than the minimum or longer
than ``MAX_PASSWORD_LENGTH``, a missing character class the policy asks for, one of the
30,000 most common passwords (``data/common-passwords.txt``, compared case-blind), the
login ID itself (case-blind, also as the part before ``@``), and with reuse checking, one
of the user's recent passwords (the caller compares those hashes: ``reused``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib.resources import files

from passgate.errors import PasswordPolicyViolation, PasswordsDisabled
from passgate.models.passwords import MAX_PASSWORD_LENGTH, PasswordPolicy
from passgate.models.users import User
from passgate.storage import password_policies_store
from passgate.storage.database import Transaction


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower case (loaded once, ~30,000 entries)."""
    text = files("passgate.auth").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


async def project_policy(tx: Transaction, project_id: str) -> PasswordPolicy:
    """The project's policy (the defaults until one is set)."""
    return await password_policies_store.policy(tx, project_id) or PasswordPolicy()


async def policy_for(tx: Transaction, user: User) -> PasswordPolicy:
    """The policy ``user`` is held to: its tenants' own, strictest first, else the project's."""
    tenant_ids = [access.tenant_id for access in user.authz.tenants]
    own = await password_policies_store.tenant_policies(tx, user.project_id, tenant_ids)
    if not own:
        return await project_policy(tx, user.project_id)
    combined = own[0]
    for other in own[1:]:
        combined = combined.strictest(other)
    return combined


def require_enabled(policy: PasswordPolicy) -> None:
    if not policy.enabled:
        raise PasswordsDisabled()


def check(policy: PasswordPolicy, password: str, login_ids: Sequence[str]) -> None:
    """``PasswordPolicyViolation`` naming the first rule ``password`` breaks."""
    require_enabled(policy)
    if len(password) < policy.min_length:
        raise PasswordPolicyViolation(f"The password must have at least {policy.min_length} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordPolicyViolation(f"The password must have at most {MAX_PASSWORD_LENGTH} characters")
    missing = _missing_classes(policy, password)
    if missing:
        raise PasswordPolicyViolation(f"The password must contain {' and '.join(missing)}")
    folded = password.casefold()
    if policy.block_common and folded in common_passwords():
        raise PasswordPolicyViolation("The password is too common; choose another")
    if any(folded in _names_of(login_id) for login_id in login_ids):
        raise PasswordPolicyViolation("The password must not be the login ID")


def reused() -> PasswordPolicyViolation:
    """The refusal of a password the user had recently."""
    return PasswordPolicyViolation("The password was used recently; choose another")


def _missing_classes(policy: PasswordPolicy, password: str) -> list[str]:
    wanted = (
        (policy.lowercase, "a lower-case letter", str.islower),
        (policy.uppercase, "an upper-case letter", str.isupper),
        (policy.number, "a digit", str.isdigit),
        (policy.non_alphanumeric, "a symbol", lambda c: not c.isalnum()),
    )
    return [name for asked, name, test in wanted if asked and not any(test(c) for c in password)]


def _names_of(login_id: str) -> set[str]:
    """The forms of a login ID a password must not be: itself, and its local part."""
    folded = login_id.casefold()
    return {folded, folded.split("@", 1)[0]} - {""}
