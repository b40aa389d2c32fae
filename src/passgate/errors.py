"""The one error tree. Each class carries its Descope ``errorCode`` and HTTP status.

``web/errors.py`` renders any ``PassgateError`` as
``{"errorCode", "errorDescription", "errorMessage", "message"}``. Codes are stable: the
catalogue is in ``docs/errors.md``; never reuse or renumber one.
"""

from __future__ import annotations

from typing import ClassVar


class PassgateError(Exception):
    """Base of every error a client may see."""

    code: ClassVar[str] = "E011001"
    status: ClassVar[int] = 400
    description: ClassVar[str] = "Bad request"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.description
        super().__init__(self.message)

    @property
    def headers(self) -> dict[str, str]:
        """Extra response headers this error calls for."""
        return {}


# --- request shape (E0110xx) -------------------------------------------------------------
class BadRequest(PassgateError):
    """The request could not be parsed (malformed JSON, wrong content)."""

    code, status, description = "E011001", 400, "Bad request"


class MissingArgument(PassgateError):
    """A required field was absent or empty."""

    code, status, description = "E011002", 400, "Missing arguments"


class ValidationFailed(PassgateError):
    """A field had the wrong type or shape."""

    code, status, description = "E011003", 400, "Request validation failed"


class InvalidArgument(PassgateError):
    """A field was well-typed but not acceptable (bad email, bad phone, bad method)."""

    code, status, description = "E011004", 400, "Invalid arguments"


class PayloadTooLarge(PassgateError):
    """The request body exceeded the server's cap."""

    code, status, description = "E011005", 413, "Request body too large"


class NotFound(PassgateError):
    """No such route."""

    code, status, description = "E011006", 404, "Not found"


class MethodNotAllowed(PassgateError):
    """The route exists but not for this HTTP method."""

    code, status, description = "E011007", 405, "Method not allowed"


class RedirectNotAllowed(PassgateError):
    """A link's redirect URL is malformed or not on the project's approved list."""

    code, status, description = "E011008", 400, "Redirect URL not allowed"


class DataRejected(InvalidArgument):
    """The database refused a value (too long for its column, invalid text) that validation let through."""

    code, status, description = "E011009", 400, "A value could not be stored (too long or invalid text)"


# --- credentials (E0111xx) ----------------------------------------------------------------
class Unauthorized(PassgateError):
    """Missing or malformed Authorization bearer, or unknown project."""

    code, status, description = "E011101", 401, "Unauthorized"


class InvalidManagementKey(PassgateError):
    """The management key is missing, wrong, revoked, inactive, expired, of another project,
    or used from an address it does not permit."""

    code, status, description = "E011102", 401, "Invalid management key"


class OriginNotAllowed(PassgateError):
    """A CORS preflight from an origin no project on this server allows, or to a management route."""

    code, status, description = "E011103", 403, "Origin not allowed"


# --- OTP (E0611xx, Descope's) --------------------------------------------------------------
class WrongCode(PassgateError):
    """The code did not match, expired, was used, or none is pending."""

    code, status, description = "E061102", 401, "Failed to verify OTP code"


class TooManyAttempts(PassgateError):
    """The code (or the login ID) has used up its verification attempts."""

    code, status, description = "E061103", 401, "Too many OTP attempts"


# --- passkeys (E0670xx) -------------------------------------------------------------------
class PasskeyRefused(PassgateError):
    """A passkey ceremony's answer does not verify: unknown, used or expired transaction, a
    signature, origin, RP ID or challenge that does not match, a credential of another user,
    or a sign count that went backwards (a cloned authenticator)."""

    code, status, description = "E067003", 401, "Failed to verify the passkey"


class ClonedAuthenticator(PasskeyRefused):
    """An assertion whose sign count did not advance: two authenticators hold one key.
    ``detail`` is what the audit trail records of it (never sent to the client)."""

    code, status, description = "E067004", 401, "Passkey sign count did not advance"

    def __init__(self, message: str, detail: dict[str, object]) -> None:
        super().__init__(message)
        self.detail = detail


class NoPasskeys(PassgateError):
    """Passkey sign-in of a user who has none (Descope's code)."""

    code, status, description = "E067010", 400, "User has no passkeys"


# --- passwords (E0629xx) -------------------------------------------------------------------
class WrongPassword(PassgateError):
    """Sign-in (or replace) with a password that does not match; with the project's
    enumeration hiding, also the answer for an unknown login ID or a user without one."""

    code, status, description = "E062901", 401, "Invalid login ID or password"


class PasswordPolicyViolation(PassgateError):
    """A new password the effective policy refuses (too short, a class missing, a common
    password, the login ID itself, one used before)."""

    code, status, description = "E062902", 400, "Password does not meet the policy"


class PasswordLocked(PassgateError):
    """The password policy locked the password after too many wrong tries: reset it."""

    code, status, description = "E062903", 401, "Password locked after too many failed attempts"


class NoPassword(PassgateError):
    """A password call for a user who has none (without enumeration hiding)."""

    code, status, description = "E062904", 400, "User has no password"


class NoVerifiedEmail(PassgateError):
    """A password reset for a user without a verified email to send the link to."""

    code, status, description = "E062905", 400, "User has no verified email for a reset"


class PasswordsDisabled(PassgateError):
    """A password route of a project whose policy turns passwords off."""

    code, status, description = "E062906", 400, "Passwords are not enabled for this project"


class PasswordExpired(PassgateError):
    """The right password, but it must be changed first (temporary, expired by management or
    by the policy's expiry): use replace or a reset (Descope's code)."""

    code, status, description = "E062909", 401, "Password expired"


# --- social login (E0630xx) ---------------------------------------------------------------
class UnknownOAuthProvider(PassgateError):
    """A social login start naming a provider the project has not configured."""

    code, status, description = "E063001", 400, "OAuth provider is not configured for this project"


class InvalidOAuthCode(PassgateError):
    """An exchange whose code is unknown, expired or already exchanged."""

    code, status, description = "E063002", 401, "Invalid or expired OAuth code"


class OAuthRefused(PassgateError):
    """The provider's return could not be accepted: an unknown, used, expired or foreign
    ``state``, a browser other than the one that started, the provider's own error, or a
    token or ID token that does not verify (wrong issuer, signature, audience, nonce)."""

    code, status, description = "E063003", 401, "OAuth sign-in refused"


class OAuthAccountExists(PassgateError):
    """The provider's email belongs to an existing user, and the provider does not assert it
    verified (or the provider's linking is off): sign in as that user and link from there."""

    code, status, description = "E063004", 409, "A user with this email exists and was not linked"


class SSORequired(PassgateError):
    """A sign-in by another method of a user whose tenant enforces SSO (``enforceSSO``),
    unless the user is among the tenant's exclusions."""

    code, status, description = "E063006", 403, "This user must sign in through their tenant's SSO"


class OAuthProviderUnavailable(PassgateError):
    """The provider did not answer, or answered with something that is not its protocol."""

    code, status, description = "E063005", 502, "OAuth provider unavailable"


# --- users (E0621xx) -----------------------------------------------------------------------
class UserAlreadyExists(PassgateError):
    """Sign-up for a login ID that is taken."""

    code, status, description = "E062107", 400, "User already exists"


class UserNotFound(PassgateError):
    """Sign-in for a login ID that does not exist."""

    code, status, description = "E062108", 400, "User not found"


class UserDisabled(PassgateError):
    """The user is disabled and cannot authenticate or refresh."""

    code, status, description = "E062109", 401, "User is disabled"


# --- links (E0625xx) ----------------------------------------------------------------------
class InvalidLink(PassgateError):
    """The link token is unknown, expired, used, or its enchanted-link set was voided."""

    code, status, description = "E062501", 401, "Invalid or expired link"


class EnchantedLinkPending(PassgateError):
    """The enchanted link has not been clicked yet: poll again (Descope's code)."""

    code, status, description = "E062503", 401, "Enchanted link is pending"


class PendingSessionNotFound(PassgateError):
    """The pending reference is unknown, expired, voided or already claimed."""

    code, status, description = "E062504", 400, "Pending session not found"


# --- sessions (E0640xx) --------------------------------------------------------------------
class InvalidRefreshToken(PassgateError):
    """Missing, malformed, expired, foreign or wrong-type refresh JWT."""

    code, status, description = "E064002", 401, "Invalid refresh token"


class RevokedRefreshToken(PassgateError):
    """The refresh JWT was revoked by logout (Descope's code)."""

    code, status, description = "E064001", 401, "Token expired because the user logged out"


class AnonymousUserNotAllowed(PassgateError):
    """The refresh JWT is an anonymous user's, which only refreshes: there is no user record
    (me, history) nor session (logout, updates, tenant selection) to act on."""

    code, status, description = "E064003", 403, "Not available to anonymous users"


class InvalidSessionJwt(PassgateError):
    """``/v1/auth/validate`` was given no session JWT, or one malformed, expired, foreign or of the wrong type."""

    code, status, description = "E064004", 401, "Invalid session token"


# --- management (E1121xx) ------------------------------------------------------------------
class ManagedUserNotFound(PassgateError):
    """Management lookup of a user that does not exist (Descope's code)."""

    code, status, description = "E112102", 404, "User not found"


class NotATestUser(PassgateError):
    """A test-only helper was called for a user that is not a test user."""

    code, status, description = "E112103", 400, "User is not a test user"


class ProjectNotFound(PassgateError):
    """An operator command named a project that does not exist."""

    code, status, description = "E112105", 404, "Project not found"


class ManagementKeyNotFound(PassgateError):
    """An operator command or management call named a management key the project does not
    have (or no longer has: it was deleted)."""

    code, status, description = "E112106", 404, "Management key not found"


class CustomAttributeAlreadyExists(PassgateError):
    """The project already defines a custom attribute of that name (or the request names it twice)."""

    code, status, description = "E112107", 400, "Custom attribute already exists"


# --- tenants, roles, permissions (E1122xx, E1123xx) ----------------------------------------
class TenantNotFound(PassgateError):
    """A management call named a tenant that does not exist in the project."""

    code, status, description = "E112201", 404, "Tenant not found"


class TenantAlreadyExists(PassgateError):
    """A tenant with this ID or name already exists in the project."""

    code, status, description = "E112202", 400, "Tenant already exists"


class RoleNotFound(PassgateError):
    """A management call named a role that does not exist (in the project or that tenant)."""

    code, status, description = "E112301", 404, "Role not found"


class RoleAlreadyExists(PassgateError):
    """A role with this name already exists at that level (project or tenant)."""

    code, status, description = "E112302", 400, "Role already exists"


class PermissionNotFound(PassgateError):
    """A management call named a permission that does not exist in the project."""

    code, status, description = "E112303", 404, "Permission not found"


class PermissionAlreadyExists(PassgateError):
    """A permission with this name already exists in the project."""

    code, status, description = "E112304", 400, "Permission already exists"


class NotATenantMember(PassgateError):
    """The user (or access key) does not belong to the tenant named."""

    code, status, description = "E112305", 400, "Not a member of the tenant"


# --- access keys (E0628xx Descope's; E1124xx) ------------------------------------------------
class MissingAccessKey(PassgateError):
    """The access-key exchange carried no access key (Descope's code)."""

    code, status, description = "E062802", 401, "Missing access key"


class InvalidAccessKey(PassgateError):
    """The access key is unknown, inactive, expired, or used from an IP it does not permit
    (Descope's code)."""

    code, status, description = "E062803", 401, "Invalid access key"


class AccessKeyNotFound(PassgateError):
    """A management call named an access key that does not exist in the project."""

    code, status, description = "E112401", 404, "Access key not found"


# --- impersonation and management JWTs (E1125xx) ---------------------------------------------
class ImpersonationNotAllowed(PassgateError):
    """The impersonator lacks the ``impersonation`` permission, or consent was required."""

    code, status, description = "E112501", 403, "Impersonation not allowed"


class InvalidSessionToken(PassgateError):
    """A JWT given to a management call is malformed, expired, foreign or of the wrong type."""

    code, status, description = "E112502", 400, "Invalid JWT"


# --- rate limits (E130429, Descope's) --------------------------------------------------------
class RateLimited(PassgateError):
    """Too many requests; ``Retry-After`` says when to try again (the SDK reads it)."""

    code, status, description = "E130429", 429, "Rate limit exceeded"

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message or f"Too many requests; retry in {retry_after} s")
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


# --- server (E0xxxxx) ----------------------------------------------------------------------
class InternalError(PassgateError):
    """A server fault. Never used for client input."""

    code, status, description = "E010001", 500, "Internal server error"


class DatabaseUnavailable(PassgateError):
    """The database did not answer in time: down, unreachable, or locked by another writer.
    Answered within 2 s rather than waited out; the SDKs retry a 503 by themselves."""

    code, status, description = "E010503", 503, "Service temporarily unavailable"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or "The database is unavailable; retry shortly")

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


def all_error_classes() -> list[type[PassgateError]]:
    """Every concrete error class, for the catalogue test."""
    found: list[type[PassgateError]] = []
    pending: list[type[PassgateError]] = [PassgateError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found
