"""Moving users in and out: ``passgate user import`` / ``export`` / ``set-password`` and the
management API's ``/v1/mgmt/user/import`` (through the SDK's ``import_users``).

The round trip runs across the backends: users made on SQLite (passwords native and
imported, an authenticator app, a passkey, roles, tenants, attributes) are exported,
imported on PostgreSQL, exported again — the same lines — and imported on a fresh SQLite;
there the users sign in with their passwords, their app's codes and their passkey.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import bcrypt
import pyotp
import pytest
from descope import UserObj
from descope.management.user_pwd import UserPassword, UserPasswordBcrypt

from tests.authenticator import Authenticator
from tests.oauth.flows import PROVIDER, callback_of, configure, signed_in_through
from tests.oauth.issuers import oidc_issuer
from tests.support import (
    LiveServer,
    database_url,
    live_server,
    passgate_cli_in_process,
    postgres_available,
    refused_code,
    stored_rows,
    unique_email,
)

ORIGIN = "http://localhost:3000"
PASSWORD = "correct horse battery staple"
PROGRESS = "SELECT lines_done FROM user_imports WHERE project_id = :p"


@contextmanager
def servers(tmp_path: Path, *backends: str, secret: str = "") -> Iterator[list[LiveServer]]:
    """One live server per backend, all with the same master secret (sealed TOTP secrets
    open on each), each with a new project."""
    key = secret or base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    with ExitStack() as stack:
        started = []
        for index, backend in enumerate(backends):
            data_dir = tmp_path / f"{backend}-{index}"
            url = stack.enter_context(database_url(backend, data_dir))
            started.append(stack.enter_context(live_server(url, data_dir, secret_key=key)))
        yield started


def cli(server: LiveServer, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``passgate ARGS --project P`` against the server's database (and its master secret)."""
    saved = os.environ.get("PASSGATE_SECRET_KEY")
    os.environ["PASSGATE_SECRET_KEY"] = str(server.settings.secret_key)
    try:
        return passgate_cli_in_process(
            server.settings.data_dir, server.settings.resolved_database_url(), *args, "--project", server.project_id
        )
    except subprocess.CalledProcessError as failed:
        if check:
            raise
        return subprocess.CompletedProcess(failed.args, failed.returncode, failed.stdout, failed.stderr)
    finally:
        if saved is None:
            os.environ.pop("PASSGATE_SECRET_KEY", None)
        else:
            os.environ["PASSGATE_SECRET_KEY"] = saved


def prepare(server: LiveServer) -> None:
    """The roles and tenant the users below hold (an import names them; it creates none)."""
    client = server.client(management=True)
    client.mgmt.role.create("editor")
    client.mgmt.tenant.create("Acme", id="acme")
    client.mgmt.role.create("auditor", tenant_id="acme")


def populate(server: LiveServer) -> dict[str, Any]:
    """Users with everything a user can hold, made through the SDK; what signs them in."""
    client = server.client(management=True)
    prepare(server)
    with_password = unique_email("native")
    client.password.sign_up(with_password, PASSWORD, {"name": "Native Password"})
    client.mgmt.user.update(
        with_password,
        email=with_password,
        verified_email=True,
        display_name="Native Password",
        role_names=["editor"],
        custom_attributes={},
    )
    client.mgmt.user.add_tenant(with_password, "acme")
    client.mgmt.user.add_tenant_roles(with_password, "acme", ["auditor"])

    imported = unique_email("bcrypt")
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    password = UserPassword(hashed=UserPasswordBcrypt(hashed))
    created = client.mgmt.user.invite_batch(
        [UserObj(imported, email=imported, phone="+14155550123", password=password)], send_mail=False
    )
    assert created["failedUsers"] == [], created

    with_app = unique_email("totp")
    key = client.totp.sign_up(with_app)["key"]
    client.totp.sign_in_code(with_app, pyotp.TOTP(key).now())

    with_passkey = unique_email("passkey")
    authenticator = Authenticator(ORIGIN)
    started = client.webauthn.sign_up_start(with_passkey, ORIGIN, {"name": "Passkey Holder"})
    client.webauthn.sign_up_finish(started["transactionId"], authenticator.register(started["options"]))

    disabled = unique_email("disabled")
    client.mgmt.user.create(disabled, email=disabled, given_name="Dee", family_name="Sabled")
    client.mgmt.user.deactivate(disabled)
    client.mgmt.user.create_test_user(unique_email("tester"), email=None)
    return {
        "password": with_password,
        "bcrypt": imported,
        "totp": (with_app, key),
        "passkey": (with_passkey, authenticator),
        "disabled": disabled,
    }


def exported(server: LiveServer, path: Path, *extra: str) -> list[dict[str, Any]]:
    cli(server, "user", "export", "--output", str(path), *extra)
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_export_import_round_trip_is_lossless_across_backends(tmp_path: Path) -> None:
    if not postgres_available() and not os.environ.get("CI"):
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    with (
        servers(tmp_path, "sqlite", "postgres", "sqlite") as (first, second, third),
        oidc_issuer([callback_of(first), callback_of(third)]) as issuer,
    ):
        made = populate(first)
        for server in (first, third):
            configure(server, {PROVIDER: issuer.provider_setting()})
        social = unique_email("social")
        socialite = signed_in_through(first, issuer, social)["user"]
        one = exported(first, tmp_path / "one.jsonl")
        assert len(one) == 7, [r["loginIds"] for r in one]
        by_login = {record["loginIds"][0]: record for record in one}
        native = by_login[made["password"]]
        assert set(native["hashedPassword"]) == {"argon2"}
        assert by_login[made["bcrypt"]]["hashedPassword"]["bcrypt"]["hash"].startswith("$2b$04$")
        assert set(by_login[made["totp"][0]]["totp"]) == {"sealed"}
        assert made["totp"][1] not in (tmp_path / "one.jsonl").read_text()  # sealed, not in the clear
        passkey = by_login[made["passkey"][0]]["passkeys"][0]
        assert passkey["credentialId"] == made["passkey"][1].credentials[0].id_text
        assert passkey["rpId"] == "localhost"
        assert native["roleNames"] == ["editor"]
        assert native["userTenants"] == [{"tenantId": "acme", "roleNames": ["auditor"]}]
        assert by_login[made["disabled"]]["status"] == "disabled"
        assert by_login[social]["identities"] == [{"provider": PROVIDER, "subject": social, "email": social}]

        prepare(second)
        done = cli(second, "user", "import", str(tmp_path / "one.jsonl"), "--no-progress")
        assert "imported 7 users, 0 refused" in done.stdout
        two = exported(second, tmp_path / "two.jsonl")
        assert two == one  # SQLite -> PostgreSQL -> the same lines

        prepare(third)
        cli(third, "user", "import", str(tmp_path / "two.jsonl"), "--no-progress")
        assert exported(third, tmp_path / "three.jsonl") == one  # PostgreSQL -> SQLite too

        client = third.client()
        for login_id in (made["password"], made["bcrypt"]):
            answer = client.password.sign_in(login_id, PASSWORD)
            assert client.validate_session(answer["sessionToken"]["jwt"])["amr"] == ["pwd"]
        with_app, key = made["totp"]
        if time.time() % 30 > 28.5:  # noqa: TID251 - the phone's clock: wait for a fresh step
            time.sleep(1.6)
        assert client.totp.sign_in_code(with_app, pyotp.TOTP(key).now())["user"]["TOTP"] is True
        with_passkey, authenticator = made["passkey"]
        started = client.webauthn.sign_in_start(with_passkey, ORIGIN)
        signed = client.webauthn.sign_in_finish(started["transactionId"], authenticator.sign(started["options"]))
        assert signed["user"]["webauthn"] is True
        assert refused_code(client.password.sign_in, made["disabled"], PASSWORD) in ("E062109", "E062904")
        again = signed_in_through(third, issuer, social)  # the identity came along: the same user
        assert again["firstSeen"] is False
        assert again["user"]["userId"] == socialite["userId"]
        assert again["user"]["OAuth"] == {PROVIDER: True}


def test_sealed_secrets_need_the_same_master_secret_and_clear_ones_do_not(tmp_path: Path) -> None:
    with servers(tmp_path, "sqlite") as (first,), servers(tmp_path / "other", "sqlite") as (other,):
        client = first.client()
        with_app = unique_email("totp")
        key = client.totp.sign_up(with_app)["key"]
        client.totp.sign_in_code(with_app, pyotp.TOTP(key).now())
        exported(first, tmp_path / "sealed.jsonl")
        refused = cli(other, "user", "import", str(tmp_path / "sealed.jsonl"), "--no-progress", check=False)
        assert refused.returncode == 3
        assert "line 1: " + with_app + ": totp.sealed does not open" in refused.stdout
        clear = exported(first, tmp_path / "clear.jsonl", "--clear-secrets")
        assert clear[0]["totp"] == {"secret": key}
        cli(other, "user", "import", str(tmp_path / "clear.jsonl"), "--no-progress")
        assert other.client().totp.sign_in_code(with_app, pyotp.TOTP(key).now())["user"]["TOTP"] is True


def test_bad_lines_are_reported_with_their_number_and_nothing_half_imported(tmp_path: Path) -> None:
    with servers(tmp_path, "sqlite") as (server,):
        taken = unique_email("taken")
        server.client(management=True).mgmt.user.create(taken, email=taken)
        good = [unique_email("good") for _ in range(3)]
        lines = [
            json.dumps({"loginIds": [good[0]], "email": good[0], "verifiedEmail": True}),
            "{not json",
            json.dumps({"email": "no-login-id@example.com"}),
            json.dumps({"loginIds": [unique_email("bad")], "email": "not an email"}),
            json.dumps({"loginIds": [unique_email("hash")], "hashedPassword": {"bcrypt": {"hash": "nope"}}}),
            "",
            json.dumps({"loginIds": [good[1]], "roleNames": ["no-such-role"]}),
            json.dumps({"loginIds": [taken]}),
            json.dumps({"loginIds": [good[0]]}),  # repeats line 1
            json.dumps({"loginIds": [good[2]], "hashedPassword": {"bcrypt": {"hash": _bcrypt()}}}),
        ]
        (tmp_path / "users.jsonl").write_text("\n".join(lines) + "\n")
        done = cli(server, "user", "import", str(tmp_path / "users.jsonl"), "--no-progress", "--json", check=False)
        assert done.returncode == 3
        report = json.loads(done.stdout)
        assert report["imported"] == 2
        reasons = {failure["line"]: failure["reason"] for failure in report["failures"]}
        assert set(reasons) == {2, 3, 4, 5, 7, 8, 9}
        assert "JSON" in reasons[2]
        assert "loginIds" in reasons[3]
        assert "hashedPassword" in reasons[5]
        assert "no-such-role" in reasons[7]
        assert "already used" in reasons[8]
        assert "repeats" in reasons[9]
        assert stored_rows(server, "SELECT 1 FROM login_ids WHERE login_id = :l", {"l": good[1]}) == []
        server.client().password.sign_in(good[2], PASSWORD)


def _bcrypt() -> str:
    return bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()


def test_an_import_killed_midway_resumes_without_duplicates(tmp_path: Path) -> None:
    with servers(tmp_path, "sqlite") as (server,):
        count = 20_000
        path = tmp_path / "many.jsonl"
        with path.open("w") as out:
            for i in range(count):
                out.write(json.dumps({"loginIds": [f"bulk-{i}@example.com"], "email": f"bulk-{i}@example.com"}) + "\n")
        env = {**os.environ, "PASSGATE_DATABASE_URL": server.settings.resolved_database_url()}
        command = [
            sys.executable, "-m", "passgate", "--data-dir", str(server.settings.data_dir),
            "user", "import", str(path), "--project", server.project_id, "--batch-size", "200", "--no-progress",
        ]  # fmt: skip
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = stored_rows(
                server, "SELECT lines_done FROM user_imports WHERE project_id = :p", {"p": server.project_id}
            )
            if done and done[0]["lines_done"] >= 2000:
                break
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=15)
        committed = stored_rows(
            server, "SELECT lines_done FROM user_imports WHERE project_id = :p", {"p": server.project_id}
        )
        assert 0 < committed[0]["lines_done"] < count, "the import finished before it could be killed"

        resumed = cli(server, "user", "import", str(path), "--no-progress", "--json")
        report = json.loads(resumed.stdout)
        assert report["resumedAfterLine"] >= committed[0]["lines_done"]
        assert report["failed"] == 0
        users = stored_rows(
            server, "SELECT COUNT(*) AS n, COUNT(DISTINCT login_id) AS d FROM login_ids WHERE login_id LIKE 'bulk-%'"
        )
        assert users == [{"n": count, "d": count}]


def test_dry_run_checks_and_writes_nothing(tmp_path: Path) -> None:
    with servers(tmp_path, "sqlite") as (server,):
        login_id = unique_email("dry")
        (tmp_path / "one.jsonl").write_text(json.dumps({"loginIds": [login_id]}) + "\n")
        done = cli(server, "user", "import", str(tmp_path / "one.jsonl"), "--dry-run", "--no-progress")
        assert "would import 1 users" in done.stdout
        assert stored_rows(server, "SELECT 1 FROM login_ids WHERE login_id = :l", {"l": login_id}) == []


def test_set_password_reads_standard_input_never_the_command_line(tmp_path: Path) -> None:
    with servers(tmp_path, "sqlite") as (server,):
        login_id = unique_email("cli")
        server.client(management=True).mgmt.user.create(login_id, email=login_id)
        env = {
            **os.environ,
            "PASSGATE_DATABASE_URL": server.settings.resolved_database_url(),
            "PASSGATE_SECRET_KEY": str(server.settings.secret_key),
        }
        command = [sys.executable, "-m", "passgate", "--data-dir", str(server.settings.data_dir), "user"]
        subprocess.run(
            [*command, "set-password", login_id, "--project", server.project_id],
            input=PASSWORD + "\n", env=env, check=True, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        server.client().password.sign_in(login_id, PASSWORD)
        temporary = subprocess.run(
            [*command, "set-password", login_id, "--temporary", "--project", server.project_id],
            input="another good password\n", env=env, check=False, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert temporary.returncode == 0, temporary.stderr
        assert refused_code(server.client().password.sign_in, login_id, "another good password") == "E062909"
        weak = subprocess.run(
            [*command, "set-password", login_id, "--project", server.project_id],
            input="password\n", env=env, check=False, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert weak.returncode != 0
        assert "E062902" in weak.stderr or "common" in weak.stderr
        from passgate.cli import main

        with pytest.raises(SystemExit):
            main(["user", "set-password", login_id, PASSWORD])  # a password on argv is not accepted


def test_the_management_import_of_auth0_and_firebase_exports(server: LiveServer) -> None:
    client = server.client(management=True)
    auth0_user = unique_email("auth0")
    hashed = _bcrypt()
    users = json.dumps({"user_id": "auth0|abc123", "email": auth0_user, "email_verified": True, "name": "Zero"})
    hashes = json.dumps({"_id": {"$oid": "abc123"}, "email": auth0_user, "passwordHash": hashed,
                         "connection": "Username-Password-Authentication"})  # fmt: skip
    answer = client.mgmt.user.import_users("Auth0", users.encode(), hashes.encode())
    assert answer["failures"] == []
    assert [(u["loginIds"], u["verifiedEmail"], u["password"]) for u in answer["users"]] == [([auth0_user], True, True)]
    assert client.password.sign_in(auth0_user, PASSWORD)["user"]["name"] == "Zero"

    # Firebase's published scrypt example: its password, salt, hash and the project's parameters.
    firebase_user = unique_email("firebase")
    export = {"users": [{
        "localId": "fb1", "email": firebase_user, "emailVerified": True,
        "passwordHash": "lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==",
        "salt": "42xEC+ixf3L2lw==", "createdAt": "1600000000000",
    }]}  # fmt: skip
    config = (
        "hash_config {\n  algorithm: SCRYPT,\n"
        "  base64_signer_key: "
        "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==,\n"
        "  base64_salt_separator: Bw==,\n  rounds: 8,\n  mem_cost: 14,\n}\n"
    )
    answer = client.mgmt.user.import_users("firebase", json.dumps(export).encode(), config.encode())
    assert answer["failures"] == []
    assert answer["users"][0]["createdTime"] == 1_600_000_000
    signed = client.password.sign_in(firebase_user, "user1password")
    assert client.validate_session(signed["sessionToken"]["jwt"])["amr"] == ["pwd"]
    rehashed = stored_rows(server, "SELECT hash FROM passwords WHERE user_id = :u", {"u": signed["user"]["userId"]})
    assert rehashed[0]["hash"].startswith("$argon2id$")


def test_the_management_import_reports_failures_and_dry_runs(server: LiveServer) -> None:
    client = server.client(management=True)
    fresh, bad = unique_email("fresh"), "+1 not a phone"
    lines = "\n".join([
        json.dumps({"loginIds": [fresh], "email": fresh}),
        json.dumps({"loginIds": ["phone-user"], "phone": bad}),
    ])  # fmt: skip
    dry = client.mgmt.user.import_users("passgate", lines.encode(), dryrun=True)
    assert [u["loginIds"] for u in dry["users"]] == [[fresh]]
    assert len(dry["failures"]) == 1
    assert dry["failures"][0]["user"] == "phone-user"
    assert stored_rows(server, "SELECT 1 FROM login_ids WHERE login_id = :l", {"l": fresh}) == []
    done = client.mgmt.user.import_users("passgate", lines.encode())
    assert [u["loginIds"] for u in done["users"]] == [[fresh]]
    assert refused_code(client.mgmt.user.import_users, "okta", b"{}") == "E011004"
    assert refused_code(client.mgmt.user.import_users, "passgate", b"") == "E011004"


def test_a_supabase_csv_export_imports_and_signs_in(tmp_path: Path) -> None:
    with servers(tmp_path, "sqlite") as (server,):
        login_id = unique_email("supabase")
        header = "id,email,encrypted_password,email_confirmed_at,phone,raw_user_meta_data,created_at"
        row = (
            f"8a1c0f3e-0000-4000-8000-000000000001,{login_id},{_bcrypt()},2024-01-02 03:04:05.123456+00,,"
            '"{""full_name"": ""Sue Pabase""}",2024-01-02 03:04:05.123456+00'
        )
        (tmp_path / "users.csv").write_text(header + "\n" + row + "\n")
        done = cli(server, "user", "import", str(tmp_path / "users.csv"), "--source", "supabase", "--no-progress")
        assert "imported 1 users, 0 refused" in done.stdout
        answer = server.client().password.sign_in(login_id, PASSWORD)
        assert (answer["user"]["name"], answer["user"]["verifiedEmail"]) == ("Sue Pabase", True)
