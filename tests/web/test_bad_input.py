"""Every route answers bad input with a Descope error body and a 4xx, never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from passgate.web.app import openapi_document
from tests.support import LiveServer

OPENAPI = openapi_document()
OPERATIONS = [
    (method.upper(), path)
    for path, item in OPENAPI["paths"].items()
    for method in item
    if method in ("get", "post", "put", "patch", "delete")
]
BODY_OPERATIONS = [(m, p) for m, p in OPERATIONS if m != "GET"]

# Routes whose every body field is optional: a well-formed JSON object is a valid request.
OPTIONAL_BODY = {
    "/v1/mgmt/audit/search",
    "/v1/mgmt/accesskey/search",
    "/v2/mgmt/user/search",
    "/v2/mgmt/user/search/test",
    "/v1/mgmt/tenant/search",
    "/v1/mgmt/role/search",
    "/v1/mgmt/auth/anonymous",  # every field optional; unknown fields ignored
    "/v1/mgmt/project/settings",  # a merge patch: {} changes nothing
    "/v1/mgmt/password/settings",  # the fields given change: {} changes nothing
}
# Routes that take no body at all and answer without a refresh token: whatever is sent is
# ignored (Descope's DELETE; try-refresh, which answers {} to a page without a session).
NO_BODY = {"/v1/mgmt/user/test/delete/all", "/v1/auth/try-refresh"}
NOT_AN_OBJECT = {"malformed-json", "not-an-object", "empty-body", "binary"}
TOO_DEEP = {"deep-claims", "deep-arrays", "deep-objects"}  # refused by every route, even all-optional ones

BAD_BODIES: dict[str, bytes] = {
    "malformed-json": b'{"loginId": "a@b.c",',
    "not-an-object": b"[1, 2, 3]",
    "wrong-types": b'{"loginId": 12, "code": [1], "email": {"x": 1}, "phone": true, "loginOptions": "yes", "user": 5}',
    "empty-object": b"{}",
    "nulls": b'{"loginId": null, "code": null, "email": null, "phone": null, "loginOptions": null, "user": null}',
    "empty-body": b"",
    "binary": bytes(range(256)),
    "deep-nesting": b'{"loginOptions": {"customClaims": ' + b'{"a": ' * 200 + b"1" + b"}" * 200 + b"}}",
    # deeper than any parser's stack should go (a recursive parser fails with RecursionError)
    "deep-claims": b'{"loginOptions": {"customClaims": ' + b'{"a": ' * 1000 + b"1" + b"}" * 1000 + b"}}",
    "deep-arrays": b'{"loginId": ' + b"[" * 1000 + b"]" * 1000 + b"}",
    "deep-objects": b'{"x": ' * 5000 + b"1" + b"}" * 5000,
}


def concrete(path: str, project_id: str) -> str:
    return path.replace("{method}", "email").replace("{project_id}", project_id)


def headers_for(path: str, server: LiveServer) -> dict[str, str]:
    secret = f":{server.management_key}" if path.startswith(("/v1/mgmt", "/v2/mgmt")) else ""
    return {"Authorization": f"Bearer {server.project_id}{secret}", "Content-Type": "application/json"}


def assert_descope_error(response: httpx.Response, *, allowed: set[int] | None = None) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    if allowed is not None:
        assert response.status_code in allowed
    body = response.json()
    assert set(body) >= {"errorCode", "errorDescription", "errorMessage"}
    assert body["errorCode"].startswith("E")
    return dict(body)


BAD_CASES = [
    (method, path, kind)
    for method, path in BODY_OPERATIONS
    for kind in BAD_BODIES
    # where every field is optional, any JSON object is a valid request
    if (path not in OPTIONAL_BODY or kind in NOT_AN_OBJECT | TOO_DEEP) and path not in NO_BODY
]


@pytest.mark.parametrize(("method", "path", "kind"), BAD_CASES)
def test_bad_bodies_get_descope_errors(server: LiveServer, method: str, path: str, kind: str) -> None:
    response = httpx.request(
        method,
        server.base_url + concrete(path, server.project_id),
        content=BAD_BODIES[kind],
        headers=headers_for(path, server),
        timeout=30,
    )
    if response.status_code == 200:
        # Routes that need no body (refresh, logout, …) may accept these; they must then
        # still refuse for want of a refresh token, which the bearer here lacks.
        pytest.fail(f"{method} {path} accepted {kind}: {response.text}")
    assert_descope_error(response)


@pytest.mark.parametrize(("method", "path"), BODY_OPERATIONS)
def test_oversized_bodies_are_refused(server: LiveServer, method: str, path: str) -> None:
    huge = b'{"loginId": "' + b"a" * 5_000_000 + b'"}'  # over even the batch routes' 4 MiB cap
    response = httpx.request(
        method, server.base_url + concrete(path, server.project_id), content=huge, headers=headers_for(path, server)
    )
    body = assert_descope_error(response, allowed={413})
    assert body["errorCode"] == "E011005"


def test_chunked_oversized_body_is_refused(server: LiveServer) -> None:
    def chunks() -> Any:
        yield b'{"loginId": "'
        for _ in range(100):
            yield b"a" * 10_000
        yield b'"}'

    response = httpx.post(
        f"{server.base_url}/v1/auth/otp/signin/email", content=chunks(), headers=headers_for("/v1/auth", server)
    )
    assert_descope_error(response)


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (None, "E011101"),
        ("Bearer", "E011101"),
        ("Basic abc", "E011101"),
        ("Bearer P2doesnotexist00000000000000", "E011101"),
        ("Bearer :::", "E011101"),
    ],
)
def test_bad_bearer_is_unauthorized(server: LiveServer, authorization: str | None, code: str) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = httpx.post(f"{server.base_url}/v1/auth/otp/signin/email", json={"loginId": "a@b.co"}, headers=headers)
    assert assert_descope_error(response, allowed={401})["errorCode"] == code


@pytest.mark.parametrize("secret", ["", ":pgk_wrong", ":eyJ.a.b"])
def test_management_routes_need_the_projects_management_key(server: LiveServer, secret: str) -> None:
    response = httpx.post(
        f"{server.base_url}/v1/mgmt/user/create",
        json={"loginId": "x@example.com"},
        headers={"Authorization": f"Bearer {server.project_id}{secret}"},
    )
    assert assert_descope_error(response, allowed={401})["errorCode"] == "E011102"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/auth/otp/signin/email", {"loginId": "not-an-email"}),
        ("/v1/auth/otp/signup/email", {"loginId": "no-at-sign"}),
        ("/v1/auth/otp/signup/sms", {"loginId": "+1"}),
        ("/v1/auth/otp/signup/sms", {"loginId": "12345"}),
        ("/v1/auth/otp/signup/email", {"loginId": "a@b.co", "email": "bad@@x"}),
        ("/v1/auth/otp/verify/email", {"loginId": "a@b.co", "code": "12ab56"}),
        ("/v1/auth/otp/signup/fax", {"loginId": "a@b.co"}),
        ("/v1/auth/otp/update/phone/email", {"loginId": "a@b.co", "phone": "+14155550100"}),
    ],
)
def test_invalid_addresses_and_methods_are_client_errors(server: LiveServer, path: str, body: dict[str, Any]) -> None:
    response = httpx.post(server.base_url + path, json=body, headers=headers_for(path, server))
    assert_descope_error(response, allowed={400, 401})


def test_unknown_route_and_method_are_descope_errors(server: LiveServer) -> None:
    assert_descope_error(httpx.get(f"{server.base_url}/v1/auth/nothing"), allowed={404})
    assert_descope_error(httpx.get(f"{server.base_url}/v1/auth/otp/verify/email"), allowed={405})


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/auth/otp/signin/email", {"loginId": "user\u0000name"}),
        ("/v1/auth/otp/signup/email", {"loginId": "a@b.co", "user": {"name": "nul\u0000"}}),
        ("/v1/mgmt/user/create", {"loginId": "plain", "customAttributes": {"k\u0000": "v"}}),
        ("/v1/mgmt/user/create", {"loginId": "plain2", "additionalLoginIds": ["x" * 400]}),
        ("/v1/mgmt/user/create", {"loginId": "plain3", "givenName": "g" * 201}),
    ],
)
def test_values_a_database_cannot_store_are_client_errors(server: LiveServer, path: str, body: dict[str, Any]) -> None:
    response = httpx.post(server.base_url + path, json=body, headers=headers_for(path, server))
    assert_descope_error(response, allowed={400})
