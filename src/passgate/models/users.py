"""Users as stored, what a caller supplies to create one, and what a search asks for."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

from passgate.models.authz import Authorization


class UserStatus(StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"
    INVITED = "invited"


@dataclass(frozen=True)
class User:
    """A user as stored; ``login_ids`` are in order, the primary first."""

    id: str
    project_id: str
    login_ids: tuple[str, ...]
    status: UserStatus
    created_at: float
    modified_at: float
    name: str = ""
    given_name: str = ""
    middle_name: str = ""
    family_name: str = ""
    email: str = ""
    verified_email: bool = False
    phone: str = ""
    verified_phone: bool = False
    test: bool = False
    picture: str = ""
    custom_attributes: dict[str, Any] = field(default_factory=dict)
    authz: Authorization = field(default_factory=Authorization)
    # Whether the user has a passkey, an authenticator app, a password: kept by the flows that add and
    # remove them (``auth/factors.py``), never by a profile update.
    webauthn: bool = False
    totp: bool = False
    password: bool = False
    # The social login providers it has signed in with (``auth/oauth_accounts.py``).
    oauth: tuple[str, ...] = ()
    saml: bool = False  # has signed in through a tenant's SSO (the User object's ``SAML``)


@dataclass(frozen=True)
class UserProfile:
    """The fields a caller may supply when a user is created."""

    name: str = ""
    given_name: str = ""
    middle_name: str = ""
    family_name: str = ""
    email: str = ""
    phone: str = ""
    picture: str = ""
    verified_email: bool = False
    verified_phone: bool = False
    custom_attributes: dict[str, Any] = field(default_factory=dict)


class SortField(StrEnum):
    """What a user search may be ordered by (the web layer maps Descope's field names here)."""

    USER_ID = "user_id"
    LOGIN_ID = "login_id"
    NAME = "name"
    GIVEN_NAME = "given_name"
    MIDDLE_NAME = "middle_name"
    FAMILY_NAME = "family_name"
    EMAIL = "email"
    PHONE = "phone"
    STATUS = "status"
    TEST = "test"
    CREATED = "created"
    MODIFIED = "modified"


class TestUsers(Enum):
    """Whether test users are left out (Descope's default), included, or the only ones."""

    __test__ = False  # not a pytest test class, though its name says "Test" (a dunder: no member)

    EXCLUDE = "exclude"
    INCLUDE = "include"
    ONLY = "only"


@dataclass(frozen=True)
class UserQuery:
    """What to find. Empty lists and ``None`` do not filter; given filters all apply (AND),
    each list matching any of its values (OR). Times are unix milliseconds, inclusive."""

    tenant_ids: tuple[str, ...] = ()
    role_names: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    login_ids: tuple[str, ...] = ()
    user_ids: tuple[str, ...] = ()
    text: str = ""
    custom_attributes: dict[str, Any] = field(default_factory=dict)
    created_from_ms: int | None = None
    created_to_ms: int | None = None
    modified_from_ms: int | None = None
    modified_to_ms: int | None = None
    test_users: TestUsers = TestUsers.EXCLUDE
    sort: tuple[tuple[SortField, bool], ...] = ()  # (field, descending), most significant first
    limit: int = 100
    page: int = 0
