"""The provider settings a project writes and what passgate makes of them: presets filled
in, Microsoft's tenant in its issuer, Apple's client secret made from the team key, and
secrets sealed so that only this server (for this project and provider) opens them."""

from __future__ import annotations

import secrets

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from passgate.auth import oauth_secrets
from passgate.crypto.sealing import Secrets
from passgate.errors import InvalidArgument
from passgate.models.oauth import OAuthProvider, effective, multi_tenant_issuer
from passgate.models.projects import ProjectSettings

SECRETS = Secrets(secrets.token_bytes(32))
NOW = 1_800_000_000.0


def pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_a_preset_needs_only_client_id_and_secret() -> None:
    google = effective("google", OAuthProvider(client_id="id", client_secret="s"))
    assert (google.kind, google.issuer, google.scopes) == (
        "oidc",
        "https://accounts.google.com",
        ("openid", "email", "profile"),
    )
    github = effective("github", OAuthProvider(client_id="id"))
    assert github.kind == "github"
    assert github.token_endpoint == "https://github.com/login/oauth/access_token"


def test_microsofts_tenant_goes_into_its_issuer() -> None:
    common = effective("microsoft", OAuthProvider(client_id="id"))
    assert common.issuer == "https://login.microsoftonline.com/common/v2.0"
    assert multi_tenant_issuer("microsoft", common)
    single = effective("microsoft", OAuthProvider(client_id="id", tenant="0b9f0a66-1111-2222-3333-444455556666"))
    assert single.issuer == "https://login.microsoftonline.com/0b9f0a66-1111-2222-3333-444455556666/v2.0"
    assert not multi_tenant_issuer("microsoft", single)


def test_a_custom_provider_without_an_issuer_is_refused_as_a_setting() -> None:
    with pytest.raises(ValueError, match="needs an issuer"):
        ProjectSettings.model_validate({"oauth_providers": {"okta": {"client_id": "id"}}})
    with pytest.raises(ValueError, match="no provider name"):
        ProjectSettings.model_validate({"oauth_providers": {"Bad Name": {"issuer": "https://x"}}})


def test_apples_client_secret_is_an_es256_jwt_made_from_the_team_key() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    configured = OAuthProvider(
        client_id="com.example.web", team_id="ABCDE12345", key_id="XYZ987ABCD", private_key=pem(key)
    )
    sealed = oauth_secrets.sealed_settings(SECRETS, "P1", ProjectSettings(oauth_providers={"apple": configured}))
    stored = sealed.oauth_providers["apple"]
    assert stored.private_key.startswith("sealed:v1:")
    assert "PRIVATE KEY" not in stored.private_key
    made = oauth_secrets.client_secret(SECRETS, "P1", "apple", effective("apple", stored), NOW)
    assert jwt.get_unverified_header(made)["kid"] == "XYZ987ABCD"
    claims = jwt.decode(made, key.public_key(), algorithms=["ES256"], audience="https://appleid.apple.com",
                        options={"verify_exp": False, "verify_iat": False})  # fmt: skip
    assert claims["iss"] == "ABCDE12345"
    assert claims["sub"] == "com.example.web"
    assert claims["exp"] - claims["iat"] == 300


def test_an_apple_key_that_is_not_p256_is_refused() -> None:
    configured = OAuthProvider(
        client_id="c", team_id="T", key_id="K", private_key=pem(rsa.generate_private_key(65537, 2048))
    )
    stored = oauth_secrets.sealed_settings(SECRETS, "P1", ProjectSettings(oauth_providers={"apple": configured}))
    with pytest.raises(InvalidArgument, match="EC P-256"):
        oauth_secrets.client_secret(SECRETS, "P1", "apple", stored.oauth_providers["apple"], NOW)


def test_a_sealed_secret_opens_only_for_its_project_and_provider() -> None:
    stored = oauth_secrets.sealed_settings(
        SECRETS,
        "P1",
        ProjectSettings(oauth_providers={"google": OAuthProvider(client_id="i", client_secret="hunter2")}),
    ).oauth_providers["google"]
    assert oauth_secrets.opened(SECRETS, "P1", "google", "client_secret", stored.client_secret) == "hunter2"
    for project, provider in (("P2", "google"), ("P1", "gitlab")):
        with pytest.raises(InvalidArgument):
            oauth_secrets.opened(SECRETS, project, provider, "client_secret", stored.client_secret)
    assert (
        oauth_secrets.shown(ProjectSettings(oauth_providers={"google": stored})).oauth_providers["google"].client_secret
        == "(sealed)"
    )
