"""Email addresses and phone numbers: validation, normalisation and masking.

Email syntax is checked by ``email-validator`` (no DNS); phones by ``phonenumbers`` and
stored in E.164. Login IDs that are emails are lower-cased, so ``A@x.io`` and ``a@x.io``
are one user. Every value is first brought to Unicode NFKC, so look-alike spellings of one
address (full-width ``＋１４１５…`` or ``ａ＠example.com``) are one login ID too, and the URI
forms ``tel:+1415…`` and ``mailto:a@x.io`` are their plain address; email-validator gives
an internationalised domain one spelling (``xn--bcher-kva.de`` and ``BÜCHER.de`` are
``bücher.de``).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from passgate.errors import InvalidArgument


@functools.lru_cache(maxsize=8192)
def normalize_email(address: str) -> str:
    """The canonical, lower-cased form of ``address``; ``InvalidArgument`` if malformed.

    Cached: email-validator costs ~6 % of an OTP verify, and the same addresses recur
    (start, then verify, then refreshes). Failures are not cached; they raise each time.
    """
    try:
        result = validate_email(_canonical(address), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidArgument(f"Invalid email address: {exc}") from exc
    return result.normalized.lower()


@functools.lru_cache(maxsize=8192)
def normalize_phone(number: str) -> str:
    """``number`` in E.164 (``+12125551234``); ``InvalidArgument`` if not a valid number.

    Numbers must be international (leading ``+`` and country code): the server has no
    region to guess from.
    """
    try:
        parsed = phonenumbers.parse(_canonical(number), None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidArgument("Invalid phone number: use international format, e.g. +14155550100") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidArgument("Invalid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


_URI_SCHEMES = ("tel:", "mailto:")


def _canonical(value: str) -> str:
    """``value`` in NFKC, trimmed, without a ``tel:``/``mailto:`` scheme (RFC 3966, RFC 6068)."""
    text = unicodedata.normalize("NFKC", value).strip()
    for scheme in _URI_SCHEMES:
        if text[: len(scheme)].lower() == scheme:
            return text[len(scheme) :].strip()
    return text


def looks_like_email(login_id: str) -> bool:
    """Whether ``login_id`` is meant as an email (contains ``@``)."""
    return "@" in login_id


def looks_like_phone(login_id: str) -> bool:
    """Whether ``login_id`` is meant as a phone number (starts with ``+``)."""
    return login_id.startswith("+")


def normalize_login_id(login_id: str) -> str:
    """Canonical login ID: emails lower-cased, phones E.164, anything else in NFKC and trimmed."""
    stripped = _canonical(login_id)
    if looks_like_email(stripped):
        return normalize_email(stripped)
    if looks_like_phone(stripped):
        return normalize_phone(stripped)
    return stripped


def leniently(normalize: Callable[[str], str], value: str) -> str:
    """``normalize(value)``, or ``value`` as given when it is not valid at all: for values
    that only look things up (a search filter, a spelling already stored), where a malformed
    one should simply match nothing rather than fail."""
    try:
        return normalize(value)
    except InvalidArgument:
        return value


def mask_email(address: str) -> str:
    """``d***@example.com``: first character of the local part, the domain kept."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_phone(number: str) -> str:
    """``+*******1234``: only the last four digits kept."""
    return "+" + "*" * max(len(number) - 5, 0) + number[-4:]
