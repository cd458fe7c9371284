"""Signing in as a person: `POST /auth/sign_in` (password, then MFA), the session headers on the API, sign-out.

The statuses, bodies and headers are devise_token_auth's and Chatwoot's session controller's (see routes/auth.py).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx2
import pytest

from chatwoot_sandbox import (
    ADMIN_EMAIL,
    ADMIN_TOKEN,
    ADMIN_USER_ID,
    AGENT_EMAIL,
    AGENT_TOKEN,
    DEMO_ACCOUNT_ID,
    DEMO_PASSWORD,
    MFA_BACKUP_CODE,
    MFA_CODE,
    MFA_EMAIL,
    MFA_USER_ID,
    SandboxState,
    create_app,
)

pytestmark = pytest.mark.anyio

SIGN_IN = "/auth/sign_in"
SIGN_OUT = "/auth/sign_out"
PROFILE = "/api/v1/profile"
SESSION_HEADERS = ("access-token", "client", "uid")
BAD_CREDENTIALS = {"success": False, "errors": ["Invalid login credentials. Please try again."]}
SIGN_IN_FIRST = {"errors": ["You need to sign in or sign up before continuing."]}
NOT_SIGNED_IN = {"success": False, "errors": ["User was not found or was not logged in."]}


@pytest.fixture
async def raw(state: SandboxState) -> AsyncIterator[httpx2.AsyncClient]:
    """A client that sends no API token: what a browser signing in sends."""
    transport = httpx2.ASGITransport(app=create_app(state))
    async with httpx2.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        yield http


def session_of(response: httpx2.Response) -> dict[str, str]:
    return {name: response.headers[name] for name in SESSION_HEADERS}


async def signed_in(raw: httpx2.AsyncClient, email: str = ADMIN_EMAIL) -> dict[str, str]:
    response = await raw.post(SIGN_IN, json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    return session_of(response)


async def mfa_token(raw: httpx2.AsyncClient) -> str:
    response = await raw.post(SIGN_IN, json={"email": MFA_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 206, response.text
    return response.json()["mfa_token"]


# -- the password step ----------------------------------------------------------------------------------------


async def test_sign_in_answers_the_session_in_headers_and_the_user_without_the_api_token(
    raw: httpx2.AsyncClient, state: SandboxState
) -> None:
    response = await raw.post(SIGN_IN, json={"email": ADMIN_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 200
    headers = response.headers
    assert headers["uid"] == ADMIN_EMAIL
    assert headers["token-type"] == "Bearer"
    assert headers["access-token"] and headers["client"]
    assert int(headers["expiry"]) > time.time() + 59 * 86400
    data = response.json()["data"]
    assert (data["id"], data["email"], data["uid"], data["provider"]) == (
        ADMIN_USER_ID,
        ADMIN_EMAIL,
        ADMIN_EMAIL,
        "email",
    )
    assert data["role"] == "administrator" and data["account_id"] == DEMO_ACCOUNT_ID
    assert [account["id"] for account in data["accounts"]] == [1, 2]
    assert {"status", "active_at", "role", "permissions", "availability", "auto_offline"} <= set(data["accounts"][0])
    assert "access_token" not in data
    assert ADMIN_TOKEN not in response.text
    assert list(state.sessions) == [headers["client"]]


async def test_every_sign_in_is_a_new_session(raw: httpx2.AsyncClient, state: SandboxState) -> None:
    first, second = await signed_in(raw), await signed_in(raw)
    assert first["client"] != second["client"] and first["access-token"] != second["access-token"]
    assert len(state.sessions) == 2


async def test_the_email_is_found_in_any_case_and_without_surrounding_spaces(raw: httpx2.AsyncClient) -> None:
    response = await raw.post(SIGN_IN, json={"email": "  Priya.Natarajan@ACME.example ", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert response.headers["uid"] == AGENT_EMAIL


@pytest.mark.parametrize(
    "body",
    [
        {"email": ADMIN_EMAIL, "password": "wrong"},
        {"email": ADMIN_EMAIL, "password": DEMO_PASSWORD.lower()},
        {"email": "nobody@acme.example", "password": DEMO_PASSWORD},
        {"email": ADMIN_EMAIL},
        {"password": DEMO_PASSWORD},
        {"email": ADMIN_EMAIL, "password": ""},
        {},
    ],
)
async def test_bad_credentials_are_401_without_a_session(
    raw: httpx2.AsyncClient, state: SandboxState, body: dict[str, str]
) -> None:
    response = await raw.post(SIGN_IN, json=body)
    assert (response.status_code, response.json()) == (401, BAD_CREDENTIALS)
    assert not any(name in response.headers for name in SESSION_HEADERS)
    assert state.sessions == {}


async def test_the_credentials_may_come_as_headers(raw: httpx2.AsyncClient) -> None:
    response = await raw.post(SIGN_IN, headers={"email": AGENT_EMAIL, "password": DEMO_PASSWORD})
    assert (response.status_code, response.headers["uid"]) == (200, AGENT_EMAIL)


async def test_sign_in_does_not_read_the_api_token(raw: httpx2.AsyncClient) -> None:
    response = await raw.post(
        SIGN_IN, json={"email": AGENT_EMAIL, "password": DEMO_PASSWORD}, headers={"api_access_token": "nope"}
    )
    assert response.status_code == 200


# -- the MFA step ---------------------------------------------------------------------------------------------


async def test_a_user_with_mfa_gets_206_and_an_mfa_token_instead_of_a_session(
    raw: httpx2.AsyncClient, state: SandboxState
) -> None:
    response = await raw.post(SIGN_IN, json={"email": MFA_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 206
    body = response.json()
    assert set(body) == {"mfa_required", "mfa_token"} and body["mfa_required"] is True
    assert isinstance(body["mfa_token"], str) and body["mfa_token"]
    assert not any(name in response.headers for name in SESSION_HEADERS)
    assert state.sessions == {}


async def test_a_wrong_password_of_the_mfa_user_is_still_401(raw: httpx2.AsyncClient) -> None:
    response = await raw.post(SIGN_IN, json={"email": MFA_EMAIL, "password": "wrong"})
    assert (response.status_code, response.json()) == (401, BAD_CREDENTIALS)


async def test_the_mfa_code_finishes_the_sign_in(raw: httpx2.AsyncClient) -> None:
    token = await mfa_token(raw)
    response = await raw.post(SIGN_IN, json={"mfa_token": token, "otp_code": MFA_CODE})
    assert response.status_code == 200
    assert response.headers["uid"] == MFA_EMAIL
    assert response.json()["data"]["id"] == MFA_USER_ID
    profile = await raw.get(PROFILE, headers=session_of(response))
    assert profile.json()["id"] == MFA_USER_ID


async def test_a_wrong_mfa_code_is_400_and_the_token_stays_usable(raw: httpx2.AsyncClient) -> None:
    token = await mfa_token(raw)
    for wrong in ("000000", "", None):
        response = await raw.post(SIGN_IN, json={"mfa_token": token, "otp_code": wrong})
        assert (response.status_code, response.json()) == (400, {"error": "Invalid verification code"})
        assert "access-token" not in response.headers
    response = await raw.post(SIGN_IN, json={"mfa_token": token, "otp_code": MFA_CODE})
    assert response.status_code == 200


@pytest.mark.parametrize("token", ["garbage", "eyJhbGciOiJIUzI1NiJ9.e30.x", 42])
async def test_an_unknown_mfa_token_is_401(raw: httpx2.AsyncClient, token: object) -> None:
    response = await raw.post(SIGN_IN, json={"mfa_token": token, "otp_code": MFA_CODE})
    assert (response.status_code, response.json()) == (401, {"error": "Invalid or expired MFA token"})


async def test_the_mfa_token_expires_after_five_minutes(raw: httpx2.AsyncClient, state: SandboxState) -> None:
    token = await mfa_token(raw)
    now = time.time()
    state.clock = lambda: now + 301
    response = await raw.post(SIGN_IN, json={"mfa_token": token, "otp_code": MFA_CODE})
    assert (response.status_code, response.json()) == (401, {"error": "Invalid or expired MFA token"})


async def test_a_backup_code_works_once(raw: httpx2.AsyncClient) -> None:
    token = await mfa_token(raw)
    first = await raw.post(SIGN_IN, json={"mfa_token": token, "backup_code": MFA_BACKUP_CODE})
    assert first.status_code == 200
    again = await raw.post(SIGN_IN, json={"mfa_token": token, "backup_code": MFA_BACKUP_CODE})
    assert (again.status_code, again.json()) == (400, {"error": "Invalid verification code"})


async def test_a_user_who_must_set_up_mfa_gets_206_with_the_setup(raw: httpx2.AsyncClient, state: SandboxState) -> None:
    state.users[5].mfa_setup_pending = True
    response = await raw.post(SIGN_IN, json={"email": state.users[5].email, "password": DEMO_PASSWORD})
    assert response.status_code == 206
    body = response.json()
    assert body["mfa_setup_required"] is True
    assert {"mfa_setup_token", "provisioning_url", "secret"} <= set(body)
    assert body["error"] == "Your account requires two-factor authentication. Set it up to continue signing in."
    assert "access-token" not in response.headers


# -- the session on the API, and signing out ------------------------------------------------------------------


async def test_the_session_reads_the_profile_with_the_api_token(raw: httpx2.AsyncClient) -> None:
    response = await raw.get(PROFILE, headers=await signed_in(raw, AGENT_EMAIL))
    assert response.status_code == 200
    assert response.json()["access_token"] == AGENT_TOKEN
    assert response.json()["email"] == AGENT_EMAIL


async def test_the_session_works_on_account_endpoints_too(raw: httpx2.AsyncClient) -> None:
    session = await signed_in(raw, AGENT_EMAIL)
    response = await raw.get(f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations", headers=session)
    assert response.status_code == 200
    refused = await raw.get("/api/v1/accounts/2/conversations", headers=session)
    assert refused.status_code == 401


@pytest.mark.parametrize(
    "change",
    [
        {"access-token": "wrong"},
        {"client": "wrong"},
        {"uid": AGENT_EMAIL},
        {"access-token": ""},
    ],
)
async def test_session_headers_that_do_not_match_are_401(raw: httpx2.AsyncClient, change: dict[str, str]) -> None:
    session = await signed_in(raw)
    response = await raw.get(PROFILE, headers={**session, **change})
    assert (response.status_code, response.json()) == (401, SIGN_IN_FIRST)


async def test_a_blank_api_token_falls_through_to_the_session(raw: httpx2.AsyncClient) -> None:
    response = await raw.get(PROFILE, headers={**await signed_in(raw), "api_access_token": " "})
    assert (response.status_code, response.json()["email"]) == (200, ADMIN_EMAIL)


@pytest.mark.parametrize("missing", SESSION_HEADERS)
async def test_a_session_needs_all_three_headers(raw: httpx2.AsyncClient, missing: str) -> None:
    session = await signed_in(raw)
    del session[missing]
    response = await raw.get(PROFILE, headers=session)
    assert (response.status_code, response.json()) == (401, SIGN_IN_FIRST)


async def test_an_api_token_that_is_sent_wins_over_the_session(raw: httpx2.AsyncClient) -> None:
    session = await signed_in(raw)
    response = await raw.get(PROFILE, headers={**session, "api_access_token": "nope"})
    assert (response.status_code, response.json()) == (401, {"error": "Invalid Access Token"})
    as_agent = await raw.get(PROFILE, headers={**session, "api_access_token": AGENT_TOKEN})
    assert as_agent.json()["email"] == AGENT_EMAIL


async def test_the_api_token_still_works_alone(raw: httpx2.AsyncClient) -> None:
    response = await raw.get(PROFILE, headers={"api_access_token": ADMIN_TOKEN})
    assert (response.status_code, response.json()["email"]) == (200, ADMIN_EMAIL)


async def test_a_session_expires_after_two_months(raw: httpx2.AsyncClient, state: SandboxState) -> None:
    session = await signed_in(raw)
    now = time.time()
    state.clock = lambda: now + 61 * 86400
    response = await raw.get(PROFILE, headers=session)
    assert (response.status_code, response.json()) == (401, SIGN_IN_FIRST)


async def test_sign_out_ends_the_session(raw: httpx2.AsyncClient, state: SandboxState) -> None:
    session = await signed_in(raw)
    other = await signed_in(raw)
    response = await raw.delete(SIGN_OUT, headers=session)
    assert (response.status_code, response.json()) == (200, {"success": True})
    after = await raw.get(PROFILE, headers=session)
    assert (after.status_code, after.json()) == (401, SIGN_IN_FIRST)
    assert (await raw.get(PROFILE, headers=other)).status_code == 200
    assert list(state.sessions) == [other["client"]]


async def test_sign_out_without_a_live_session_is_404(raw: httpx2.AsyncClient) -> None:
    session = await signed_in(raw)
    await raw.delete(SIGN_OUT, headers=session)
    for headers in (session, {}, {**session, "client": "wrong"}):
        response = await raw.delete(SIGN_OUT, headers=headers)
        assert (response.status_code, response.json()) == (404, NOT_SIGNED_IN)


async def test_sign_out_does_not_accept_the_api_token(raw: httpx2.AsyncClient) -> None:
    response = await raw.delete(SIGN_OUT, headers={"api_access_token": ADMIN_TOKEN})
    assert (response.status_code, response.json()) == (404, NOT_SIGNED_IN)


async def test_other_methods_are_not_routed(raw: httpx2.AsyncClient) -> None:
    assert (await raw.get(SIGN_IN)).status_code == 404
    assert (await raw.get(SIGN_OUT)).status_code == 404


# -- the request log ------------------------------------------------------------------------------------------


async def test_the_request_log_keeps_no_password_or_mfa_secret(raw: httpx2.AsyncClient, state: SandboxState) -> None:
    token = await mfa_token(raw)
    await raw.post(SIGN_IN, json={"mfa_token": token, "otp_code": MFA_CODE})
    await raw.post(SIGN_IN, json={"email": ADMIN_EMAIL, "password": DEMO_PASSWORD})
    await raw.post(SIGN_IN, params={"email": ADMIN_EMAIL, "password": DEMO_PASSWORD})
    await raw.post(SIGN_IN, content=f"email={ADMIN_EMAIL}&password={DEMO_PASSWORD}")
    await raw.post(SIGN_IN, headers={"email": ADMIN_EMAIL, "password": DEMO_PASSWORD})
    records = list(state.requests)
    assert len(records) == 6
    for record in records:
        for secret in (DEMO_PASSWORD, token, MFA_CODE):
            assert secret not in repr(record), record
            assert secret.encode() not in record.body
    assert records[1].json == {"mfa_token": "[FILTERED]", "otp_code": "[FILTERED]"}
    assert records[2].json == {"email": ADMIN_EMAIL, "password": "[FILTERED]"}
    assert records[2].status == 200
    assert records[3].query["password"] == "[FILTERED]" and records[3].query["email"] == ADMIN_EMAIL
    assert records[4].body == b""
    assert records[5].headers["password"] == "[FILTERED]"


async def test_other_bodies_are_logged_as_sent(client: httpx2.AsyncClient, state: SandboxState) -> None:
    raw = b'{"content": "my password is hunter2", "private": true}'
    path = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations/1/messages"
    await client.post(path, content=raw, headers={"content-type": "application/json"})
    assert state.requests[-1].body == raw
