"""One address is one login ID, however it is spelled: full-width forms, ``tel:``/``mailto:``
URIs, case and internationalised domains all name the same user and share its limits."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

import pytest
from descope import AuthException, DeliveryMethod, RateLimitException
from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo

from passgate.addresses import normalize_login_id
from passgate.web.routes import ROUTES
from tests.support import LiveServer, error_code, unique_email

PHONE = "+14155550100"


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("tel:+14155550100", PHONE),
        ("TEL: +1 (415) 555-0100", PHONE),
        ("＋１４１５５５５０１００", PHONE),  # full-width digits and plus
        ("ａ＠example.com", "a@example.com"),  # full-width letter and at-sign
        ("mailto:A@Example.com", "a@example.com"),
        ("a@xn--bcher-kva.de", "a@bücher.de"),  # the IDN's ASCII form
        ("a@BÜCHER.de", "a@bücher.de"),
        ("ｊｏｈｎ", "john"),
    ],
)
def test_spellings_of_one_address_are_one_login_id(spelling: str, canonical: str) -> None:
    assert normalize_login_id(spelling) == canonical


@pytest.mark.parametrize("spelling", ["tel:+14155550100", "＋１４１５５５５０１００"])
def test_another_spelling_does_not_bypass_the_login_id_send_limit(strict: LiveServer, spelling: str) -> None:
    client = strict.client()
    client.otp.sign_up_or_in(DeliveryMethod.SMS, PHONE)
    with pytest.raises(RateLimitException):
        client.otp.sign_up_or_in(DeliveryMethod.SMS, spelling)


def test_management_finds_the_user_by_any_spelling(strict: LiveServer) -> None:
    users = strict.client(management=True).mgmt.user
    local = unique_email("spell").split("@")[0]
    created = users.create(f"mailto:{local.upper()}@Example.com")["user"]
    assert created["loginIds"] == [f"{local}@example.com"]
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in f"{local}@example.com")
    assert users.load(full_width)["user"]["userId"] == created["userId"]
    with pytest.raises(AuthException):  # and it is one user: creating it again is refused
        users.create(f"{local}@EXAMPLE.com")


# Fields that only filter a search are matched leniently by their flow, not canonicalised.
_FILTERS = {"UserSearchRequest", "AuditSearchRequest"}
# Models whose "loginId" names something else: the IdP claim an SSO login ID is read from.
_NOT_LOGIN_IDS = {"OIDCAttributeMappingIn"}


def _login_id_fields(model: type[BaseModel], seen: set[type[BaseModel]]) -> Iterator[tuple[str, FieldInfo]]:
    """``(Model.field, info)`` for every login-ID field of ``model`` and the models it nests."""
    if model in seen or model.__name__ in _FILTERS | _NOT_LOGIN_IDS:
        return
    seen.add(model)
    for name, info in model.model_fields.items():
        if ("loginid" in name.lower() or "identifiers" in name.lower()) and info.annotation != bool | None:
            yield f"{model.__name__}.{name}", info
        for nested in _models_in(info.annotation):
            yield from _login_id_fields(nested, seen)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _models_in(argument)


def _every_request_login_id_field() -> list[tuple[str, FieldInfo]]:
    seen: set[type[BaseModel]] = set()
    found = dict(
        field for route in ROUTES for model in _models_in(route.request) for field in _login_id_fields(model, seen)
    )
    return sorted(found.items())


REQUEST_LOGIN_ID_FIELDS = _every_request_login_id_field()


def test_the_route_table_has_login_id_fields_in_auth_and_management_requests() -> None:
    names = {name for name, _ in REQUEST_LOGIN_ID_FIELDS}
    # the sweep below must see both halves of the API, or it proves nothing
    assert {"OTPSignUpRequest.loginId", "CreateUserRequest.additionalLoginIds", "UserLookup.loginId"} <= names
    assert {"LoginIdUpdateRequest.newLoginId", "CreateUserRequest.additionalIdentifiers"} <= names


@pytest.mark.parametrize(("field", "info"), REQUEST_LOGIN_ID_FIELDS, ids=[name for name, _ in REQUEST_LOGIN_ID_FIELDS])
def test_every_route_canonicalises_its_login_ids_at_the_edge(field: str, info: FieldInfo) -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(info.rebuild_annotation())
    is_list = "list" in str(info.annotation)
    given = ["tel:+14155550100", "ａ＠Example.com"] if is_list else "＋１４１５５５５０１００"
    expected = [PHONE, "a@example.com"] if is_list else PHONE
    assert adapter.validate_python(given) == expected


def test_a_malformed_login_id_is_refused_at_the_edge_as_an_invalid_argument(strict: LiveServer) -> None:
    users = strict.client(management=True).mgmt.user
    with pytest.raises(AuthException) as refused:
        users.load("tel:+1415")
    assert refused.value.status_code == 400
    assert error_code(refused.value) == "E011004"
