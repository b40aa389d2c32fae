"""Refresh JWTs this process signed skip the public-key check, and nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from passgate.crypto import tokens
from passgate.crypto.issued import IssuedTokens
from passgate.crypto.keys import SigningKey, VerifyingKey, generate_private_key

NOW = 1_800_000_000
PROJECT = "P2issued"


def _key(kid: str = "K2one") -> SigningKey:
    return SigningKey(kid=kid, alg="ES256", private_key=generate_private_key("ES256"))


def _claims(**changes: Any) -> dict[str, Any]:
    base = {"sub": "U2user", "iss": PROJECT, "aud": [PROJECT], "iat": NOW, "exp": NOW + 600, "drn": "DSR"}
    return {**base, **changes}


def _verify(token: str, key: VerifyingKey | None, issued: IssuedTokens, issuer: str = PROJECT) -> dict[str, Any]:
    return tokens.verify(token, lambda _kid: key, issuer=issuer, now=NOW, issued=issued)


def _public(key: SigningKey) -> VerifyingKey:
    return VerifyingKey(kid=key.kid, alg=key.alg, public_key=key.public_key)


def test_remembered_token_skips_only_the_signature_check() -> None:
    signer, impostor = _key(), _key()  # same kid and algorithm, different key pair
    token = tokens.sign(_claims(), signer)
    issued = IssuedTokens()
    with pytest.raises(tokens.TokenInvalid):
        _verify(token, _public(impostor), issued)  # unknown to this process: signature checked
    issued.remember(token)
    assert _verify(token, _public(impostor), issued)["sub"] == "U2user"


@pytest.mark.parametrize(
    ("claims", "issuer", "known_key", "reason"),
    [
        (_claims(), "P2other", True, "InvalidIssuerError"),
        (_claims(aud=["P2other"]), PROJECT, True, "InvalidAudienceError"),
        (_claims(exp=NOW - 60), PROJECT, True, "token expired"),
        (_claims(iat=NOW + 60), PROJECT, True, "issued in the future"),
        (_claims(), PROJECT, False, "unknown signing key"),
    ],
)
def test_remembered_token_still_gets_every_other_check(
    claims: dict[str, Any], issuer: str, known_key: bool, reason: str
) -> None:
    key = _key()
    token = tokens.sign(claims, key)
    issued = IssuedTokens()
    issued.remember(token)
    with pytest.raises(tokens.TokenInvalid, match=reason):
        _verify(token, _public(key) if known_key else None, issued, issuer=issuer)


def test_a_token_differing_by_one_byte_is_not_remembered() -> None:
    key = _key()
    token = tokens.sign(_claims(), key)
    issued = IssuedTokens()
    issued.remember(token)
    head, body, signature = token.split(".")
    altered = f"{head}.{body}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"
    assert altered not in issued
    with pytest.raises(tokens.TokenInvalid):
        _verify(altered, _public(key), issued)


def test_the_oldest_tokens_are_forgotten_beyond_capacity() -> None:
    issued = IssuedTokens(capacity=3)
    for name in ("a", "b", "c", "d"):
        issued.remember(name)
    assert len(issued) == 3
    assert "a" not in issued
    assert all(name in issued for name in ("b", "c", "d"))
    nothing = IssuedTokens(capacity=0)
    nothing.remember("a")
    assert "a" not in nothing
