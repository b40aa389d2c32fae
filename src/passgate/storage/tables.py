"""The schema, defined once. Alembic migrations are generated from and checked against it.

Conventions: times are unix **milliseconds** in BIGINT; JSON is TEXT (one code path for
both backends); booleans are BOOLEAN (INTEGER 0/1 on SQLite).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

projects = Table(
    "projects",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("settings", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

management_keys = Table(
    "management_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
    Column("description", String(2000), nullable=False, server_default=""),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("expires_at", BigInteger, nullable=False, server_default="0"),
    Column("permitted_ips", Text, nullable=False, server_default="[]"),
    Column("rebac", Text, nullable=False, server_default="{}"),
)

custom_attributes = Table(
    "custom_attributes",
    metadata,
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(100), primary_key=True),
    Column("type", Integer, nullable=False),
    Column("display_name", String(200), nullable=False, server_default=""),
    Column("options", Text, nullable=False, server_default="[]"),
    Column("required", Boolean, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(32), primary_key=True),
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("alg", String(16), nullable=False),
    Column("private_key_sealed", Text, nullable=False),
    Column("public_jwk", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("retired_at", BigInteger, nullable=True),
    Column("activate_at", BigInteger, nullable=True),
    Index("ix_signing_keys_project", "project_id", "status"),
)

users = Table(
    "users",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(400), nullable=False, server_default=""),
    Column("given_name", String(200), nullable=False, server_default=""),
    Column("middle_name", String(200), nullable=False, server_default=""),
    Column("family_name", String(200), nullable=False, server_default=""),
    Column("email", String(320), nullable=False, server_default=""),
    Column("verified_email", Boolean, nullable=False, server_default="0"),
    Column("phone", String(32), nullable=False, server_default=""),
    Column("verified_phone", Boolean, nullable=False, server_default="0"),
    Column("status", String(16), nullable=False),
    Column("test", Boolean, nullable=False, server_default="0"),
    Column("picture", String(2000), nullable=False, server_default=""),
    Column("custom_attributes", Text, nullable=False, server_default="{}"),
    Column("created_at", BigInteger, nullable=False),
    Column("modified_at", BigInteger, nullable=False),
    Column("webauthn", Boolean, nullable=False, server_default="0"),
    Column("totp", Boolean, nullable=False, server_default="0"),
    Column("password", Boolean, nullable=False, server_default="0"),
    # The social login providers the user has signed in with (JSON array of names), kept
    # with the rows of ``user_identities`` for the User object's ``OAuth``.
    Column("oauth", Text, nullable=False, server_default="[]"),
    Column("saml", Boolean, nullable=False, server_default="0"),  # has signed in by a tenant's SSO
    Index("ix_users_project_created", "project_id", "created_at"),
    # Totals of user search count through this index alone (test users are left out by default).
    Index("ix_users_project_test", "project_id", "test"),
)

# A user's authenticator app (TOTP): the confirmed secret and one awaiting its first code,
# both sealed (AES-GCM, bound to the user ID); ``last_step`` is the newest 30 s step a code
# was accepted for, so each code works once.
totp_secrets = Table(
    "totp_secrets",
    metadata,
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("secret", Text, nullable=False, server_default=""),
    Column("pending_secret", Text, nullable=False, server_default=""),
    Column("last_step", BigInteger, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
    Column("confirmed_at", BigInteger, nullable=False, server_default="0"),
)

# A user's password: its hash (an argon2id PHC string, or the stored form of a hash imported
# from another system, rehashed at the first sign-in), whether it must be changed before it
# signs in again (set temporary, expired), when it was set, and the wrong tries since the last
# right one (the lock of the password policy).
passwords = Table(
    "passwords",
    metadata,
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("hash", Text, nullable=False),
    Column("must_change", Boolean, nullable=False, server_default="0"),
    Column("set_at", BigInteger, nullable=False),
    Column("failed_attempts", Integer, nullable=False, server_default="0"),
)

# Earlier password hashes of a user, newest first by ``set_at``, kept as far back as the
# policy's reuse check looks.
password_history = Table(
    "password_history",
    metadata,
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("set_at", BigInteger, primary_key=True),
    Column("hash", Text, nullable=False),
)

# Password policies: the project's (``tenant_id`` "") and any tenant's own, as JSON.
password_policies = Table(
    "password_policies",
    metadata,
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("tenant_id", String(64), primary_key=True),
    Column("settings", Text, nullable=False),
)

# Streamed user imports: how many lines of which file have been committed, so an import run
# again after a crash goes on after them (the count is written in each batch's transaction).
user_imports = Table(
    "user_imports",
    metadata,
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("file_digest", String(64), primary_key=True),
    Column("lines_done", BigInteger, nullable=False),
    Column("imported", BigInteger, nullable=False),
    Column("failed", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

# Passkeys: one row per credential (its ID base64url, unique within the project), with the
# public key (COSE, base64url) and the last sign count the authenticator reported.
webauthn_credentials = Table(
    "webauthn_credentials",
    metadata,
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("credential_id", String(1400), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("public_key", Text, nullable=False),
    Column("sign_count", BigInteger, nullable=False),
    Column("transports", Text, nullable=False, server_default="[]"),
    Column("aaguid", String(36), nullable=False, server_default=""),
    Column("backup_eligible", Boolean, nullable=False, server_default="0"),
    Column("backup_state", Boolean, nullable=False, server_default="0"),
    Column("name", String(200), nullable=False, server_default=""),
    Column("rp_id", String(253), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("last_used_at", BigInteger, nullable=False, server_default="0"),
    Index("ix_webauthn_credentials_user", "user_id"),
)

# A passkey ceremony between its start and its finish: what the finish must match (kind,
# challenge, origin, RP ID, the user), and what it earns; used once, then kept until expiry.
webauthn_ceremonies = Table(
    "webauthn_ceremonies",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("login_id", String(320), nullable=False, server_default=""),
    Column("user_id", String(32), nullable=False, server_default=""),
    Column("challenge", String(100), nullable=False),
    Column("origin", String(300), nullable=False),
    Column("rp_id", String(253), nullable=False),
    Column("details", Text, nullable=False, server_default="{}"),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger, nullable=False, server_default="0"),
    Index("ix_webauthn_ceremonies_expiry", "project_id", "expires_at"),
)

# Trigram (pg_trgm GIN) indexes of user search's text filter: expression indexes that
# migration 0009 creates on PostgreSQL only, so they are not declared on the tables here.
POSTGRES_ONLY_INDEXES = frozenset({"ix_users_text", "ix_login_ids_text"})

# How many users each project has, test users apart: user search's total when nothing but
# the test flag filters (a COUNT over 10^6 users took ~200 ms). Kept by triggers on
# ``users`` (migration 0010), so no write path can forget it. The total is the sum over
# ``shard``: on PostgreSQL each connection adds to its own row, so concurrent sign-ups
# do not queue on one counter. No foreign key: a project's deletion removes its users,
# whose triggers update these rows within that same statement.
user_counts = Table(
    "user_counts",
    metadata,
    Column("project_id", String(32), primary_key=True),
    Column("test", Boolean, primary_key=True),
    Column("shard", Integer, primary_key=True),
    Column("n", BigInteger, nullable=False),
)

login_ids = Table(
    "login_ids",
    metadata,
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("login_id", String(320), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Index("ix_login_ids_user", "user_id"),
)

challenges = Table(
    "challenges",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("login_id", String(320), nullable=False),
    Column("user_id", String(32), nullable=True),
    Column("purpose", String(16), nullable=False),
    Column("method", String(16), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("max_attempts", Integer, nullable=False),
    Column("details", Text, nullable=False, server_default="{}"),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger, nullable=True),
    Index("ix_challenges_login", "project_id", "login_id", "state"),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("login_id", String(320), primary_key=True),
    Column("window_start", BigInteger, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", BigInteger, nullable=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("amr", Text, nullable=False),
    Column("ip", String(64), nullable=False, server_default=""),
    Column("user_agent", String(400), nullable=False, server_default=""),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
    Column("current_jti", String(32), nullable=True),
    Column("previous_jti", String(32), nullable=True),
    Column("rotated_at", BigInteger, nullable=True),
    Index("ix_sessions_user", "user_id", "created_at"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("challenge_id", String(32), nullable=True),
    Column("payload_sealed", Text, nullable=True),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("available_at", BigInteger, nullable=False),
    Column("lease_until", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("finished_at", BigInteger, nullable=True),
    Column("last_error", Text, nullable=True),
    # The worker holding (or that last held) the claim: only it renews the lease or records the outcome.
    Column("claimed_by", String(32), nullable=True),
    Index("ix_outbox_due", "state", "available_at"),
)

link_tokens = Table(
    "link_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("login_id", String(320), nullable=False),
    Column("user_id", String(32), nullable=True),
    Column("purpose", String(16), nullable=False),
    Column("method", String(16), nullable=False),
    Column("details", Text, nullable=False, server_default="{}"),
    Column("state", String(16), nullable=False),
    Column("pending_id", String(32), nullable=True),
    Column("decoy", Boolean, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger, nullable=True),
    Index("ix_link_tokens_pending", "pending_id"),
)

pending_sessions = Table(
    "pending_sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("ref_hash", String(64), nullable=False, unique=True),
    Column("state", String(16), nullable=False),
    Column("session_id", String(32), nullable=True),
    Column("grant_details", Text, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("occurred_at", BigInteger, nullable=False),
    Column("action", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("user_id", String(32), nullable=True),
    Column("login_id_masked", String(320), nullable=False, server_default=""),
    Column("login_id_hash", String(64), nullable=True),
    Column("ip", String(64), nullable=False, server_default=""),
    Column("user_agent", String(400), nullable=False, server_default=""),
    Column("detail", Text, nullable=False, server_default="{}"),
    Index("ix_audit_project_time", "project_id", "occurred_at"),
    Index("ix_audit_user", "project_id", "user_id", "occurred_at"),
)

login_failure_events = Table(
    "login_failure_events",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("login_id", String(320), nullable=False),
    Column("at", BigInteger, nullable=False),
    Index("ix_login_failure_events_login", "project_id", "login_id", "at"),
)

# --- authorization (issue: management API) ----------------------------------------------
# Tenant IDs may be chosen by the caller, so they are unique per project, not globally.
tenants = Table(
    "tenants",
    metadata,
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("self_provisioning_domains", Text, nullable=False, server_default="[]"),
    Column("custom_attributes", Text, nullable=False, server_default="{}"),
    Column("enforce_sso", Boolean, nullable=False, server_default="0"),
    Column("disabled", Boolean, nullable=False, server_default="0"),
    Column("settings", Text, nullable=False, server_default="{}"),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("project_id", "name", name="uq_tenants_name"),
)

permissions = Table(
    "permissions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("description", String(2000), nullable=False, server_default=""),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("project_id", "name", name="uq_permissions_name"),
)

# ``tenant_id`` is '' for a project-level role (a NULL would defeat the unique constraint).
roles = Table(
    "roles",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("tenant_id", String(64), nullable=False, server_default=""),
    Column("name", String(200), nullable=False),
    Column("description", String(2000), nullable=False, server_default=""),
    Column("is_default", Boolean, nullable=False, server_default="0"),
    Column("private", Boolean, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("project_id", "tenant_id", "name", name="uq_roles_name"),
)

role_permissions = Table(
    "role_permissions",
    metadata,
    Column("role_id", String(32), ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
    Column("permission_id", String(32), ForeignKey("permissions.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_role_permissions_permission", "permission_id"),
)

# A principal is a user or an access key (both have globally unique generated IDs). Rows
# name roles and permissions by ID, so a rename shows everywhere at once.
principal_tenants = Table(
    "principal_tenants",
    metadata,
    Column("principal_id", String(32), primary_key=True),
    Column("tenant_id", String(64), primary_key=True),
    Column("project_id", String(32), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    ForeignKeyConstraint(
        ["project_id", "tenant_id"], ["tenants.project_id", "tenants.id"], ondelete="CASCADE", name="fk_member_tenant"
    ),
    Index("ix_principal_tenants_tenant", "project_id", "tenant_id"),
)

# ``tenant_id`` is '' for a project-level grant, else the tenant the role applies in.
principal_roles = Table(
    "principal_roles",
    metadata,
    Column("principal_id", String(32), primary_key=True),
    Column("tenant_id", String(64), primary_key=True),
    Column("role_id", String(32), ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Index("ix_principal_roles_role", "role_id"),
    Index("ix_principal_roles_project_tenant", "project_id", "tenant_id"),
)

access_keys = Table(
    "access_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("status", String(16), nullable=False),
    Column("expires_at", BigInteger, nullable=False, server_default="0"),
    Column("created_by", String(200), nullable=False, server_default=""),
    Column("client_id", String(64), nullable=False, server_default=""),
    Column("bound_user_id", String(32), nullable=False, server_default=""),
    Column("custom_claims", Text, nullable=False, server_default="{}"),
    Column("description", String(2000), nullable=False, server_default=""),
    Column("permitted_ips", Text, nullable=False, server_default="[]"),
    Column("custom_attributes", Text, nullable=False, server_default="{}"),
    Column("created_at", BigInteger, nullable=False),
    Column("modified_at", BigInteger, nullable=False),
    Index("ix_access_keys_project", "project_id", "created_at"),
)

# A social login or SSO sign-in on its way: started (``state`` sent to the provider, kept
# only as a keyed hash, with the PKCE verifier sealed and the nonce), returned (the provider
# answered and the user is known: a one-time Descope ``code`` for the app, hashed too) and
# exchanged. Each step is one conditional update, so a state or code works once.
oauth_flows = Table(
    "oauth_flows",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("provider", String(200), nullable=False),
    Column("state_hash", String(64), nullable=False, unique=True),
    Column("code_hash", String(64), nullable=True, unique=True),
    Column("binding_hash", String(64), nullable=False, server_default=""),
    Column("status", String(16), nullable=False),
    Column("redirect_url", Text, nullable=False),
    Column("callback_url", Text, nullable=False),
    Column("details", Text, nullable=False, server_default="{}"),
    Column("user_id", String(32), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Index("ix_oauth_flows_project_expires", "project_id", "expires_at"),
)

# Who a user is at a social login provider: the provider's subject (``sub``, GitHub's user
# ID), the email it asserted, and its tokens only when the provider's ``store_tokens`` asks
# (sealed).
user_identities = Table(
    "user_identities",
    metadata,
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("provider", String(200), primary_key=True),
    Column("subject", String(255), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("email", String(320), nullable=False, server_default=""),
    Column("tokens", Text, nullable=False, server_default=""),
    Column("created_at", BigInteger, nullable=False),
    Column("last_used_at", BigInteger, nullable=False),
    Index("ix_user_identities_user", "user_id"),
)

# A tenant's SSO configuration (``models/sso.py``), one per tenant and ``sso_id`` ("" the
# default), as JSON; the OIDC client secret in it sealed.
sso_configurations = Table(
    "sso_configurations",
    metadata,
    Column("project_id", String(32), primary_key=True),
    Column("tenant_id", String(64), primary_key=True),
    Column("sso_id", String(64), primary_key=True),
    Column("settings", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("modified_at", BigInteger, nullable=False),
    ForeignKeyConstraint(
        ["project_id", "tenant_id"], ["tenants.project_id", "tenants.id"], ondelete="CASCADE", name="fk_sso_tenant"
    ),
)

# SAML assertions already accepted, until they expire (their NotOnOrAfter): the replay cache.
saml_assertions = Table(
    "saml_assertions",
    metadata,
    Column("project_id", String(32), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("assertion_id", String(255), primary_key=True),
    Column("expires_at", BigInteger, nullable=False),
    Index("ix_saml_assertions_expires", "project_id", "expires_at"),
)
