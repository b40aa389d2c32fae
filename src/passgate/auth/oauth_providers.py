"""Talking to social login providers: their endpoints (OpenID Connect discovery, cached),
the code exchange, and who the user is — from a verified ID token for an OIDC issuer, from
the provider's API for GitHub and Discord.

An ID token is accepted only when its ``alg`` is on passgate's allow-list of asymmetric
algorithms (and among those the issuer announces), its signature verifies with a key of the
issuer's JWKS (fetched again once when an unknown ``kid`` appears: keys rotate), ``iss`` is
exactly the configured issuer (the mix-up defence; Microsoft's multi-tenant endpoints name
the user's tenant, checked against the issuer template), ``aud`` holds the client ID (and
``azp`` is it when ``aud`` names others), it has not expired, and ``nonce`` is the flow's.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from authlib.oauth2.rfc6749.parameters import prepare_token_request
from authlib.oidc.discovery import get_well_known_url

from passgate.errors import OAuthProviderUnavailable, OAuthRefused
from passgate.models.oauth import OAuthProvider, multi_tenant_issuer

# Asymmetric algorithms only: an HS256 ID token would be keyed by the client secret, which
# passgate never lets decide a signature; "none" is never on the list.
ID_TOKEN_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
_LEEWAY_S = 60
_MAX_RESPONSE_BYTES = 1 << 20
_JWKS_REFETCH_S = 60  # an unknown kid fetches the JWKS again at most this often


@dataclass(frozen=True)
class Endpoints:
    """Where a provider is reached, as configured or discovered."""

    authorization: str
    token: str
    userinfo: str = ""
    jwks_uri: str = ""
    algorithms: tuple[str, ...] = ID_TOKEN_ALGORITHMS


@dataclass(frozen=True)
class ProviderUser:
    """What the provider (a social one, or a tenant's IdP) asserts about the user who signed in."""

    subject: str
    email: str = ""
    email_verified: bool = False
    name: str = ""
    given_name: str = ""
    family_name: str = ""
    picture: str = ""
    groups: tuple[str, ...] = ()  # what a tenant's IdP says of the user's groups (SSO role mappings)


@dataclass
class _Cached:
    value: Any
    fetched_at: float


@dataclass
class ProviderClient:
    """Provider endpoints and keys, cached per issuer for ``cache_seconds``; provider calls go
    through ``http``, the serving process's client (its runtime closes it)."""

    http: httpx.AsyncClient
    cache_seconds: float = 3600.0
    _discovered: dict[str, _Cached] = field(default_factory=dict)
    _jwks: dict[str, _Cached] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    # --- endpoints ------------------------------------------------------------------------
    async def endpoints(self, name: str, provider: OAuthProvider) -> Endpoints:
        """The provider's endpoints: for OIDC its discovery document (the configured
        endpoints winning), else the configured ones."""
        if provider.kind != "oidc":
            return Endpoints(provider.authorization_endpoint, provider.token_endpoint, provider.userinfo_endpoint)
        if provider.authorization_endpoint and provider.token_endpoint and provider.jwks_uri:
            # All given (a tenant's SSO configuration names them): no discovery needed.
            return Endpoints(
                provider.authorization_endpoint, provider.token_endpoint, provider.userinfo_endpoint, provider.jwks_uri
            )
        # Microsoft's multi-tenant documents announce the issuer as a template.
        announced_as = (
            provider.issuer.replace(f"/{provider.tenant}/", "/{tenantid}/")
            if multi_tenant_issuer(name, provider)
            else provider.issuer
        )
        metadata = await self._discovery(provider.issuer, announced_as)
        announced = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        return Endpoints(
            authorization=provider.authorization_endpoint or _url(metadata, "authorization_endpoint"),
            token=provider.token_endpoint or _url(metadata, "token_endpoint"),
            userinfo=provider.userinfo_endpoint or str(metadata.get("userinfo_endpoint") or ""),
            jwks_uri=provider.jwks_uri or _url(metadata, "jwks_uri"),
            algorithms=tuple(a for a in ID_TOKEN_ALGORITHMS if a in announced),
        )

    async def _discovery(self, issuer: str, announced_as: str) -> dict[str, Any]:
        cached = self._discovered.get(issuer)
        if cached and time.monotonic() - cached.fetched_at < self.cache_seconds:
            return dict(cached.value)
        metadata = await self._get_json(get_well_known_url(issuer, external=True))
        # The document must be the issuer's own (OIDC Discovery §4.3): else one provider
        # could speak for another.
        if not isinstance(metadata, dict) or metadata.get("issuer") != announced_as:
            raise OAuthProviderUnavailable(f"The discovery document of {issuer} names another issuer")
        self._discovered[issuer] = _Cached(metadata, time.monotonic())
        return metadata

    # --- code exchange --------------------------------------------------------------------
    async def exchange_code(
        self,
        provider: OAuthProvider,
        endpoints: Endpoints,
        client_secret: str,
        *,
        code: str,
        verifier: str,
        redirect_uri: str,
    ) -> dict[str, Any]:
        """The provider's token response for ``code`` (client authenticated with its secret
        in the body, as GitHub, Apple and Discord require and the others allow)."""
        body = prepare_token_request(
            "authorization_code",
            redirect_uri=redirect_uri,
            code=code,
            code_verifier=verifier,
            client_id=provider.client_id,
            client_secret=client_secret,
        )
        headers = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"}
        token = await self._post_json(endpoints.token, body, headers)
        if not isinstance(token, dict) or "error" in token or not token.get("access_token"):
            error = token.get("error", "no access_token") if isinstance(token, dict) else "not a JSON object"
            raise OAuthRefused(f"The provider refused the code: {str(error)[:100]}")
        return token

    # --- the user ---------------------------------------------------------------------------
    async def user_of(
        self, name: str, provider: OAuthProvider, endpoints: Endpoints, token: dict[str, Any], nonce: str
    ) -> ProviderUser:
        """Who signed in: the verified ID token's claims for OIDC, the API's answer otherwise."""
        if provider.kind == "github":
            return await self._github_user(endpoints.userinfo, str(token["access_token"]))
        if provider.kind == "discord":
            return await self._discord_user(endpoints.userinfo, str(token["access_token"]))
        claims = await self.verified_id_token(name, provider, endpoints, id_token_of(token), nonce)
        return ProviderUser(
            subject=str(claims["sub"]),
            email=str(claims.get("email") or ""),
            email_verified=claims.get("email_verified") in (True, "true"),  # Apple sends "true"
            name=str(claims.get("name") or ""),
            given_name=str(claims.get("given_name") or ""),
            family_name=str(claims.get("family_name") or ""),
            picture=str(claims.get("picture") or ""),
        )

    async def verified_id_token(
        self, name: str, provider: OAuthProvider, endpoints: Endpoints, id_token: str, nonce: str
    ) -> dict[str, Any]:
        """The claims of ``id_token`` once every check of the module docstring passed;
        ``OAuthRefused`` naming the first that failed."""
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError as exc:
            raise OAuthRefused("The ID token is malformed") from exc
        algorithm = header.get("alg")
        if algorithm not in endpoints.algorithms:
            raise OAuthRefused(f"The ID token's algorithm {str(algorithm)[:20]!r} is not accepted")
        key = await self._signing_key(endpoints.jwks_uri, header.get("kid"), algorithm)
        multi = multi_tenant_issuer(name, provider)
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key=key,
                algorithms=[algorithm],
                audience=provider.client_id,
                issuer=None if multi else provider.issuer,
                leeway=_LEEWAY_S,
                options={"require": ["iss", "sub", "aud", "exp", "iat"], "verify_iss": not multi},
            )
        except jwt.PyJWTError as exc:
            raise OAuthRefused(f"The ID token does not verify: {exc}") from exc
        if multi and claims.get("iss") != provider.issuer.replace(provider.tenant or "common", str(claims.get("tid"))):
            raise OAuthRefused("The ID token's issuer is not the user's tenant")
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != provider.client_id:
            raise OAuthRefused("The ID token names other audiences and is not authorized for this client")
        if not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
            raise OAuthRefused("The ID token's nonce is not this sign-in's")
        return claims

    async def _signing_key(self, jwks_uri: str, kid: Any, algorithm: str) -> Any:
        for refetch in (False, True):
            keys = await self._keys(jwks_uri, refetch=refetch)
            matching = [k for k in keys if (kid is None or k.kid == kid) and k.verifies(algorithm)]
            if matching:
                return matching[0].key
        raise OAuthRefused("No key of the issuer's JWKS verifies the ID token")

    async def _keys(self, jwks_uri: str, *, refetch: bool) -> list[_Key]:
        async with self._lock:
            cached = self._jwks.get(jwks_uri)
            age = time.monotonic() - cached.fetched_at if cached else float("inf")
            if cached and (age < _JWKS_REFETCH_S or (not refetch and age < self.cache_seconds)):
                return list(cached.value)
            keys = _keys_of(await self._get_json(jwks_uri))
            if not keys:
                raise OAuthProviderUnavailable("The issuer's JWKS holds no usable key")
            self._jwks[jwks_uri] = _Cached(keys, time.monotonic())
            return list(keys)

    async def _github_user(self, api: str, access_token: str) -> ProviderUser:
        headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/vnd.github+json"}
        user = await self._get_json(f"{api.rstrip('/')}/user", headers)
        emails = await self._get_json(f"{api.rstrip('/')}/user/emails", headers)
        if not isinstance(user, dict) or "id" not in user:
            raise OAuthProviderUnavailable("GitHub's /user answer has no id")
        listed = [e for e in emails if isinstance(e, dict)] if isinstance(emails, list) else []
        primary = next((e for e in listed if e.get("primary")), None) or next(iter(listed), {})
        return ProviderUser(
            subject=str(user["id"]),
            email=str(primary.get("email") or ""),
            email_verified=primary.get("verified") is True,
            name=str(user.get("name") or user.get("login") or ""),
            picture=str(user.get("avatar_url") or ""),
        )

    async def _discord_user(self, api: str, access_token: str) -> ProviderUser:
        user = await self._get_json(f"{api.rstrip('/')}/users/@me", {"Authorization": f"Bearer {access_token}"})
        if not isinstance(user, dict) or "id" not in user:
            raise OAuthProviderUnavailable("Discord's /users/@me answer has no id")
        avatar = user.get("avatar")
        return ProviderUser(
            subject=str(user["id"]),
            email=str(user.get("email") or ""),
            email_verified=user.get("verified") is True,
            name=str(user.get("global_name") or user.get("username") or ""),
            picture=f"https://cdn.discordapp.com/avatars/{user['id']}/{avatar}.png" if avatar else "",
        )

    # --- HTTP -------------------------------------------------------------------------------
    async def _get_json(self, url: str, headers: dict[str, str] | None = None) -> Any:
        return await self._json(self.http.build_request("GET", url, headers=headers))

    async def _post_json(self, url: str, body: str, headers: dict[str, str]) -> Any:
        return await self._json(self.http.build_request("POST", url, content=body, headers=headers))

    async def _json(self, request: httpx.Request) -> Any:
        try:
            response = await self.http.send(request)
        except httpx.HTTPError as exc:
            raise OAuthProviderUnavailable(f"{request.url.host} did not answer: {type(exc).__name__}") from exc
        if len(response.content) > _MAX_RESPONSE_BYTES:
            raise OAuthProviderUnavailable(f"{request.url.host} answered more than 1 MiB")
        try:
            parsed = json.loads(response.content)
        except ValueError as exc:
            raise OAuthProviderUnavailable(f"{request.url.host} answered {response.status_code}, not JSON") from exc
        if response.status_code >= 500:
            raise OAuthProviderUnavailable(f"{request.url.host} answered {response.status_code}")
        return parsed


def id_token_of(token: dict[str, Any]) -> str:
    """The ID token of a token response; ``OAuthRefused`` when it has none."""
    id_token = token.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise OAuthRefused("The provider answered without an ID token")
    return id_token


def _url(metadata: dict[str, Any], name: str) -> str:
    value = metadata.get(name)
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise OAuthProviderUnavailable(f"The discovery document has no {name}")
    return value


_KEY_TYPES = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}


@dataclass(frozen=True)
class _Key:
    """A key of an issuer's JWKS with what it says about its use."""

    kid: str | None
    kty: str
    alg: str | None
    use: str | None
    key: Any

    def verifies(self, algorithm: str) -> bool:
        return self.alg in (None, algorithm) and self.use in (None, "sig") and _KEY_TYPES.get(algorithm[:2]) == self.kty


def _keys_of(document: Any) -> list[_Key]:
    """The keys of a JWKS document that PyJWT can use (others, e.g. encryption keys of
    an unknown type, are skipped)."""
    entries = document.get("keys") if isinstance(document, dict) else None
    keys = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        try:
            parsed = jwt.PyJWK(entry)
        except (jwt.PyJWTError, ValueError, TypeError):
            continue
        keys.append(_Key(entry.get("kid"), str(entry.get("kty")), entry.get("alg"), entry.get("use"), parsed.key))
    return keys
