"""The route table: every Descope path passgate serves, read top to bottom.

Each row: method, path, endpoint, request type (the body; for GET, the query), response
type, who may call it, the audit action (a stable name written out: the audit trail
stores it and ``/openapi.json`` uses it as the operation ID, so renaming a function
changes neither), and the rate limits that apply (``route.Limit``: IP, SESSION and KEY are
counted at the edge, SENDS and VERIFIES by the flow; SESSION is the per-IP window of the
routes a browser keeps its session with, whose 4xx would sign it out). ``route.answer`` serves each row; a row whose
endpoint's annotations disagree with it fails when the app is built.

A new route goes in its section here, its endpoint in the ``web/`` module of its area and
its wire shapes in ``web/schemas/`` (see docs/architecture.md).
"""

from __future__ import annotations

import dataclasses

from starlette.routing import Route as StarletteRoute

from passgate.models.projects import ProjectSettings
from passgate.web import (
    auth_access_keys,
    auth_links,
    auth_oauth,
    auth_otp,
    auth_passwords,
    auth_session,
    auth_sso,
    auth_tenants,
    auth_totp,
    auth_webauthn,
    health,
    mgmt_access_keys,
    mgmt_audit,
    mgmt_custom_attributes,
    mgmt_jwts,
    mgmt_links,
    mgmt_management_keys,
    mgmt_passwords,
    mgmt_permissions,
    mgmt_project,
    mgmt_provider_tokens,
    mgmt_roles,
    mgmt_sso,
    mgmt_tenants,
    mgmt_user_factors,
    mgmt_users,
)
from passgate.web.route import Access, Limit, PlainText, Route, answer
from passgate.web.schemas.access_keys import (
    AccessKeyCreateRequest,
    AccessKeyIdRequest,
    AccessKeyIdsRequest,
    AccessKeyLookup,
    AccessKeySearchRequest,
    AccessKeysResponse,
    AccessKeyUpdateRequest,
    AccessKeyWithSecret,
    AccessKeyWrapper,
    ExchangeRequest,
    ExchangeResponse,
)
from passgate.web.schemas.audit import AuditEventRequest, AuditSearchRequest, AuditSearchResponse
from passgate.web.schemas.base import EmptyResponse
from passgate.web.schemas.custom_attributes import (
    CreateAttributesRequest,
    CustomAttributesResponse,
    DeleteAttributesRequest,
)
from passgate.web.schemas.health import HealthResponse
from passgate.web.schemas.jwts import (
    ImpersonateRequest,
    JWTOnlyResponse,
    MgmtSignInRequest,
    MgmtSignUpRequest,
    StopImpersonationRequest,
    TokenOptionsIn,
    UpdateJWTRequest,
)
from passgate.web.schemas.links import (
    EmbeddedSignInRequest,
    EmbeddedSignUpRequest,
    Enchanted,
    EnchantedEmailResponse,
    EnchantedPhoneResponse,
    GenerateEnchantedLinkRequest,
    GenerateEnchantedLinkResponse,
    GenerateMagicLinkRequest,
    GenerateMagicLinkResponse,
    LinkSignInRequest,
    LinkSignUpRequest,
    LinkUpdateEmailRequest,
    LinkUpdatePhoneRequest,
    PendingRefRequest,
    TokenRequest,
    TokenResponse,
)
from passgate.web.schemas.management_keys import (
    DeletedCount,
    ManagementKeyCreateRequest,
    ManagementKeyIdsRequest,
    ManagementKeyLookup,
    ManagementKeysResponse,
    ManagementKeyUpdateRequest,
    ManagementKeyWithSecret,
    ManagementKeyWrapper,
)
from passgate.web.schemas.oauth import (
    OAuthExchangeRequest,
    OAuthStartRequest,
    OAuthStartResponse,
    ProviderTokenQuery,
    ProviderTokenResponse,
)
from passgate.web.schemas.otp import (
    Masked,
    MaskedEmailResponse,
    MaskedPhoneResponse,
    OTPSignInRequest,
    OTPSignUpRequest,
    OTPVerifyRequest,
    UpdateEmailRequest,
    UpdatePhoneRequest,
)
from passgate.web.schemas.passkeys import (
    PasskeyDeleteRequest,
    PasskeyFinishRequest,
    PasskeySignInStartRequest,
    PasskeySignUpStartRequest,
    PasskeysResponse,
    PasskeyStartResponse,
    PasskeyUpdateFinishResponse,
    PasskeyUpdateStartRequest,
)
from passgate.web.schemas.passwords import (
    MgmtPasswordExpireRequest,
    MgmtPasswordSetRequest,
    PasswordPolicyResponse,
    PasswordReplaceRequest,
    PasswordResetRequest,
    PasswordResetResponse,
    PasswordSettings,
    PasswordSettingsQuery,
    PasswordSettingsRequest,
    PasswordSignInRequest,
    PasswordSignUpRequest,
    PasswordUpdateRequest,
)
from passgate.web.schemas.project import SettingsPatch
from passgate.web.schemas.roles import (
    PermissionBatchDeleteRequest,
    PermissionBatchRequest,
    PermissionRequest,
    PermissionsResponse,
    RoleBatchDeleteRequest,
    RoleBatchRequest,
    RoleRequest,
    RoleSearchRequest,
    RolesResponse,
)
from passgate.web.schemas.sessions import (
    HistoryEntry,
    JWKSResponse,
    JWTResponse,
    MyTenantsRequest,
    MyTenantsResponse,
    SelectTenantRequest,
    ValidateResponse,
)
from passgate.web.schemas.sso import (
    AllSSOSettingsResponse,
    AuthTypeRequest,
    LegacyConfigureRequest,
    MappingRequest,
    NewSettingsRequest,
    OIDCConfigureRequest,
    RedirectRequest,
    SAMLConfigureRequest,
    SettingsQuery,
    SSOSettingsResponse,
    SSOTenantRequest,
)
from passgate.web.schemas.tenants import (
    TenantCreatedResponse,
    TenantDeleteRequest,
    TenantLookup,
    TenantRequest,
    TenantResponse,
    TenantSearchRequest,
    TenantSettingsRequest,
    TenantSettingsResponse,
    TenantsResponse,
)
from passgate.web.schemas.totp import TotpEnrolmentResponse, TotpSignUpRequest, TotpUpdateRequest, TotpVerifyRequest
from passgate.web.schemas.user_edits import (
    CustomAttributeUpdateRequest,
    EmailUpdateRequest,
    LoginIdUpdateRequest,
    NameUpdateRequest,
    PhoneUpdateRequest,
    PictureUpdateRequest,
    RolesRequest,
    StatusRequest,
    UserTenantRequest,
)
from passgate.web.schemas.users import (
    BatchCreateRequest,
    BatchCreateResponse,
    CreateUserRequest,
    DeleteUsersRequest,
    GenerateOTPRequest,
    GenerateOTPResponse,
    ImportRequest,
    ImportResponse,
    LicenseResponse,
    LoadUsersRequest,
    MgmtUserRefRequest,
    PatchBatchRequest,
    PatchBatchResponse,
    UserFieldsRequest,
    UserIdList,
    UserLookup,
    UserResponse,
    UserSearchRequest,
    UserSearchResponse,
    UsersResponse,
    UserWrapper,
)

ANYONE, PROJECT, USER, MGMT = Access.ANYONE, Access.PROJECT, Access.USER, Access.MANAGEMENT
IP, SESSION, KEY, SENDS, VERIFIES = Limit.IP, Limit.SESSION_IP, Limit.KEY, Limit.SENDS, Limit.VERIFIES

# fmt: off
_TABLE: dict[str, tuple[Route, ...]] = {
    #      method   path                                            endpoint                                   request                       response                       access   audit action                             limits
    # --- OTP (contract §2.1)
    "otp": (
        Route("POST",   "/v1/auth/otp/signup/{method}",                 auth_otp.sign_up,                          OTPSignUpRequest,             Masked,                        PROJECT, "auth_otp.sign_up",                     (IP, SENDS)),
        Route("POST",   "/v1/auth/otp/signin/{method}",                 auth_otp.sign_in,                          OTPSignInRequest,             Masked,                        PROJECT, "auth_otp.sign_in",                     (IP, SENDS)),
        Route("POST",   "/v1/auth/otp/signup-in/{method}",              auth_otp.sign_up_or_in,                    OTPSignInRequest,             Masked,                        PROJECT, "auth_otp.sign_up_or_in",               (IP, SENDS)),
        Route("POST",   "/v1/auth/otp/verify/{method}",                 auth_otp.verify,                           OTPVerifyRequest,             JWTResponse,                   PROJECT, "auth_otp.verify",                      (IP, VERIFIES)),
        Route("POST",   "/v1/auth/otp/update/email",                    auth_otp.update_email,                     UpdateEmailRequest,           MaskedEmailResponse,           USER,    "auth_otp.update_email",                (IP, SENDS)),
        Route("POST",   "/v1/auth/otp/update/phone/{method}",           auth_otp.update_phone,                     UpdatePhoneRequest,           MaskedPhoneResponse,           USER,    "auth_otp.update_phone",                (IP, SENDS)),
    ),
    # --- magic links (§2.2)
    "magic link": (
        Route("POST",   "/v1/auth/magiclink/signup/{method}",           auth_links.magic_sign_up,                  LinkSignUpRequest,            Masked,                        PROJECT, "auth_links.magic_sign_up",             (IP, SENDS)),
        Route("POST",   "/v1/auth/magiclink/signin/{method}",           auth_links.magic_sign_in,                  LinkSignInRequest,            Masked,                        PROJECT, "auth_links.magic_sign_in",             (IP, SENDS)),
        Route("POST",   "/v1/auth/magiclink/signup-in/{method}",        auth_links.magic_sign_up_or_in,            LinkSignInRequest,            Masked,                        PROJECT, "auth_links.magic_sign_up_or_in",       (IP, SENDS)),
        Route("POST",   "/v1/auth/magiclink/verify",                    auth_links.magic_verify,                   TokenRequest,                 JWTResponse,                   PROJECT, "auth_links.magic_verify",              (IP, VERIFIES)),
        Route("POST",   "/v1/auth/magiclink/update/email",              auth_links.magic_update_email,             LinkUpdateEmailRequest,       MaskedEmailResponse,           USER,    "auth_links.magic_update_email",        (IP, SENDS)),
        Route("POST",   "/v1/auth/magiclink/update/phone",              auth_links.magic_update_phone,             LinkUpdatePhoneRequest,       MaskedPhoneResponse,           USER,    "auth_links.magic_update_phone",        (IP, SENDS)),
        Route("POST",   "/v1/auth/magiclink/update/phone/{method}",     auth_links.magic_update_phone_by,          LinkUpdatePhoneRequest,       MaskedPhoneResponse,           USER,    "auth_links.magic_update_phone_by",     (IP, SENDS)),
    ),
    # --- enchanted links (§2.3)
    "enchanted link": (
        Route("POST",   "/v1/auth/enchantedlink/signup/{method}",       auth_links.enchanted_sign_up,              LinkSignUpRequest,            Enchanted,                     PROJECT, "auth_links.enchanted_sign_up",         (IP, SENDS)),
        Route("POST",   "/v1/auth/enchantedlink/signin/{method}",       auth_links.enchanted_sign_in,              LinkSignInRequest,            Enchanted,                     PROJECT, "auth_links.enchanted_sign_in",         (IP, SENDS)),
        Route("POST",   "/v1/auth/enchantedlink/signup-in/{method}",    auth_links.enchanted_sign_up_or_in,        LinkSignInRequest,            Enchanted,                     PROJECT, "auth_links.enchanted_sign_up_or_in",   (IP, SENDS)),
        Route("POST",   "/v1/auth/enchantedlink/verify",                auth_links.enchanted_verify,               TokenRequest,                 EmptyResponse,                 PROJECT, "auth_links.enchanted_verify",          (IP, VERIFIES)),
        Route("POST",   "/v1/auth/enchantedlink/pending-session",       auth_links.enchanted_pending_session,      PendingRefRequest,            JWTResponse,                   PROJECT, "auth_links.enchanted_pending_session", (IP,)),
        Route("POST",   "/v1/auth/enchantedlink/update/email",          auth_links.enchanted_update_email,         LinkUpdateEmailRequest,       EnchantedEmailResponse,        USER,    "auth_links.enchanted_update_email",    (IP, SENDS)),
        Route("POST",   "/v1/auth/enchantedlink/update/phone/{method}", auth_links.enchanted_update_phone,         LinkUpdatePhoneRequest,       EnchantedPhoneResponse,        USER,    "auth_links.enchanted_update_phone",    (IP, SENDS)),
    ),
    # --- authenticator apps (§2.4; contract part 2 §2)
    "totp": (
        Route("POST",   "/v1/auth/totp/signup",                         auth_totp.sign_up,                         TotpSignUpRequest,            TotpEnrolmentResponse,         PROJECT, "auth_totp.sign_up",                    (IP,)),
        Route("POST",   "/v1/auth/totp/verify",                         auth_totp.verify,                          TotpVerifyRequest,            JWTResponse,                   PROJECT, "auth_totp.verify",                     (IP, VERIFIES)),
        Route("POST",   "/v1/auth/totp/update",                         auth_totp.update,                          TotpUpdateRequest,            TotpEnrolmentResponse,         USER,    "auth_totp.update",                     (IP,)),
    ),
    # --- social login (contract part 2 §3)
    "oauth": (
        Route("POST",   "/v1/auth/oauth/authorize",                     auth_oauth.start,                          OAuthStartRequest | None,     OAuthStartResponse,            PROJECT, "auth_oauth.start",                     (IP,)),
        Route("POST",   "/v1/auth/oauth/authorize/signup",              auth_oauth.start_sign_up,                  OAuthStartRequest | None,     OAuthStartResponse,            PROJECT, "auth_oauth.start_sign_up",             (IP,)),
        Route("POST",   "/v1/auth/oauth/authorize/signin",              auth_oauth.start_sign_in,                  OAuthStartRequest | None,     OAuthStartResponse,            PROJECT, "auth_oauth.start_sign_in",             (IP,)),
        Route("POST",   "/v1/auth/oauth/exchange",                      auth_oauth.exchange,                       OAuthExchangeRequest,         JWTResponse,                   PROJECT, "auth_oauth.exchange",                  (IP,)),
        Route("GET",    "/v1/oauth/callback",                           auth_oauth.callback,                       None,                         PlainText,                     ANYONE,  "oauth.callback",                       ()),
        Route("POST",   "/v1/oauth/callback",                           auth_oauth.callback,                       None,                         PlainText,                     ANYONE,  "oauth.callback_form_post",             ()),
        Route("GET",    "/v1/mgmt/user/provider/token",                 mgmt_provider_tokens.get_provider_token,   ProviderTokenQuery,           ProviderTokenResponse,         MGMT,    "mgmt_users.get_provider_token",        (KEY,)),
    ),
    # --- enterprise SSO (contract part 2 §4; the saml paths are the browser SDK's)
    "sso": (
        Route("POST",   "/v1/auth/sso/authorize",                       auth_sso.start,                            OAuthStartRequest | None,     OAuthStartResponse,            PROJECT, "auth_sso.start",                       (IP,)),
        Route("POST",   "/v1/auth/saml/authorize",                      auth_sso.start,                            OAuthStartRequest | None,     OAuthStartResponse,            PROJECT, "auth_saml.start",                      (IP,)),
        Route("POST",   "/v1/oauth/callback/saml/{project_id}/{tenant_id}", auth_sso.saml_acs,                    None,                         PlainText,                     ANYONE,  "auth_saml.acs",                        ()),
        Route("GET",    "/v1/auth/saml/metadata/{project_id}/{tenant_id}", auth_sso.saml_metadata,                None,                         PlainText,                     ANYONE,  "auth_saml.metadata",                   ()),
        Route("POST",   "/v1/auth/sso/exchange",                        auth_oauth.exchange,                       OAuthExchangeRequest,         JWTResponse,                   PROJECT, "auth_sso.exchange",                    (IP,)),
        Route("POST",   "/v1/auth/saml/exchange",                       auth_oauth.exchange,                       OAuthExchangeRequest,         JWTResponse,                   PROJECT, "auth_saml.exchange",                   (IP,)),
        Route("GET",    "/v2/mgmt/sso/settings",                        mgmt_sso.load_settings,                    SettingsQuery,                SSOSettingsResponse,           MGMT,    "mgmt_sso.load_settings",               (KEY,)),
        Route("GET",    "/v2/mgmt/sso/settings/all",                    mgmt_sso.load_all_settings,                SettingsQuery,                AllSSOSettingsResponse,        MGMT,    "mgmt_sso.load_all_settings",           (KEY,)),
        Route("GET",    "/v1/mgmt/sso/settings",                        mgmt_sso.load_settings,                    SettingsQuery,                SSOSettingsResponse,           MGMT,    "mgmt_sso.get_settings",                (KEY,)),
        Route("POST",   "/v1/mgmt/sso/settings/new",                    mgmt_sso.new_settings,                     NewSettingsRequest,           SSOSettingsResponse,           MGMT,    "mgmt_sso.new_settings",                (KEY,)),
        Route("DELETE", "/v1/mgmt/sso/settings",                        mgmt_sso.delete_settings,                  SettingsQuery,                EmptyResponse,                 MGMT,    "mgmt_sso.delete_settings",             (KEY,)),
        Route("POST",   "/v1/mgmt/sso/settings/authtype",               mgmt_sso.configure_auth_type,              AuthTypeRequest,              EmptyResponse,                 MGMT,    "mgmt_sso.configure_auth_type",         (KEY,)),
        Route("POST",   "/v1/mgmt/sso/oidc",                            mgmt_sso.configure_oidc,                   OIDCConfigureRequest,         EmptyResponse,                 MGMT,    "mgmt_sso.configure_oidc",              (KEY,)),
        Route("POST",   "/v1/mgmt/sso/saml",                            mgmt_sso.configure_saml,                   SAMLConfigureRequest,         EmptyResponse,                 MGMT,    "mgmt_sso.configure_saml",              (KEY,)),
        Route("POST",   "/v1/mgmt/sso/saml/metadata",                   mgmt_sso.configure_saml,                   SAMLConfigureRequest,         EmptyResponse,                 MGMT,    "mgmt_sso.configure_saml_by_metadata",  (KEY,)),
        Route("POST",   "/v1/mgmt/sso/redirect",                        mgmt_sso.configure_redirect,               RedirectRequest,              EmptyResponse,                 MGMT,    "mgmt_sso.configure_redirect",          (KEY,)),
        Route("POST",   "/v1/mgmt/sso/recalculate-mappings",            mgmt_sso.recalculate_mappings,             SSOTenantRequest,             EmptyResponse,                 MGMT,    "mgmt_sso.recalculate_mappings",        (KEY,)),
        Route("POST",   "/v1/mgmt/sso/settings",                        mgmt_sso.configure_legacy,                 LegacyConfigureRequest,       EmptyResponse,                 MGMT,    "mgmt_sso.configure",                   (KEY,)),
        Route("POST",   "/v1/mgmt/sso/metadata",                        mgmt_sso.configure_legacy,                 LegacyConfigureRequest,       EmptyResponse,                 MGMT,    "mgmt_sso.configure_via_metadata",      (KEY,)),
        Route("POST",   "/v1/mgmt/sso/mapping",                         mgmt_sso.configure_mapping,                MappingRequest,               EmptyResponse,                 MGMT,    "mgmt_sso.mapping",                     (KEY,)),
    ),
    # --- passwords (§2.5; contract part 2 §5)
    "password": (
        Route("POST",   "/v1/auth/password/signup",                     auth_passwords.sign_up,                    PasswordSignUpRequest,        JWTResponse,                   PROJECT, "auth_password.sign_up",                (IP,)),
        Route("POST",   "/v1/auth/password/signin",                     auth_passwords.sign_in,                    PasswordSignInRequest,        JWTResponse,                   PROJECT, "auth_password.sign_in",                (IP, VERIFIES)),
        Route("POST",   "/v1/auth/password/replace",                    auth_passwords.replace,                    PasswordReplaceRequest,       JWTResponse,                   PROJECT, "auth_password.replace",                (IP, VERIFIES)),
        Route("POST",   "/v1/auth/password/update",                     auth_passwords.update,                     PasswordUpdateRequest,        EmptyResponse,                 USER,    "auth_password.update",                 (IP,)),
        Route("POST",   "/v1/auth/password/reset",                      auth_passwords.send_reset,                 PasswordResetRequest,         PasswordResetResponse,         PROJECT, "auth_password.send_reset",             (IP, SENDS)),
        Route("GET",    "/v1/auth/password/policy",                     auth_passwords.policy,                     None,                         PasswordPolicyResponse,        PROJECT, "auth_password.policy",                 (IP,)),
    ),
    # --- passkeys (§2.9; contract part 2 §1)
    "webauthn": (
        Route("POST",   "/v1/auth/webauthn/signup/start",               auth_webauthn.sign_up_start,               PasskeySignUpStartRequest,    PasskeyStartResponse,          PROJECT, "auth_webauthn.sign_up_start",          (IP,)),
        Route("POST",   "/v1/auth/webauthn/signup/finish",              auth_webauthn.sign_up_finish,              PasskeyFinishRequest,         JWTResponse,                   PROJECT, "auth_webauthn.sign_up_finish",         (IP,)),
        Route("POST",   "/v1/auth/webauthn/signin/start",               auth_webauthn.sign_in_start,               PasskeySignInStartRequest,    PasskeyStartResponse,          PROJECT, "auth_webauthn.sign_in_start",          (IP,)),
        Route("POST",   "/v1/auth/webauthn/signin/finish",              auth_webauthn.sign_in_finish,              PasskeyFinishRequest,         JWTResponse,                   PROJECT, "auth_webauthn.sign_in_finish",         (IP,)),
        Route("POST",   "/v1/auth/webauthn/signup-in/start",            auth_webauthn.sign_up_or_in_start,         PasskeySignInStartRequest,    PasskeyStartResponse,          PROJECT, "auth_webauthn.sign_up_or_in_start",    (IP,)),
        Route("POST",   "/v1/auth/webauthn/update/start",               auth_webauthn.update_start,                PasskeyUpdateStartRequest,    PasskeyStartResponse,          USER,    "auth_webauthn.update_start",           (IP,)),
        Route("POST",   "/v1/auth/webauthn/update/finish",              auth_webauthn.update_finish,               PasskeyFinishRequest,         PasskeyUpdateFinishResponse,   PROJECT, "auth_webauthn.update_finish",          (IP,)),
    ),
    # --- sessions and tenants of the signed-in user (§2.6)
    "session": (
        Route("POST",   "/v1/auth/refresh",                             auth_session.refresh,                      None,                         JWTResponse,                   USER,    "auth_session.refresh",                 (SESSION,)),
        Route("POST",   "/v1/auth/try-refresh",                         auth_session.try_refresh,                  None,                         JWTResponse | EmptyResponse,   PROJECT, "auth_session.try_refresh",             (SESSION,)),
        Route("POST",   "/v1/auth/logout",                              auth_session.logout,                       None,                         EmptyResponse,                 USER,    "auth_session.logout",                  (IP,)),
        Route("POST",   "/v1/auth/logoutall",                           auth_session.logout_all,                   None,                         EmptyResponse,                 USER,    "auth_session.logout_all",              (IP,)),
        Route("GET",    "/v1/auth/me",                                  auth_session.me,                           None,                         UserResponse,                  USER,    "auth_session.me",                      (SESSION,)),
        Route("GET",    "/v1/auth/me/history",                          auth_session.history,                      None,                         list[HistoryEntry],            USER,    "auth_session.history",                 (SESSION,)),
        Route("POST",   "/v1/auth/tenant/select",                       auth_tenants.select_tenant,                SelectTenantRequest,          JWTResponse,                   USER,    "auth_tenants.select_tenant",           (IP,)),
        Route("POST",   "/v1/auth/me/tenants",                          auth_tenants.my_tenants,                   MyTenantsRequest,             MyTenantsResponse,             USER,    "auth_tenants.my_tenants",              (SESSION,)),
        Route("POST",   "/v1/auth/validate",                            auth_session.validate,                     None,                         ValidateResponse,              PROJECT, "auth_session.validate",                (IP,), audited=False),
    ),
    # --- access keys (§2.7)
    "access key": (
        Route("POST",   "/v1/auth/accesskey/exchange",                  auth_access_keys.exchange,                 ExchangeRequest | None,       ExchangeResponse,              PROJECT, "auth_access_keys.exchange",            (IP,)),
    ),
    # --- signing keys (§2.8)
    "keys": (
        Route("GET",    "/v2/keys/{project_id}",                        auth_session.jwks,                         None,                         JWKSResponse,                  ANYONE,  "auth_session.jwks",                    ()),
    ),
    # --- management (§5): users, test helpers, audit, tenants, permissions, roles, access keys, management keys, JWTs, settings
    "management": (
        Route("POST",   "/v1/mgmt/user/create",                         mgmt_users.create_user,                    CreateUserRequest,            UserWrapper,                   MGMT,    "mgmt_users.create_user",               (KEY,)),
        Route("POST",   "/v1/mgmt/user/create/test",                    mgmt_users.create_test_user,               CreateUserRequest,            UserWrapper,                   MGMT,    "mgmt_users.create_test_user",          (KEY,)),
        Route("GET",    "/v1/mgmt/user",                                mgmt_users.load_user,                      UserLookup,                   UserWrapper,                   MGMT,    "mgmt_users.load_user",                 (KEY,)),
        Route("POST",   "/v1/mgmt/user/delete",                         mgmt_users.delete_user,                    MgmtUserRefRequest,           EmptyResponse,                 MGMT,    "mgmt_users.delete_user",               (KEY,)),
        Route("POST",   "/v1/mgmt/tests/generate/otp",                  mgmt_users.generate_otp,                   GenerateOTPRequest,           GenerateOTPResponse,           MGMT,    "mgmt_users.generate_otp",              (KEY,)),
        Route("POST",   "/v1/mgmt/tests/generate/magiclink",            mgmt_links.generate_magic_link,            GenerateMagicLinkRequest,     GenerateMagicLinkResponse,     MGMT,    "mgmt_links.generate_magic_link",       (KEY,)),
        Route("POST",   "/v1/mgmt/tests/generate/enchantedlink",        mgmt_links.generate_enchanted_link,        GenerateEnchantedLinkRequest, GenerateEnchantedLinkResponse, MGMT,    "mgmt_links.generate_enchanted_link",   (KEY,)),
        Route("POST",   "/v1/mgmt/user/signin/embeddedlink",            mgmt_links.embedded_sign_in,               EmbeddedSignInRequest,        TokenResponse,                 MGMT,    "mgmt_links.embedded_sign_in",          (KEY,)),
        Route("POST",   "/v1/mgmt/user/signup/embeddedlink",            mgmt_links.embedded_sign_up,               EmbeddedSignUpRequest,        TokenResponse,                 MGMT,    "mgmt_links.embedded_sign_up",          (KEY,)),
        Route("POST",   "/v1/mgmt/audit/search",                        mgmt_audit.search,                         AuditSearchRequest,           AuditSearchResponse,           MGMT,    "mgmt_audit.search",                    (KEY,)),
        Route("POST",   "/v1/mgmt/audit/event",                         mgmt_audit.create_event,                   AuditEventRequest,            EmptyResponse,                 MGMT,    "mgmt_audit.create_event",              (KEY,)),
        Route("POST",   "/v1/mgmt/user/create/batch",                   mgmt_users.create_users,                   BatchCreateRequest,           BatchCreateResponse,           MGMT,    "mgmt_users.create_users",              (KEY,)),
        Route("POST",   "/v1/mgmt/user/update",                         mgmt_users.update_user,                    UserFieldsRequest,            UserWrapper,                   MGMT,    "mgmt_users.update_user",               (KEY,)),
        Route("PATCH",  "/v1/mgmt/user/patch",                          mgmt_users.patch_user,                     UserFieldsRequest,            UserWrapper,                   MGMT,    "mgmt_users.patch_user",                (KEY,)),
        Route("PATCH",  "/v1/mgmt/user/patch/batch",                    mgmt_users.patch_users,                    PatchBatchRequest,            PatchBatchResponse,            MGMT,    "mgmt_users.patch_users",               (KEY,)),
        Route("POST",   "/v1/mgmt/user/delete/batch",                   mgmt_users.delete_users,                   DeleteUsersRequest,           EmptyResponse,                 MGMT,    "mgmt_users.delete_users",              (KEY,)),
        Route("POST",   "/v1/mgmt/users/load",                          mgmt_users.load_users,                     LoadUsersRequest,             UsersResponse,                 MGMT,    "mgmt_users.load_users",                (KEY,)),
        Route("POST",   "/v2/mgmt/user/search",                         mgmt_users.search_users,                   UserSearchRequest,            UserSearchResponse,            MGMT,    "mgmt_users.search_users",              (KEY,)),
        Route("POST",   "/v2/mgmt/user/search/test",                    mgmt_users.search_test_users,              UserSearchRequest,            UserSearchResponse,            MGMT,    "mgmt_users.search_test_users",         (KEY,)),
        Route("DELETE", "/v1/mgmt/user/test/delete/all",                mgmt_users.delete_test_users,              None,                         EmptyResponse,                 MGMT,    "mgmt_users.delete_test_users",         (KEY,)),
        Route("POST",   "/v1/mgmt/user/passkeys/list",                  mgmt_user_factors.list_passkeys,           MgmtUserRefRequest,           PasskeysResponse,              MGMT,    "mgmt_users.list_passkeys",             (KEY,)),
        Route("POST",   "/v1/mgmt/user/passkey/delete",                 mgmt_user_factors.remove_passkey,          PasskeyDeleteRequest,         EmptyResponse,                 MGMT,    "mgmt_users.remove_passkey",            (KEY,)),
        Route("POST",   "/v1/mgmt/user/passkeys/delete",                mgmt_user_factors.remove_passkeys,         MgmtUserRefRequest,           EmptyResponse,                 MGMT,    "mgmt_users.remove_passkeys",           (KEY,)),
        Route("POST",   "/v1/mgmt/user/totp/delete",                    mgmt_user_factors.remove_totp,             MgmtUserRefRequest,           EmptyResponse,                 MGMT,    "mgmt_users.remove_totp",               (KEY,)),
        Route("POST",   "/v1/mgmt/user/recovery-codes/delete",          mgmt_user_factors.remove_recovery_codes,   MgmtUserRefRequest,           EmptyResponse,                 MGMT,    "mgmt_users.remove_recovery_codes",     (KEY,)),
        Route("POST",   "/v1/mgmt/user/password/set/temporary",         mgmt_passwords.set_temporary,              MgmtPasswordSetRequest,       EmptyResponse,                 MGMT,    "mgmt_users.set_temporary_password",    (KEY,)),
        Route("POST",   "/v1/mgmt/user/password/set/active",            mgmt_passwords.set_active,                 MgmtPasswordSetRequest,       EmptyResponse,                 MGMT,    "mgmt_users.set_active_password",       (KEY,)),
        Route("POST",   "/v1/mgmt/user/password/set",                   mgmt_passwords.set_deprecated,             MgmtPasswordSetRequest,       EmptyResponse,                 MGMT,    "mgmt_users.set_password",              (KEY,)),
        Route("POST",   "/v1/mgmt/user/password/expire",                mgmt_passwords.expire,                     MgmtPasswordExpireRequest,    EmptyResponse,                 MGMT,    "mgmt_users.expire_password",           (KEY,)),
        Route("POST",   "/v1/mgmt/user/import",                         mgmt_users.import_users,                   ImportRequest,                ImportResponse,                MGMT,    "mgmt_users.import_users",              (KEY,)),
        Route("POST",   "/v1/mgmt/user/logout",                         mgmt_users.logout_user,                    MgmtUserRefRequest,           EmptyResponse,                 MGMT,    "mgmt_users.logout_user",               (KEY,)),
        Route("POST",   "/v1/mgmt/user/update/status",                  mgmt_users.update_status,                  StatusRequest,                UserWrapper,                   MGMT,    "mgmt_users.update_status",             (KEY,)),
        Route("POST",   "/v1/mgmt/user/update/loginid",                 mgmt_users.update_login_id,                LoginIdUpdateRequest,         UserWrapper,                   MGMT,    "mgmt_users.update_login_id",           (KEY,)),
        Route("POST",   "/v1/mgmt/user/update/email",                   mgmt_users.update_email,                   EmailUpdateRequest,           UserWrapper,                   MGMT,    "mgmt_users.update_email",              (KEY,)),
        Route("POST",   "/v1/mgmt/user/update/phone",                   mgmt_users.update_phone,                   PhoneUpdateRequest,           UserWrapper,                   MGMT,    "mgmt_users.update_phone",              (KEY,)),
        Route("POST",   "/v1/mgmt/user/update/name",                    mgmt_users.update_name,                    NameUpdateRequest,            UserWrapper,                   MGMT,    "mgmt_users.update_name",               (KEY,)),
        Route("POST",   "/v1/mgmt/user/update/picture",                 mgmt_users.update_picture,                 PictureUpdateRequest,         UserWrapper,                   MGMT,    "mgmt_users.update_picture",            (KEY,)),
        Route("POST",   "/v1/mgmt/user/update/customAttribute",         mgmt_users.update_custom_attribute,        CustomAttributeUpdateRequest, UserWrapper,                   MGMT,    "mgmt_users.update_custom_attribute",   (KEY,)),
        Route("POST",   "/v1/mgmt/user/customattribute/create",         mgmt_custom_attributes.create,             CreateAttributesRequest,      CustomAttributesResponse,      MGMT,    "mgmt_custom_attributes.create",        (KEY,)),
        Route("POST",   "/v1/mgmt/user/customattribute/delete",         mgmt_custom_attributes.delete,             DeleteAttributesRequest,      CustomAttributesResponse,      MGMT,    "mgmt_custom_attributes.delete",        (KEY,)),
        Route("GET",    "/v1/mgmt/user/customattributes",               mgmt_custom_attributes.load,               None,                         CustomAttributesResponse,      MGMT,    "mgmt_custom_attributes.load",          (KEY,)),
        Route("POST",   "/v1/mgmt/user/update/role/set",                mgmt_users.set_roles,                      RolesRequest,                 UserWrapper,                   MGMT,    "mgmt_users.set_roles",                 (KEY,)),
        Route("POST",   "/v2/mgmt/user/update/role/add",                mgmt_users.add_roles,                      RolesRequest,                 UserWrapper,                   MGMT,    "mgmt_users.add_roles",                 (KEY,)),
        Route("POST",   "/v1/mgmt/user/update/role/remove",             mgmt_users.remove_roles,                   RolesRequest,                 UserWrapper,                   MGMT,    "mgmt_users.remove_roles",              (KEY,)),
        Route("POST",   "/v1/mgmt/user/update/tenant/add",              mgmt_users.add_tenant,                     UserTenantRequest,            UserWrapper,                   MGMT,    "mgmt_users.add_tenant",                (KEY,)),
        Route("POST",   "/v1/mgmt/user/update/tenant/remove",           mgmt_users.remove_tenant,                  UserTenantRequest,            UserWrapper,                   MGMT,    "mgmt_users.remove_tenant",             (KEY,)),
        Route("POST",   "/v1/mgmt/user/history",                        mgmt_users.user_history,                   UserIdList,                   list[HistoryEntry],            MGMT,    "mgmt_users.user_history",              (KEY,)),
        Route("POST",   "/v1/mgmt/tenant/create",                       mgmt_tenants.create_tenant,                TenantRequest,                TenantCreatedResponse,         MGMT,    "mgmt_authz.create_tenant",             (KEY,)),
        Route("POST",   "/v1/mgmt/tenant/update",                       mgmt_tenants.update_tenant,                TenantRequest,                EmptyResponse,                 MGMT,    "mgmt_authz.update_tenant",             (KEY,)),
        Route("PATCH",  "/v1/mgmt/tenant/patch",                        mgmt_tenants.patch_tenant,                 TenantRequest,                EmptyResponse,                 MGMT,    "mgmt_authz.patch_tenant",              (KEY,)),
        Route("POST",   "/v1/mgmt/tenant/delete",                       mgmt_tenants.delete_tenant,                TenantDeleteRequest,          EmptyResponse,                 MGMT,    "mgmt_authz.delete_tenant",             (KEY,)),
        Route("GET",    "/v1/mgmt/tenant",                              mgmt_tenants.load_tenant,                  TenantLookup,                 TenantResponse,                MGMT,    "mgmt_authz.load_tenant",               (KEY,)),
        Route("GET",    "/v1/mgmt/tenant/all",                          mgmt_tenants.load_all_tenants,             None,                         TenantsResponse,               MGMT,    "mgmt_authz.load_all_tenants",          (KEY,)),
        Route("POST",   "/v1/mgmt/tenant/search",                       mgmt_tenants.search_tenants,               TenantSearchRequest,          TenantsResponse,               MGMT,    "mgmt_authz.search_tenants",            (KEY,)),
        Route("GET",    "/v1/mgmt/tenant/settings",                     mgmt_tenants.load_tenant_settings,         TenantLookup,                 TenantSettingsResponse,        MGMT,    "mgmt_authz.load_tenant_settings",      (KEY,)),
        Route("POST",   "/v1/mgmt/tenant/settings",                     mgmt_tenants.update_tenant_settings,       TenantSettingsRequest,        EmptyResponse,                 MGMT,    "mgmt_authz.update_tenant_settings",    (KEY,)),
        Route("POST",   "/v1/mgmt/permission/create",                   mgmt_permissions.create_permission,        PermissionRequest,            EmptyResponse,                 MGMT,    "mgmt_authz.create_permission",         (KEY,)),
        Route("POST",   "/v1/mgmt/permission/update",                   mgmt_permissions.update_permission,        PermissionRequest,            EmptyResponse,                 MGMT,    "mgmt_authz.update_permission",         (KEY,)),
        Route("POST",   "/v1/mgmt/permission/delete",                   mgmt_permissions.delete_permission,        PermissionRequest,            EmptyResponse,                 MGMT,    "mgmt_authz.delete_permission",         (KEY,)),
        Route("GET",    "/v1/mgmt/permission/all",                      mgmt_permissions.load_all_permissions,     None,                         PermissionsResponse,           MGMT,    "mgmt_authz.load_all_permissions",      (KEY,)),
        Route("POST",   "/v1/mgmt/permission/create/batch",             mgmt_permissions.create_permissions_batch, PermissionBatchRequest,       EmptyResponse,                 MGMT,    "mgmt_authz.create_permissions_batch",  (KEY,)),
        Route("POST",   "/v1/mgmt/permission/update/batch",             mgmt_permissions.update_permissions_batch, PermissionBatchRequest,       EmptyResponse,                 MGMT,    "mgmt_authz.update_permissions_batch",  (KEY,)),
        Route("POST",   "/v1/mgmt/permission/delete/batch",             mgmt_permissions.delete_permissions_batch, PermissionBatchDeleteRequest, EmptyResponse,                 MGMT,    "mgmt_authz.delete_permissions_batch",  (KEY,)),
        Route("POST",   "/v1/mgmt/role/create",                         mgmt_roles.create_role,                    RoleRequest,                  EmptyResponse,                 MGMT,    "mgmt_authz.create_role",               (KEY,)),
        Route("POST",   "/v1/mgmt/role/update",                         mgmt_roles.update_role,                    RoleRequest,                  EmptyResponse,                 MGMT,    "mgmt_authz.update_role",               (KEY,)),
        Route("POST",   "/v1/mgmt/role/delete",                         mgmt_roles.delete_role,                    RoleRequest,                  EmptyResponse,                 MGMT,    "mgmt_authz.delete_role",               (KEY,)),
        Route("GET",    "/v1/mgmt/role/all",                            mgmt_roles.load_all_roles,                 None,                         RolesResponse,                 MGMT,    "mgmt_authz.load_all_roles",            (KEY,)),
        Route("POST",   "/v1/mgmt/role/search",                         mgmt_roles.search_roles,                   RoleSearchRequest,            RolesResponse,                 MGMT,    "mgmt_authz.search_roles",              (KEY,)),
        Route("POST",   "/v1/mgmt/role/create/batch",                   mgmt_roles.create_roles_batch,             RoleBatchRequest,             EmptyResponse,                 MGMT,    "mgmt_authz.create_roles_batch",        (KEY,)),
        Route("POST",   "/v1/mgmt/role/update/batch",                   mgmt_roles.update_roles_batch,             RoleBatchRequest,             EmptyResponse,                 MGMT,    "mgmt_authz.update_roles_batch",        (KEY,)),
        Route("POST",   "/v1/mgmt/role/delete/batch",                   mgmt_roles.delete_roles_batch,             RoleBatchDeleteRequest,       EmptyResponse,                 MGMT,    "mgmt_authz.delete_roles_batch",        (KEY,)),
        Route("POST",   "/v1/mgmt/accesskey/create",                    mgmt_access_keys.create,                   AccessKeyCreateRequest,       AccessKeyWithSecret,           MGMT,    "mgmt_access_keys.create",              (KEY,)),
        Route("GET",    "/v1/mgmt/accesskey",                           mgmt_access_keys.load,                     AccessKeyLookup,              AccessKeyWrapper,              MGMT,    "mgmt_access_keys.load",                (KEY,)),
        Route("POST",   "/v1/mgmt/accesskey/search",                    mgmt_access_keys.search,                   AccessKeySearchRequest,       AccessKeysResponse,            MGMT,    "mgmt_access_keys.search",              (KEY,)),
        Route("POST",   "/v1/mgmt/accesskey/update",                    mgmt_access_keys.update,                   AccessKeyUpdateRequest,       EmptyResponse,                 MGMT,    "mgmt_access_keys.update",              (KEY,)),
        Route("POST",   "/v1/mgmt/accesskey/activate",                  mgmt_access_keys.activate,                 AccessKeyIdRequest,           EmptyResponse,                 MGMT,    "mgmt_access_keys.activate",            (KEY,)),
        Route("POST",   "/v1/mgmt/accesskey/deactivate",                mgmt_access_keys.deactivate,               AccessKeyIdRequest,           EmptyResponse,                 MGMT,    "mgmt_access_keys.deactivate",          (KEY,)),
        Route("POST",   "/v1/mgmt/accesskey/delete",                    mgmt_access_keys.delete,                   AccessKeyIdRequest,           EmptyResponse,                 MGMT,    "mgmt_access_keys.delete",              (KEY,)),
        Route("POST",   "/v1/mgmt/accesskey/rotate",                    mgmt_access_keys.rotate,                   AccessKeyIdRequest,           AccessKeyWithSecret,           MGMT,    "mgmt_access_keys.rotate",              (KEY,)),
        Route("POST",   "/v1/mgmt/accesskey/activate/batch",            mgmt_access_keys.activate_batch,           AccessKeyIdsRequest,          EmptyResponse,                 MGMT,    "mgmt_access_keys.activate_batch",      (KEY,)),
        Route("POST",   "/v1/mgmt/accesskey/deactivate/batch",          mgmt_access_keys.deactivate_batch,         AccessKeyIdsRequest,          EmptyResponse,                 MGMT,    "mgmt_access_keys.deactivate_batch",    (KEY,)),
        Route("POST",   "/v1/mgmt/accesskey/delete/batch",              mgmt_access_keys.delete_batch,             AccessKeyIdsRequest,          EmptyResponse,                 MGMT,    "mgmt_access_keys.delete_batch",        (KEY,)),
        Route("PUT",    "/v1/mgmt/managementkey",                       mgmt_management_keys.create,               ManagementKeyCreateRequest,   ManagementKeyWithSecret,       MGMT,    "mgmt_management_keys.create",          (KEY,)),
        Route("PATCH",  "/v1/mgmt/managementkey",                       mgmt_management_keys.update,               ManagementKeyUpdateRequest,   ManagementKeyWrapper,          MGMT,    "mgmt_management_keys.update",          (KEY,)),
        Route("GET",    "/v1/mgmt/managementkey",                       mgmt_management_keys.load,                 ManagementKeyLookup,          ManagementKeyWrapper,          MGMT,    "mgmt_management_keys.load",            (KEY,)),
        Route("GET",    "/v1/mgmt/managementkey/search",                mgmt_management_keys.search,               None,                         ManagementKeysResponse,        MGMT,    "mgmt_management_keys.search",          (KEY,)),
        Route("POST",   "/v1/mgmt/managementkey/delete",                mgmt_management_keys.delete,               ManagementKeyIdsRequest,      DeletedCount,                  MGMT,    "mgmt_management_keys.delete",          (KEY,)),
        Route("POST",   "/v1/mgmt/jwt/update",                          mgmt_jwts.update_jwt,                      UpdateJWTRequest,             JWTOnlyResponse,               MGMT,    "mgmt_sessions.update_jwt",             (KEY,)),
        Route("POST",   "/v1/mgmt/impersonate",                         mgmt_jwts.impersonate,                     ImpersonateRequest,           JWTOnlyResponse,               MGMT,    "mgmt_sessions.impersonate",            (KEY,)),
        Route("POST",   "/v1/mgmt/impersonate/stepup",                  mgmt_jwts.impersonate_stepup,              ImpersonateRequest,           JWTOnlyResponse,               MGMT,    "mgmt_sessions.impersonate_stepup",     (KEY,)),
        Route("POST",   "/v1/mgmt/stop/impersonation",                  mgmt_jwts.stop_impersonation,              StopImpersonationRequest,     JWTOnlyResponse,               MGMT,    "mgmt_sessions.stop_impersonation",     (KEY,)),
        Route("POST",   "/v1/mgmt/auth/signin",                         mgmt_jwts.sign_in,                         MgmtSignInRequest,            JWTResponse,                   MGMT,    "mgmt_sessions.sign_in",                (KEY,)),
        Route("POST",   "/v1/mgmt/auth/signup",                         mgmt_jwts.sign_up,                         MgmtSignUpRequest,            JWTResponse,                   MGMT,    "mgmt_sessions.sign_up",                (KEY,)),
        Route("POST",   "/v1/mgmt/auth/signup-in",                      mgmt_jwts.sign_up_or_in,                   MgmtSignUpRequest,            JWTResponse,                   MGMT,    "mgmt_sessions.sign_up_or_in",          (KEY,)),
        Route("POST",   "/v1/mgmt/auth/anonymous",                      mgmt_jwts.anonymous,                       TokenOptionsIn,               JWTResponse,                   MGMT,    "mgmt_sessions.anonymous",              (KEY,)),
        Route("GET",    "/v1/mgmt/password/settings",                   mgmt_passwords.load_settings,              PasswordSettingsQuery,        PasswordSettings,              MGMT,    "mgmt_password.load_settings",          (KEY,)),
        Route("POST",   "/v1/mgmt/password/settings",                   mgmt_passwords.save_settings,              PasswordSettingsRequest,      EmptyResponse,                 MGMT,    "mgmt_password.save_settings",          (KEY,)),
        Route("GET",    "/v1/mgmt/project/settings",                    mgmt_project.read_settings,                None,                         ProjectSettings,               MGMT,    "mgmt_project.read_settings",           (KEY,)),
        Route("POST",   "/v1/mgmt/project/settings",                    mgmt_project.update_settings,              SettingsPatch,                ProjectSettings,               MGMT,    "mgmt_project.update_settings",         (KEY,)),
    ),
    # --- operations (passgate's own)
    "operations": (
        Route("GET",    "/v1/mgmt/license",                             mgmt_users.license_tier,                   None,                         LicenseResponse,               MGMT,    "mgmt_users.license_tier",              (KEY,), audited=False),
        Route("GET",    "/healthz",                                     health.healthz,                            None,                         HealthResponse,                ANYONE,  "health.healthz",                       ()),
        Route("GET",    "/readyz",                                      health.readyz,                             None,                         HealthResponse,                ANYONE,  "health.readyz",                        ()),
        Route("GET",    "/metrics",                                     health.metrics,                            None,                         PlainText,                     ANYONE,  "metrics.metrics",                      ()),
    ),
}
# fmt: on

# Every route, tagged with its section (the OpenAPI tag).
ROUTES: tuple[Route, ...] = tuple(dataclasses.replace(route, tag=tag) for tag, rows in _TABLE.items() for route in rows)

# Starlette tries routes in order and stops at the first full match: the paths every
# sign-in and every page load take are tried first.
_HOT_PATHS = (
    "/v1/auth/refresh",
    "/v1/auth/try-refresh",
    "/v1/auth/otp/verify/{method}",
    "/v1/auth/otp/signup-in/{method}",
    "/v1/auth/otp/signin/{method}",
    "/v1/auth/me",
    "/v2/keys/{project_id}",
    "/healthz",
)


def starlette_routes() -> list[StarletteRoute]:
    """The table as Starlette routes, hot paths first, each answered by ``route.answer``."""
    rank = {path: i for i, path in enumerate(_HOT_PATHS)}
    ordered = sorted(ROUTES, key=lambda route: rank.get(route.path, len(rank)))  # stable: the rest keep their order
    served = []
    for route in ordered:
        served_route = StarletteRoute(route.path, answer(route), methods=[route.method])
        served_route.methods = {route.method}  # Starlette adds HEAD to GET; Descope answers HEAD with 405
        served.append(served_route)
    return served
