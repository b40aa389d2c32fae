"""What a sign-in in progress keeps in the database between its start and its end, as
typed records, and their stored JSON.

* ``IntentDetails``: what verifying a code or link acts on (the ``details`` column of
  ``challenges`` and ``link_tokens``), written when the secret is issued.
* ``GrantDetails``: what a clicked enchanted link earned beyond its session row (the
  ``grant_details`` column of ``pending_sessions``), until the starting device polls.

Both are stored as JSON with snake_case keys. Rows written before these records existed
hold the earlier camelCase shape, which the readers still accept:
``{"address", "profile", "options": {"stepup", "mfa", "customClaims",
"revokeOtherSessions", "priorAmr", "managementClaims"}, "addToLoginIds",
"mergeIntoExisting"}`` and ``{"firstSeen", "stepup", "nsec", "claims"}``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from passgate.auth.minting import Grant
from passgate.models.users import User, UserProfile


@dataclass(frozen=True)
class IntentDetails:
    """What verifying a started sign-in's secret acts on."""

    address: str = ""  # where the secret went, confirmed on verify ("": nothing to confirm)
    profile: UserProfile | None = None  # a sign-up's new user
    stepup: bool = False
    mfa: bool = False
    prior_amr: tuple[str, ...] = ()  # the factors of the session MFA builds on
    custom_claims: dict[str, Any] = field(default_factory=dict)  # client-supplied: ``nsec``
    management_claims: dict[str, Any] = field(default_factory=dict)  # top level of the JWTs
    revoke_other_sessions: bool = False
    add_to_login_ids: bool = False  # an address update: the address becomes a login ID too
    merge_into_existing: bool = False  # ... and, if another user has it, that user survives


def intent_details_to_stored(details: IntentDetails) -> dict[str, Any]:
    """``details`` as stored JSON."""
    stored: dict[str, Any] = {
        "address": details.address,
        "stepup": details.stepup,
        "mfa": details.mfa,
        "prior_amr": list(details.prior_amr),
        "custom_claims": details.custom_claims,
        "management_claims": details.management_claims,
        "revoke_other_sessions": details.revoke_other_sessions,
        "add_to_login_ids": details.add_to_login_ids,
        "merge_into_existing": details.merge_into_existing,
    }
    if details.profile is not None:
        stored["profile"] = dataclasses.asdict(details.profile)
    return stored


def intent_details_from_stored(stored: dict[str, Any]) -> IntentDetails:
    """The details stored as ``stored``, in the current shape or the legacy camelCase one
    (recognised by its nested ``options``)."""
    if "options" in stored:
        return _legacy_intent_details(stored)
    profile = stored.get("profile")
    return IntentDetails(
        address=str(stored.get("address", "")),
        profile=_profile(profile) if isinstance(profile, dict) else None,
        stepup=bool(stored.get("stepup")),
        mfa=bool(stored.get("mfa")),
        prior_amr=tuple(stored.get("prior_amr") or ()),
        custom_claims=stored.get("custom_claims") or {},
        management_claims=stored.get("management_claims") or {},
        revoke_other_sessions=bool(stored.get("revoke_other_sessions")),
        add_to_login_ids=bool(stored.get("add_to_login_ids")),
        merge_into_existing=bool(stored.get("merge_into_existing")),
    )


def _legacy_intent_details(stored: dict[str, Any]) -> IntentDetails:
    options = stored.get("options") or {}
    profile = stored.get("profile")
    return IntentDetails(
        address=str(stored.get("address", "")),
        profile=_profile(profile) if isinstance(profile, dict) else None,
        stepup=bool(options.get("stepup")),
        mfa=bool(options.get("mfa")),
        prior_amr=tuple(options.get("priorAmr") or ()),
        custom_claims=options.get("customClaims") or {},
        management_claims=options.get("managementClaims") or {},
        revoke_other_sessions=bool(options.get("revokeOtherSessions")),
        add_to_login_ids=bool(stored.get("addToLoginIds")),
        merge_into_existing=bool(stored.get("mergeIntoExisting")),
    )


def _profile(stored: dict[str, Any]) -> UserProfile:
    fields = {f.name for f in dataclasses.fields(UserProfile)}
    return UserProfile(**{key: value for key, value in stored.items() if key in fields})


@dataclass(frozen=True)
class GrantDetails:
    """What a clicked enchanted link earned, beyond the user and ``amr`` of its session row."""

    first_seen: bool = False
    stepup: bool = False
    nsec: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, grant: Grant) -> GrantDetails:
        return cls(first_seen=grant.first_seen, stepup=grant.stepup, nsec=grant.nsec, claims=grant.claims)

    def grant(self, user: User, amr: list[str]) -> Grant:
        """The grant again, for ``user`` with the session's ``amr``."""
        return Grant(
            user=user, amr=amr, first_seen=self.first_seen, stepup=self.stepup, nsec=self.nsec, claims=self.claims
        )


def grant_details_to_stored(details: GrantDetails) -> dict[str, Any]:
    """``details`` as stored JSON."""
    return {"first_seen": details.first_seen, "stepup": details.stepup, "nsec": details.nsec, "claims": details.claims}


def grant_details_from_stored(stored: dict[str, Any]) -> GrantDetails:
    """The details stored as ``stored``, in the current shape or the legacy one (``firstSeen``)."""
    first_seen = stored["first_seen"] if "first_seen" in stored else stored.get("firstSeen")
    return GrantDetails(
        first_seen=bool(first_seen),
        stepup=bool(stored.get("stepup")),
        nsec=stored.get("nsec") or {},
        claims=stored.get("claims") or {},
    )
