"""A man in the middle of an issuer's token endpoint, on loopback: it forwards passgate's
code exchange to the real issuer and changes the ID token of the answer, so each check
passgate makes of an ID token can be seen to refuse. The issuer signs with a key the test
made (``signing_key``), so a changed token can be signed again and fail *only* the check
under test (its issuer, audience, nonce, expiry), or be left unsigned or signed with the
client secret.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.oauth.issuers import CLIENT_SECRET
from tests.oauth.loopback import Answering, serving

KID = "passgate-test-signing-key"


@dataclass(frozen=True)
class SigningKey:
    private: rsa.RSAPrivateKey

    def jwks(self) -> dict[str, Any]:
        """The JWKS (private parts included) the issuer is started with."""
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private))
        return {"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "RS256"}]}

    def signed(self, claims: dict[str, Any], **headers: Any) -> str:
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": KID, **headers})


def signing_key() -> SigningKey:
    return SigningKey(rsa.generate_private_key(public_exponent=65537, key_size=2048))


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def _unsigned(token: str, _key: SigningKey) -> str:
    header = jwt.utils.base64url_encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).decode()
    return f"{header}.{token.split('.')[1]}."


def _bad_signature(token: str, _key: SigningKey) -> str:
    head, body, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return f"{head}.{body}.{flipped}"


def _hs256(token: str, _key: SigningKey) -> str:
    return jwt.encode(_claims(token), CLIENT_SECRET, algorithm="HS256", headers={"kid": KID})


def _changed(**changes: Any) -> Callable[[str, SigningKey], str]:
    def tamper(token: str, key: SigningKey) -> str:
        claims = {**_claims(token), **changes}
        return key.signed({name: value for name, value in claims.items() if value is not None})

    return tamper


def _expired(token: str, key: SigningKey) -> str:
    issued = int(_claims(token)["iat"])  # the issuer's clock: an hour before it, over an hour ago
    return key.signed({**_claims(token), "iat": issued - 7200, "exp": issued - 3600})


# How each mode changes the ID token (the path's first segment names the mode).
TAMPERING: dict[str, Callable[[str, SigningKey], str]] = {
    "unsigned": _unsigned,
    "bad-signature": _bad_signature,
    "hs256": _hs256,
    "wrong-issuer": _changed(iss="http://127.0.0.1:1/another-issuer"),
    "wrong-audience": _changed(aud="someone-else"),
    "wrong-nonce": _changed(nonce="not-the-flows-nonce"),
    "no-nonce": _changed(nonce=None),
    "expired": _expired,
    "untouched": lambda token, _key: token,
}


@contextmanager
def tampering_proxy(token_endpoint: str, key: SigningKey) -> Iterator[str]:
    """Serve ``http://127.0.0.1:<port>/<mode>/token``; yields the base URL."""

    class Handler(Answering):
        def do_POST(self) -> None:
            mode = self.path.strip("/").split("/")[0]
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            upstream = httpx.post(
                token_endpoint,
                content=body,
                headers={"Content-Type": self.headers["Content-Type"], "Accept": "application/json"},
                timeout=30,
            )
            answer = upstream.json()
            if "id_token" in answer:
                answer["id_token"] = TAMPERING[mode](answer["id_token"], key)
            self.send_json(upstream.status_code, answer)

    with serving(Handler) as base_url:
        yield base_url
