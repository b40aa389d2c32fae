"""The operator's ``passgate`` commands against a live server's database (run through the
CLI's entry point in-process; tests/cli/test_commands.py runs the command as a process)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import subprocess
from typing import Any

import httpx
import pytest
from descope import AuthException, DeliveryMethod, DescopeClient

from passgate.storage import users_store
from passgate.storage.connect import open_database
from tests.storage.build import a_user
from tests.support import (
    LiveServer,
    error_code,
    passgate_cli_in_process,
    signed_in,
    stored_rows,
    unique_email,
    wait_until,
)


def cli(server: LiveServer, *args: str) -> subprocess.CompletedProcess[str]:
    """``passgate ARGS`` on the server's database; raises if it fails."""
    return passgate_cli_in_process(server.settings.data_dir, server.settings.resolved_database_url(), *args)


def cli_json(server: LiveServer, *args: str) -> Any:
    """``passgate ARGS --json`` for the server's project, parsed (exactly one JSON document)."""
    return json.loads(cli(server, *args, "--project", server.project_id, "--json").stdout)


def cli_fails(server: LiveServer, *args: str) -> subprocess.CalledProcessError:
    """``passgate ARGS``, which must exit non-zero; its outcome."""
    with pytest.raises(subprocess.CalledProcessError) as failed:
        cli(server, *args)
    return failed.value


def mgmt_client(server: LiveServer, key: str) -> DescopeClient:
    return DescopeClient(project_id=server.project_id, base_url=server.base_url, management_key=key)


# --- management keys -----------------------------------------------------------------------------


def test_mgmt_key_is_shown_once_works_and_stops_at_once_when_revoked(server: LiveServer) -> None:
    created = cli_json(server, "mgmt-key", "create", "--name", "ci")
    assert set(created) == {"id", "name", "managementKey"}
    assert created["name"] == "ci"
    key = created["managementKey"]
    client = mgmt_client(server, key)
    login_id = unique_email("mk")
    client.mgmt.user.create(login_id, email=login_id)

    listed = cli_json(server, "mgmt-key", "list")
    assert {"id": created["id"], "name": "ci", "revoked": None} == {
        k: v for k, v in next(row for row in listed if row["id"] == created["id"]).items() if k != "created"
    }
    table = cli(server, "mgmt-key", "list", "--project", server.project_id).stdout
    for listing in (json.dumps(listed), table):
        assert key not in listing
        assert hashlib.sha256(key.encode()).hexdigest() not in listing

    revoked = cli_json(server, "mgmt-key", "revoke", created["id"])
    assert revoked == {"id": created["id"], "revoked": True}
    with pytest.raises(AuthException) as refused:
        client.mgmt.user.load(login_id)
    assert refused.value.status_code == 401
    assert error_code(refused.value) == "E011102"
    assert next(row for row in cli_json(server, "mgmt-key", "list") if row["id"] == created["id"])["revoked"]
    assert server.client(management=True).mgmt.user.load(login_id)["user"]["loginIds"] == [login_id]  # others work


def test_mgmt_key_table_for_people(server: LiveServer) -> None:
    cli(server, "mgmt-key", "create", "--name", "table", "--project", server.project_id)
    lines = cli(server, "mgmt-key", "list", "--project", server.project_id).stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "CREATED", "REVOKED"]
    name_column = lines[0].index("NAME")
    assert any(line[name_column:].startswith("table ") for line in lines[1:])  # aligned under its heading


def test_mgmt_key_belongs_to_its_project(server: LiveServer) -> None:
    other = json.loads(cli(server, "project", "create", "--name", "other", "--json").stdout)
    created = cli_json(server, "mgmt-key", "create", "--name", "scoped")
    foreign = DescopeClient(
        project_id=other["projectId"], base_url=server.base_url, management_key=created["managementKey"]
    )
    with pytest.raises(AuthException) as refused:
        foreign.mgmt.user.load(unique_email())
    assert refused.value.status_code == 401
    assert error_code(refused.value) == "E011102"
    assert created["id"] not in json.dumps(
        json.loads(cli(server, "mgmt-key", "list", "--project", other["projectId"], "--json").stdout)
    )


def test_mgmt_key_failures_exit_non_zero_with_the_error(server: LiveServer) -> None:
    unknown = cli_fails(server, "mgmt-key", "revoke", "K2doesnotexist", "--project", server.project_id)
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("error: E112106 ")
    no_project = cli_fails(server, "mgmt-key", "list", "--project", "P2nosuchproject")
    assert no_project.returncode == 1
    assert no_project.stderr.startswith("error: E112105 ")
    blank = cli_fails(server, "mgmt-key", "create", "--name", " ", "--project", server.project_id)
    assert blank.stderr.startswith("error: E011004 ")
    assert cli_fails(server, "mgmt-key", "create", "--project", server.project_id).returncode == 2  # usage


def test_several_projects_need_project_named(server: LiveServer) -> None:
    cli(server, "project", "create", "--name", "second")
    failed = cli_fails(server, "mgmt-key", "list")
    assert failed.returncode == 1
    assert "--project" in failed.stderr


# --- projects and settings ---------------------------------------------------------------------


def test_project_list_and_show(server: LiveServer) -> None:
    listed = json.loads(cli(server, "project", "list", "--json").stdout)
    assert server.project_id in [p["projectId"] for p in listed]
    assert cli(server, "project", "list").stdout.splitlines()[0].split() == ["PROJECT", "ID", "NAME"]

    shown = cli_json(server, "project", "show")
    assert shown["projectId"] == server.project_id
    assert shown["settings"]["otp_length"] == 6
    table = cli(server, "project", "show", "--project", server.project_id).stdout
    assert any(line.split() == ["otp_length", "6"] for line in table.splitlines())


def test_project_settings_change_takes_effect_in_the_running_server(server: LiveServer) -> None:
    client, login_id = server.client(), unique_email("cli")
    changed = cli_json(
        server, "project", "settings", "--set", "otp_length=9", "--json-patch", '{"otp_expiry_seconds": 90}'
    )
    try:
        assert (changed["otp_length"], changed["otp_expiry_seconds"]) == (9, 90)
        assert cli_json(server, "project", "settings")["otp_length"] == 9
        client.otp.sign_up_or_in(DeliveryMethod.EMAIL, login_id)
        code = server.inbox.code_for(login_id)
        assert len(code) == 9
        assert client.otp.verify_code(DeliveryMethod.EMAIL, login_id, code)["user"]["loginIds"] == [login_id]
    finally:
        cli_json(server, "project", "settings", "--set", "otp_length=null", "--set", "otp_expiry_seconds=null")
    assert cli_json(server, "project", "settings")["otp_length"] == 6


def test_provider_secrets_given_to_the_cli_are_sealed_and_never_shown(server: LiveServer) -> None:
    google = '{"client_id": "1234.apps.googleusercontent.com", "client_secret": "GOCSPX-cli-secret"}'
    try:
        changed = cli_json(server, "project", "settings", "--set", f"oauth_providers.google={google}")
        assert changed["oauth_providers"]["google"]["client_secret"] == "(sealed)"
        assert (
            cli_json(server, "project", "show")["settings"]["oauth_providers"]["google"]["client_secret"] == "(sealed)"
        )
        assert "GOCSPX-cli-secret" not in cli(server, "project", "show", "--project", server.project_id).stdout
        stored = stored_rows(server, "SELECT settings FROM projects WHERE id = :p", {"p": server.project_id})
        assert "GOCSPX-cli-secret" not in stored[0]["settings"]
        # a changed client ID keeps the sealed secret (the placeholder of a copied dump too)
        again = cli_json(server, "project", "settings", "--set", "oauth_providers.google.client_secret=(sealed)")
        assert again["oauth_providers"]["google"]["client_secret"] == "(sealed)"
    finally:
        cli_json(server, "project", "settings", "--set", "oauth_providers=null")


def test_project_settings_dotted_keys_and_plain_strings(server: LiveServer) -> None:
    before = cli_json(server, "project", "settings")
    url = "http://localhost:3000/verify"
    changed = cli_json(
        server,
        "project",
        "settings",
        "--set",
        "rate_limits.sends_per_project=99999/minute",
        "--set",
        f"default_redirect_url={url}",
        "--set",
        'enabled_channels=["email", "sms"]',
    )
    try:
        assert changed["rate_limits"] == {**before["rate_limits"], "sends_per_project": "99999/minute"}
        assert changed["default_redirect_url"] == url
        assert changed["enabled_channels"] == ["email", "sms"]
    finally:
        cli(server, "project", "settings", "--project", server.project_id, "--json-patch", json.dumps(before))


def test_allowed_origins_set_by_the_cli_reach_the_running_server(server: LiveServer) -> None:
    """A list is given as JSON (``--set 'allowed_origins=[...]'``); the running server, which
    did not make the change, serves it from its next reload of the origins."""
    page = "https://cli.example"
    preflight = {"Origin": page, "Access-Control-Request-Method": "POST"}

    def preflight_status() -> int:
        return httpx.options(f"{server.base_url}/v1/auth/refresh", headers=preflight).status_code

    assert preflight_status() == 403
    changed = cli_json(server, "project", "settings", "--set", f'allowed_origins=["{page}"]')
    try:
        assert changed["allowed_origins"] == [page]
        wait_until(lambda: preflight_status() == 204)
    finally:
        cli_json(server, "project", "settings", "--set", "allowed_origins=null")
    wait_until(lambda: preflight_status() == 403)


@pytest.mark.parametrize(
    ("args", "status", "expected"),
    [
        (["--set", "otp_length=3"], 1, "error: E011003 Invalid value for otp_length"),
        (["--set", "otp_lenght=8"], 1, "error: E011004 Unknown setting: otp_lenght"),
        (
            ["--set", "default_redirect_url=https://evil.example"],
            1,
            "error: E011004 Invalid value for default_redirect_url",
        ),
        (["--json-patch", "[1, 2]"], 1, "error: E011003 --json-patch must be a JSON object"),
        (["--set", "allowed_origins=https://a.example"], 1, "error: E011003 Invalid value for allowed_origins"),
        (["--set", 'allowed_origins=["https://a.example/"]'], 1, "error: E011004 Invalid value for allowed_origins"),
        (["--json-patch", "{nope"], 1, "error: E011003 --json-patch is not valid JSON"),
        (["--set", "otp_length"], 2, "expected KEY=VALUE"),
    ],
)
def test_project_settings_refuses_bad_values(server: LiveServer, args: list[str], status: int, expected: str) -> None:
    failed = cli_fails(server, "project", "settings", "--project", server.project_id, *args)
    assert failed.returncode == status
    assert expected in failed.stderr
    assert failed.stdout == ""
    assert cli_json(server, "project", "settings")["otp_length"] == 6


def test_project_create_refuses_bad_settings(server: LiveServer) -> None:
    failed = cli_fails(server, "project", "create", "--name", "bad", "--settings", '{"otp_length": 99}')
    assert failed.stderr.startswith("error: E011003 Invalid value for otp_length")
    assert "bad" not in [p["name"] for p in json.loads(cli(server, "project", "list", "--json").stdout)]


# --- users, tenants, roles, access keys -----------------------------------------------------------


def test_user_create_list_show_and_the_sdk_sees_the_user(server: LiveServer) -> None:
    login_id = unique_email("ann")
    created = cli_json(server, "user", "create", login_id, "--email", login_id, "--name", "Ann")
    assert (created["loginIds"], created["name"], created["verifiedEmail"]) == ([login_id], "Ann", True)
    loaded = server.client(management=True).mgmt.user.load(login_id)["user"]
    assert loaded["userId"] == created["userId"]

    listed = cli_json(server, "user", "list", "--text", login_id)
    assert [user["userId"] for user in listed] == [created["userId"]]
    assert cli_json(server, "user", "show", "--user-id", created["userId"])["loginIds"] == [login_id]
    table = cli(server, "user", "list", "--project", server.project_id, "--text", login_id).stdout.splitlines()
    assert table[0].split()[:4] == ["USER", "ID", "LOGIN", "IDS"]
    assert table[1].startswith(created["userId"])


def test_user_disable_ends_sessions_enable_and_delete(server: LiveServer) -> None:
    login_id = unique_email("dis")
    refresh = signed_in(server, login_id)["refreshSessionToken"]["jwt"]
    client = server.client()

    assert cli_json(server, "user", "disable", login_id)["status"] == "disabled"
    with pytest.raises(AuthException):
        client.refresh_session(refresh)
    assert cli_json(server, "user", "enable", login_id)["status"] == "enabled"
    sent = server.inbox.count(login_id)
    client.otp.sign_in(DeliveryMethod.EMAIL, login_id)  # signs in again
    client.otp.verify_code(DeliveryMethod.EMAIL, login_id, server.inbox.code_for(login_id, after=sent))

    assert cli_json(server, "user", "delete", login_id)["deleted"] is True
    with pytest.raises(AuthException) as gone:
        server.client(management=True).mgmt.user.load(login_id)
    assert error_code(gone.value) == "E112102"


def test_user_failures_exit_non_zero(server: LiveServer) -> None:
    login_id = unique_email("dup")
    cli(server, "user", "create", login_id, "--project", server.project_id)
    cases = [
        (["user", "create", login_id], "E062107"),
        (["user", "create", unique_email(), "--role", "no-such-role"], "E112301"),
        (["user", "show", unique_email()], "E112102"),
        (["user", "delete", unique_email()], "E112102"),
        (["user", "disable"], "E011002"),
    ]
    for args, code in cases:
        failed = cli_fails(server, *args, "--project", server.project_id)
        assert failed.returncode == 1, args
        assert failed.stderr.startswith(f"error: {code} "), (args, failed.stderr)
    assert cli_fails(server, "user", "list", "--status", "sleeping").returncode == 2


def _plant_legacy_users(server: LiveServer, login_ids: list[str]) -> list[str]:
    """Users stored with these login IDs as they are, one each, the way a server before
    edge canonicalisation could store them; their IDs."""

    async def plant() -> list[str]:
        db = await open_database(server.settings.resolved_database_url(), pool_size=1)
        try:
            users = [a_user(server.project_id, login_ids=(login_id,), test=False) for login_id in login_ids]
            async with db.transaction() as tx:
                for user in users:
                    await users_store.insert_user(tx, user)
            return [user.id for user in users]
        finally:
            await db.close()

    return asyncio.run(plant())


def test_user_duplicates_finds_users_split_by_spelling_and_stranded_spellings(server: LiveServer) -> None:
    phone = f"+1415555{secrets.randbelow(10_000):04d}"
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in phone)
    local = unique_email("split").split("@")[0]
    split = _plant_legacy_users(server, [phone, f"tel:{phone}", full_width])
    [stranded] = _plant_legacy_users(server, [f"mailto:{local}@example.com"])
    ours = {*split, stranded}

    rows = [row for row in cli_json(server, "user", "duplicates") if row["userId"] in ours]
    assert sorted((row["canonical"], row["kind"], row["loginId"], row["userId"]) for row in rows) == sorted(
        [
            *(
                (phone, "split", login_id, user_id)
                for login_id, user_id in zip([phone, f"tel:{phone}", full_width], split, strict=True)
            ),
            (f"{local}@example.com", "stranded", f"mailto:{local}@example.com", stranded),
        ]
    )
    # the operator resolves them with the user commands; then nothing is reported
    for user_id in [*split[1:], stranded]:
        cli(server, "user", "delete", "--user-id", user_id, "--project", server.project_id)
    assert not [row for row in cli_json(server, "user", "duplicates") if row["userId"] in ours]
    table = cli(server, "user", "duplicates", "--project", server.project_id).stdout.splitlines()
    assert table[0].split() == ["CANONICAL", "KIND", "LOGIN", "ID", "USER", "ID"]


def test_tenant_and_role_grants_reach_the_users_jwt(server: LiveServer) -> None:
    tenant = cli_json(server, "tenant", "create", "--name", f"Acme {unique_email()}", "--domain", "acme.example")
    admin = cli_json(server, "role", "create", f"admin-{tenant['id']}", "--description", "everything")
    editor = cli_json(server, "role", "create", "editor", "--tenant", tenant["id"])
    assert (editor["tenantId"], admin["tenantId"]) == (tenant["id"], "")

    login_id = unique_email("granted")
    cli(server, "user", "create", login_id, "--project", server.project_id, "--role", admin["name"])
    session = signed_in(server, login_id)
    claims = server.client().validate_session(session["sessionToken"]["jwt"])
    assert admin["name"] in claims["roles"]

    member = unique_email("member")
    cli(server, "user", "create", member, "--project", server.project_id, "--tenant", f"{tenant['id']}:editor")
    tenants_claim = server.client().validate_session(signed_in(server, member)["sessionToken"]["jwt"])["tenants"]
    assert tenants_claim[tenant["id"]]["roles"] == ["editor"]
    assert cli_json(server, "user", "list", "--tenant", tenant["id"])[0]["userTenants"][0]["roleNames"] == ["editor"]


def test_tenant_commands(server: LiveServer) -> None:
    name, tenant_id = f"Tenant {unique_email()}", f"t-{secrets.token_hex(4)}"
    created = cli_json(server, "tenant", "create", "--name", name, "--id", tenant_id)
    assert created["id"] == tenant_id
    assert server.client(management=True).mgmt.tenant.load(created["id"])["name"] == name
    assert created["id"] in [t["id"] for t in cli_json(server, "tenant", "list")]
    assert cli_json(server, "tenant", "show", created["id"])["name"] == name
    assert "NAME" in cli(server, "tenant", "list", "--project", server.project_id).stdout.splitlines()[0]

    duplicate = cli_fails(server, "tenant", "create", "--name", name, "--project", server.project_id)
    assert duplicate.stderr.startswith("error: E112202 ")
    assert cli_json(server, "tenant", "delete", created["id"]) == {"id": created["id"], "deleted": True}
    assert cli_fails(server, "tenant", "show", created["id"], "--project", server.project_id).stderr.startswith(
        "error: E112201 "
    )
    assert cli_fails(server, "tenant", "delete", created["id"], "--project", server.project_id).returncode == 1


def test_role_commands(server: LiveServer) -> None:
    name = f"viewer-{unique_email()}"
    created = cli_json(server, "role", "create", name, "--description", "reads")
    assert name in [role["name"] for role in server.client(management=True).mgmt.role.load_all()["roles"]]
    assert name in [role["name"] for role in cli_json(server, "role", "list")]
    assert cli_fails(server, "role", "create", name, "--project", server.project_id).stderr.startswith(
        "error: E112302 "
    )
    assert cli_json(server, "role", "delete", name)["id"] == created["id"]
    assert name not in [role["name"] for role in cli_json(server, "role", "list")]
    assert cli_fails(server, "role", "delete", name, "--project", server.project_id).stderr.startswith(
        "error: E112301 "
    )


def test_access_key_create_list_revoke(server: LiveServer) -> None:
    created = cli_json(server, "accesskey", "create", "--name", "bot", "--expires-in", "3600")
    key_id, cleartext = created["key"]["id"], created["cleartext"]
    client = server.client()
    assert client.exchange_access_key(cleartext)["sessionToken"]["jwt"]

    listed = next(key for key in cli_json(server, "accesskey", "list") if key["id"] == key_id)
    assert listed["status"] == "active"
    assert cleartext not in json.dumps(listed)
    assert cli_json(server, "accesskey", "revoke", key_id) == {"id": key_id, "status": "inactive"}
    with pytest.raises(AuthException) as refused:
        client.exchange_access_key(cleartext)
    assert error_code(refused.value) == "E062803"
    assert next(key for key in cli_json(server, "accesskey", "list") if key["id"] == key_id)["status"] == "inactive"
    unknown = cli_fails(server, "accesskey", "revoke", "K2nosuchkey", "--project", server.project_id)
    assert unknown.stderr.startswith("error: E112401 ")
