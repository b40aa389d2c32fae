"""SAML 2.0 service provider for tenants' SSO, SP-initiated, with python3-saml (OneLogin's
toolkit, xmlsec for the signatures).

* **Start**: an AuthnRequest (HTTP-Redirect binding) to the tenant's IdP, its ID kept with a
  new flow (``auth/oauth.py``'s flows: the RelayState is the flow's state, single use,
  bound to the browser like a social login).
* **ACS** (``<base>/v1/oauth/callback/saml/<project>/<tenant>``, HTTP-POST binding): the
  response is accepted only when python3-saml, in strict mode, finds the **assertion signed**
  by the IdP's certificate (deprecated algorithms refused), the audience this SP's entity ID,
  the recipient and destination this ACS, the assertion unexpired (``NotOnOrAfter``) and
  ``InResponseTo`` the flow's AuthnRequest. Its ID then goes into the replay cache (until it
  expires) before the flow is claimed, so an assertion posted twice is refused as a replay.
* The user and roles follow as for OIDC SSO (``auth/sso_accounts.py``): attributes mapped by
  the configuration's ``attributeMapping`` (the NameID when no email attribute is named).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from passgate.auth import oauth, sso_accounts
from passgate.auth.context import AuthContext, Caller
from passgate.auth.oauth_providers import ProviderUser
from passgate.errors import InvalidArgument, OAuthRefused
from passgate.models.projects import Project
from passgate.models.sso import SSOConfiguration
from passgate.storage import saml_assertions_store, sso_store

ACS_PREFIX = "/v1/oauth/callback/saml"  # under the binding cookie's path
METADATA_PREFIX = "/v1/auth/saml/metadata"
_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
_UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"


@dataclass(frozen=True)
class ServiceProvider:
    """passgate as the SP of one tenant: its entity ID (where its metadata is served) and ACS."""

    entity_id: str
    acs_url: str


def service_provider(base: str, project_id: str, configuration: SSOConfiguration) -> ServiceProvider:
    """The SP the tenant's IdP knows: the configuration's own entity ID and ACS when it names
    them, else passgate's under ``base`` (``public_url``, or the URL the request reached)."""
    tenant = configuration.tenant_id
    return ServiceProvider(
        entity_id=configuration.saml.sp_entity_id or f"{base}{METADATA_PREFIX}/{project_id}/{tenant}",
        acs_url=configuration.saml.sp_acs_url or f"{base}{ACS_PREFIX}/{project_id}/{tenant}",
    )


def _settings(configuration: SSOConfiguration, sp: ServiceProvider) -> dict[str, Any]:
    saml = configuration.saml
    certificates = [c for c in (saml.idp_certificate, *saml.idp_additional_certificates) if c]
    return {
        "strict": True,
        "debug": False,
        "sp": {
            "entityId": sp.entity_id,
            "assertionConsumerService": {"url": sp.acs_url, "binding": _POST},
            "NameIDFormat": _UNSPECIFIED,
        },
        "idp": {
            "entityId": saml.idp_entity_id,
            "singleSignOnService": {"url": saml.idp_sso_url, "binding": _REDIRECT},
            "x509certMulti": {"signing": certificates},
        },
        "security": {
            "authnRequestsSigned": False,
            "wantAssertionsSigned": True,
            "wantMessagesSigned": False,
            "wantNameId": True,
            "rejectDeprecatedAlgorithm": True,
            "requestedAuthnContext": False,
            "wantAttributeStatement": False,
            "allowRepeatAttributeName": True,
        },
    }


def sp_metadata(configuration: SSOConfiguration, sp: ServiceProvider) -> str:
    """The SP's metadata XML, for the IdP's administrators."""
    metadata = OneLogin_Saml2_Settings(_settings(configuration, sp), sp_validation_only=True).get_sp_metadata()
    return metadata.decode() if isinstance(metadata, bytes) else str(metadata)


def _request_data(acs_url: str, post: dict[str, str] | None = None) -> dict[str, Any]:
    """What python3-saml reads of "the current request": the ACS URL itself (behind a proxy
    the request's own host may differ; the check is that the response was meant for it)."""
    parts = urlsplit(acs_url)
    return {
        "https": "on" if parts.scheme == "https" else "off",
        "http_host": parts.netloc,  # with its port, as python3-saml wants it
        "script_name": parts.path,
        "get_data": {},
        "post_data": post or {},
    }


def _checked(configuration: SSOConfiguration) -> None:
    saml = configuration.saml
    if not (saml.idp_sso_url and saml.idp_entity_id and saml.idp_certificate):
        raise InvalidArgument("The tenant's SAML needs its IdP's SSO URL, entity ID and certificate")


async def start(
    ctx: AuthContext, project: Project, configuration: SSOConfiguration, begin: Any, base: str
) -> oauth.Started:
    """An AuthnRequest to the tenant's IdP: the URL to send the browser to (``begin`` is the
    ``auth/sso.py`` start)."""
    _checked(configuration)
    redirect_url = oauth.approved_redirect(project, begin.redirect_url or configuration.saml_redirect_url or None)
    sp = service_provider(base, project.id, configuration)
    auth = OneLogin_Saml2_Auth(_request_data(sp.acs_url), old_settings=_settings(configuration, sp))
    relay = secrets.token_urlsafe(32)
    url = auth.login(return_to=relay, force_authn=begin.force_authn)
    new = await oauth.store_flow(
        ctx,
        project,
        provider_name=sso_accounts.secret_name(configuration.tenant_id, configuration.sso_id),
        redirect_url=redirect_url,
        callback_url=sp.acs_url,
        options=begin.options,
        refresh_jwt=begin.refresh_jwt,
        from_browser=begin.from_browser,
        details={
            "saml": {
                "tenantId": configuration.tenant_id,
                "ssoId": configuration.sso_id,
                "requestId": auth.get_last_request_id(),
                "entityId": sp.entity_id,  # the audience the response must name
            }
        },
        state=relay,
    )
    return new.started(str(url))


async def acs(
    ctx: AuthContext, project_id: str, tenant_id: str, form: dict[str, str], cookies: dict[str, str], caller: Caller
) -> oauth.Returned:
    """Accept the IdP's POSTed response (module docstring); the redirect to the app.
    ``OAuthRefused`` as JSON when the RelayState names no flow of this tenant."""
    flow = await oauth.find_flow(ctx, form.get("RelayState", ""))
    ref = flow.details.get("saml")
    if not isinstance(ref, dict) or flow.project_id != project_id or ref.get("tenantId") != tenant_id:
        raise OAuthRefused("The RelayState is not a SAML sign-in of this tenant")

    async def complete() -> oauth.SignedIn:
        project = await ctx.projects.get(project_id)
        async with ctx.db.transaction(write=False) as tx:
            configuration = await sso_store.find(tx, project_id, tenant_id, str(ref.get("ssoId", "")))
        if configuration is None or configuration.auth_type != "saml":
            raise OAuthRefused("The tenant's SAML SSO is not configured")
        sp = ServiceProvider(entity_id=str(ref["entityId"]), acs_url=flow.callback_url)
        asserted = await _accepted(ctx, project_id, configuration, sp, form, str(ref["requestId"]))
        async with ctx.db.transaction() as tx:
            user, first_seen = await sso_accounts.sign_in(
                tx, ctx, project, configuration, asserted, tokens="", provider_name=flow.provider
            )
        return oauth.SignedIn(user.id, first_seen, amr=sso_accounts.FED, tenant_id=tenant_id)

    return await oauth.finish(ctx, flow, cookies, caller, complete, claimed=False)


async def _accepted(
    ctx: AuthContext,
    project_id: str,
    configuration: SSOConfiguration,
    sp: ServiceProvider,
    form: dict[str, str],
    request_id: str,
) -> ProviderUser:
    """The user the response asserts, once every check passed and its assertion is in the
    replay cache; ``OAuthRefused`` naming the first check that failed."""
    if "SAMLResponse" not in form:
        raise OAuthRefused("The IdP's return carries no SAMLResponse")
    auth = OneLogin_Saml2_Auth(_request_data(sp.acs_url, form), old_settings=_settings(configuration, sp))
    try:
        auth.process_response(request_id=request_id)
    except Exception as exc:
        raise OAuthRefused(f"The SAML response is malformed: {str(exc)[:120]}") from exc
    if auth.get_errors() or not auth.is_authenticated():
        raise OAuthRefused(f"The SAML response does not verify: {str(auth.get_last_error_reason())[:160]}")
    assertion_id = str(auth.get_last_assertion_id() or "")
    expires = auth.get_last_assertion_not_on_or_after()
    expires_ms = int(expires) * 1000 if expires else ctx.now_ms() + oauth.FLOW_SECONDS * 1000
    async with ctx.db.transaction() as tx:
        if not assertion_id or not await saml_assertions_store.remember(
            tx, project_id, assertion_id[:255], expires_ms, ctx.now_ms()
        ):
            raise OAuthRefused("The SAML assertion was already used (a replay)")
    return _asserted(configuration, auth)


def _asserted(configuration: SSOConfiguration, auth: OneLogin_Saml2_Auth) -> ProviderUser:
    mapping = configuration.saml.attribute_mapping
    # A mapping may name an attribute by its Name or its FriendlyName (``urn:oid:…`` / ``mail``).
    attributes: dict[str, list[Any]] = {**(auth.get_friendlyname_attributes() or {}), **(auth.get_attributes() or {})}

    def first(name: str) -> str:
        values = attributes.get(name) if name else None
        return str(values[0])[:400] if values else ""

    name_id = str(auth.get_nameid() or "")
    email = first(mapping.email) or (name_id if "@" in name_id else "")
    groups = attributes.get(mapping.group, []) if mapping.group else []
    return ProviderUser(
        subject=name_id[:255],
        email=email,
        email_verified=False,  # SAML has no such claim: the tenant's domains decide
        name=first(mapping.name),
        given_name=first(mapping.given_name),
        family_name=first(mapping.family_name),
        picture=first(mapping.picture),
        groups=tuple(str(g) for g in groups),
    )
