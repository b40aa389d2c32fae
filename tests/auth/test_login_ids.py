"""One address is one login ID, however it is spelled: full-width forms, ``tel:``/``mailto:``
URIs, case and internationalised domains all name the same user and share its limits."""

from __future__ import annotations

import pytest
from descope import AuthException, DeliveryMethod, RateLimitException

from passgate.addresses import normalize_login_id
from tests.support import LiveServer, unique_email

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
