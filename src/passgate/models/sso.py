"""A tenant's enterprise SSO configuration: an OpenID Connect or SAML identity provider the
tenant's users sign in through, how its attributes and groups map onto passgate's users and
roles, and where users land afterwards.

One configuration per tenant and ``sso_id`` ("" is the tenant's default). Stored as JSON
(``storage/sso_store.py``); the OIDC client secret is sealed as the social providers' are.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

AuthType = Literal["none", "saml", "oidc"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class OIDCAttributeMapping(_Model):
    """Which ID-token (or user-info) claim holds each user field."""

    login_id: str = "sub"
    name: str = "name"
    given_name: str = "given_name"
    middle_name: str = "middle_name"
    family_name: str = "family_name"
    email: str = "email"
    verified_email: str = "email_verified"
    username: str = ""
    phone_number: str = "phone_number"
    verified_phone: str = "phone_number_verified"
    picture: str = "picture"
    group: str = "groups"  # the claim listing the user's groups (role mappings)


class SAMLAttributeMapping(_Model):
    """Which assertion attribute holds each user field ("" : none; the email falls back to
    the subject's NameID)."""

    name: str = ""
    email: str = ""
    phone_number: str = ""
    group: str = ""
    given_name: str = ""
    middle_name: str = ""
    family_name: str = ""
    picture: str = ""
    custom_attributes: dict[str, str] = Field(default_factory=dict)


class RoleMapping(_Model):
    """Users in any of ``groups`` get the tenant role ``role_name``."""

    groups: tuple[str, ...] = ()
    role_name: str = ""


class OIDCSettings(_Model):
    name: str = ""
    client_id: str = ""
    client_secret: str = ""  # sealed at rest (auth/oauth_secrets.py)
    redirect_url: str = ""
    auth_url: str = ""
    token_url: str = ""
    user_data_url: str = ""
    scope: tuple[str, ...] = ()
    jwks_url: str = ""
    attribute_mapping: OIDCAttributeMapping = Field(default_factory=OIDCAttributeMapping)
    manage_provider_tokens: bool = False
    callback_domain: str = ""
    prompt: tuple[str, ...] = ()
    grant_type: str = "authorization_code"
    issuer: str = ""
    use_pkce: bool = True


class SAMLSettings(_Model):
    idp_entity_id: str = ""
    idp_sso_url: str = ""
    idp_certificate: str = ""
    idp_additional_certificates: tuple[str, ...] = ()
    idp_metadata_url: str = ""
    sp_entity_id: str = ""  # "" : passgate's default for the tenant
    sp_acs_url: str = ""
    attribute_mapping: SAMLAttributeMapping = Field(default_factory=SAMLAttributeMapping)
    disable_sign_request: bool = False


class SSOConfiguration(_Model):
    """Everything a tenant's SSO is made of (one ``sso_id`` of it)."""

    tenant_id: str
    sso_id: str = ""
    display_name: str = ""
    auth_type: AuthType = "none"
    oidc: OIDCSettings = Field(default_factory=OIDCSettings)
    saml: SAMLSettings = Field(default_factory=SAMLSettings)
    role_mappings: tuple[RoleMapping, ...] = ()
    default_roles: tuple[str, ...] = ()
    groups_priority: tuple[str, ...] = ()
    saml_redirect_url: str = ""
    oauth_redirect_url: str = ""
    last_success_ms: int = 0

    def roles_for(self, groups: list[str]) -> tuple[str, ...]:
        """The tenant roles a user in ``groups`` gets: those mapped from its groups, and the
        default roles."""
        mapped = [m.role_name for m in self.role_mappings if m.role_name and set(m.groups) & set(groups)]
        return tuple(dict.fromkeys([*mapped, *self.default_roles]))
