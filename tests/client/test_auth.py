"""Signing in as a person (`client.auth`): password, MFA, the session's profile and sign-out, against the sandbox.

The client is built with an empty API token, as the OAuth consent page builds it; the auth requests must never send
`api_access_token`, and a sign-in (password or code) is sent exactly once whatever happens.
"""

from __future__ import annotations

import logging

import httpx2
import pytest

from chatwoot_client import (
    ChatwootAPIError,
    ChatwootAuthError,
    ChatwootConnectionError,
    ChatwootNotFoundError,
    ChatwootRateLimitError,
    ChatwootResponseError,
    ChatwootServerError,
    ChatwootTimeoutError,
    ChatwootValidationError,
)
from chatwoot_client.types import DeviseSession, Profile, SignIn
from chatwoot_sandbox import (
    ADMIN_EMAIL,
    ADMIN_TOKEN,
    ADMIN_USER_ID,
    AGENT_EMAIL,
    AGENT_TOKEN,
    DEMO_PASSWORD,
    MFA_BACKUP_CODE,
    MFA_CODE,
    MFA_EMAIL,
    MFA_USER_ID,
    SandboxState,
)
from tests.client.conftest import AnyClient, Connect, Kind, Reply, Script, mock_client, resolve

pytestmark = pytest.mark.anyio

SIGN_IN = "/auth/sign_in"
WRONG_PASSWORD = "Not-The-Pa55word!"


@pytest.fixture
def anon(connect: Connect) -> AnyClient:
    """A client of either kind with an empty API token, as the consent page builds it."""
    return connect("")


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def sign_ins(state: SandboxState) -> int:
    return sum(1 for record in state.requests if record.path == SIGN_IN)


def hidden(secret: str, *things: object) -> bool:
    """Whether `secret` appears in none of the things' str, repr and attributes."""
    texts = [text for thing in things for text in (str(thing), repr(thing), repr(getattr(thing, "__dict__", "")))]
    return not any(secret in text for text in texts)


async def signed_in(client: AnyClient, email: str = ADMIN_EMAIL) -> DeviseSession:
    answer = await resolve(client.auth.sign_in(email, DEMO_PASSWORD))
    assert answer.session is not None
    return answer.session


async def mfa_token(client: AnyClient) -> str:
    answer = await resolve(client.auth.sign_in(MFA_EMAIL, DEMO_PASSWORD))
    assert answer.session is None and answer.mfa_token is not None
    return answer.mfa_token


# -- signing in -------------------------------------------------------------------------------------------------


async def test_sign_in_gives_a_session_without_sending_an_api_token(anon: AnyClient, state: SandboxState) -> None:
    answer = await resolve(anon.auth.sign_in(ADMIN_EMAIL, DEMO_PASSWORD))

    assert isinstance(answer, SignIn) and isinstance(answer.session, DeviseSession)
    assert answer.mfa_token is None
    session = answer.session
    assert session.uid == ADMIN_EMAIL
    assert state.sessions[session.client].access_token == session.access_token
    assert session.expiry is not None and session.expiry.year >= 2026
    assert isinstance(answer.user, Profile) and answer.user.id == ADMIN_USER_ID
    record = state.requests[-1]
    assert (record.method, record.path, record.status) == ("POST", SIGN_IN, 200)
    assert "api_access_token" not in record.headers
    assert record.json == {"email": ADMIN_EMAIL, "password": "[FILTERED]"}


async def test_auth_requests_leave_out_the_clients_own_api_token(connect: Connect, state: SandboxState) -> None:
    client = connect(AGENT_TOKEN)
    session = await signed_in(client)
    profile = await resolve(client.auth.profile(session))
    await resolve(client.auth.sign_out(session))

    assert profile.access_token == ADMIN_TOKEN  # the session's user, not the token's
    assert [r.path for r in state.requests] == [SIGN_IN, "/api/v1/profile", "/auth/sign_out"]
    for record in state.requests:
        assert "api_access_token" not in record.headers
    assert [record.headers.get("uid") for record in state.requests] == [None, ADMIN_EMAIL, ADMIN_EMAIL]


async def test_the_session_and_the_sign_in_keep_their_secrets_out_of_repr_and_dumps(anon: AnyClient) -> None:
    session = await signed_in(anon)
    token = await mfa_token(anon)
    answer = SignIn(mfa_token=token)
    for text in (repr(session), str(session), session.model_dump_json(), repr(session.model_dump())):
        assert session.access_token not in text
        assert session.client in text
    for text in (repr(answer), str(answer), answer.model_dump_json()):
        assert token not in text
    assert session.headers() == {"access-token": session.access_token, "client": session.client, "uid": ADMIN_EMAIL}


def test_a_sign_in_has_exactly_one_outcome() -> None:
    session = DeviseSession(access_token="a", client="c", uid="u")
    with pytest.raises(ValueError, match="either a session or an mfa_token"):
        SignIn()
    with pytest.raises(ValueError, match="either a session or an mfa_token"):
        SignIn(session=session, mfa_token="m")


async def test_a_wrong_password_is_an_auth_error_that_does_not_repeat_it(
    anon: AnyClient, state: SandboxState, debug_logs: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ChatwootAuthError) as caught:
        await resolve(anon.auth.sign_in(ADMIN_EMAIL, WRONG_PASSWORD))

    error = caught.value
    assert error.status_code == 401
    assert error.description == "Invalid login credentials. Please try again."
    assert (error.method, error.path) == ("POST", SIGN_IN)
    assert hidden(WRONG_PASSWORD, error, anon, state.requests[-1], error.body)
    assert all(hidden(WRONG_PASSWORD, record.getMessage(), record.args) for record in debug_logs.records)
    assert sign_ins(state) == 1 and state.sessions == {}


# -- MFA --------------------------------------------------------------------------------------------------------


async def test_mfa_sign_in_takes_the_code(anon: AnyClient, state: SandboxState) -> None:
    token = await mfa_token(anon)
    session = await resolve(anon.auth.verify_mfa(token, MFA_CODE))

    assert isinstance(session, DeviseSession) and session.uid == MFA_EMAIL
    profile = await resolve(anon.auth.profile(session))
    assert profile.id == MFA_USER_ID
    assert profile.access_token == state.users[MFA_USER_ID].access_token
    assert state.requests[-2].json == {"mfa_token": "[FILTERED]", "otp_code": "[FILTERED]"}
    assert "api_access_token" not in state.requests[-2].headers


async def test_mfa_sign_in_takes_a_backup_code_once(anon: AnyClient) -> None:
    token = await mfa_token(anon)
    session = await resolve(anon.auth.verify_mfa(token, backup_code=MFA_BACKUP_CODE))
    assert session.uid == MFA_EMAIL
    with pytest.raises(ChatwootValidationError):
        await resolve(anon.auth.verify_mfa(token, backup_code=MFA_BACKUP_CODE))


async def test_a_wrong_mfa_code_is_a_validation_error_and_the_token_stays_usable(
    anon: AnyClient, state: SandboxState
) -> None:
    token = await mfa_token(anon)
    with pytest.raises(ChatwootValidationError) as caught:
        await resolve(anon.auth.verify_mfa(token, "000000"))
    assert (caught.value.status_code, caught.value.description) == (400, "Invalid verification code")
    assert hidden(token, caught.value)

    session = await resolve(anon.auth.verify_mfa(token, MFA_CODE))
    assert session.uid == MFA_EMAIL
    assert sign_ins(state) == 3


async def test_an_unknown_or_expired_mfa_token_is_an_auth_error(anon: AnyClient, state: SandboxState) -> None:
    with pytest.raises(ChatwootAuthError) as caught:
        await resolve(anon.auth.verify_mfa("garbage-token", MFA_CODE))
    assert (caught.value.status_code, caught.value.description) == (401, "Invalid or expired MFA token")

    token = await mfa_token(anon)
    later = state.clock() + 301
    state.clock = lambda: later
    with pytest.raises(ChatwootAuthError):
        await resolve(anon.auth.verify_mfa(token, MFA_CODE))


async def test_verify_mfa_takes_one_kind_of_code(anon: AnyClient, state: SandboxState) -> None:
    with pytest.raises(ValueError, match="either otp_code or backup_code"):
        await resolve(anon.auth.verify_mfa("t"))
    with pytest.raises(ValueError, match="either otp_code or backup_code"):
        await resolve(anon.auth.verify_mfa("t", MFA_CODE, backup_code=MFA_BACKUP_CODE))
    assert sign_ins(state) == 0


async def test_a_user_who_must_set_up_mfa_gets_a_206_error_without_the_setup_secrets(
    anon: AnyClient, state: SandboxState
) -> None:
    user = state.users[5]
    user.mfa_setup_pending = True
    with pytest.raises(ChatwootAPIError) as caught:
        await resolve(anon.auth.sign_in(user.email, DEMO_PASSWORD))

    error = caught.value
    assert type(error) is ChatwootAPIError
    assert error.status_code == 206
    assert "requires two-factor authentication" in str(error)
    assert error.body == {"mfa_setup_required": True}
    for secret in ("secret=", "otpauth", DEMO_PASSWORD):
        assert hidden(secret, error)
    assert state.sessions == {}


async def test_a_206_without_the_setup_words_still_says_what_to_do(kind: Kind) -> None:
    script = Script(Reply(206, {"mfa_setup_required": True, "mfa_setup_token": "setup-secret", "secret": "S3CR3T"}))
    client = mock_client(kind, script, token="")
    with pytest.raises(ChatwootAPIError) as caught:
        await resolve(client.auth.sign_in(ADMIN_EMAIL, DEMO_PASSWORD))
    assert caught.value.status_code == 206
    assert "set up in Chatwoot" in caught.value.description
    assert hidden("setup-secret", caught.value) and hidden("S3CR3T", caught.value)


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(Reply(200, {"data": {"id": 1}}), id="200-without-session-headers"),
        pytest.param(Reply(206, {"mfa_required": True}), id="206-without-mfa-token"),
        pytest.param(Reply(206, text=""), id="206-empty"),
    ],
)
async def test_an_answer_chatwoot_does_not_give_is_a_response_error(kind: Kind, reply: Reply) -> None:
    client = mock_client(kind, Script(reply), token="")
    with pytest.raises(ChatwootResponseError):
        await resolve(client.auth.sign_in(ADMIN_EMAIL, DEMO_PASSWORD))


# -- the session ------------------------------------------------------------------------------------------------


async def test_the_sessions_profile_has_the_users_api_token(anon: AnyClient) -> None:
    session = await signed_in(anon, AGENT_EMAIL)
    profile = await resolve(anon.auth.profile(session))
    assert isinstance(profile, Profile)
    assert (profile.email, profile.access_token) == (AGENT_EMAIL, AGENT_TOKEN)


async def test_after_sign_out_the_session_no_longer_works(anon: AnyClient, state: SandboxState) -> None:
    session = await signed_in(anon)
    await resolve(anon.auth.sign_out(session))

    assert state.sessions == {}
    with pytest.raises(ChatwootAuthError) as caught:
        await resolve(anon.auth.profile(session))
    assert hidden(session.access_token, caught.value)
    with pytest.raises(ChatwootNotFoundError):
        await resolve(anon.auth.sign_out(session))


async def test_a_forged_session_is_an_auth_error(anon: AnyClient) -> None:
    session = await signed_in(anon)
    forged = DeviseSession(access_token="forged", client=session.client, uid=session.uid)
    with pytest.raises(ChatwootAuthError):
        await resolve(anon.auth.profile(forged))


# -- sent once --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error"), [(503, ChatwootServerError), (500, ChatwootServerError), (429, ChatwootRateLimitError)]
)
async def test_sign_in_is_not_retried_after_a_failed_answer(
    connect: Connect, state: SandboxState, status: int, error: type[ChatwootAPIError]
) -> None:
    client = connect("", max_retries=3)
    state.inject_fault(status, times=5, method="POST", path_contains=SIGN_IN)
    with pytest.raises(error):
        await resolve(client.auth.sign_in(ADMIN_EMAIL, DEMO_PASSWORD))
    assert sign_ins(state) == 1


async def test_verify_mfa_is_not_retried_after_a_failed_answer(connect: Connect, state: SandboxState) -> None:
    client = connect("", max_retries=3)
    token = await mfa_token(client)
    state.inject_fault(502, times=5, method="POST", path_contains=SIGN_IN)
    with pytest.raises(ChatwootServerError):
        await resolve(client.auth.verify_mfa(token, MFA_CODE))
    assert sign_ins(state) == 2


@pytest.mark.parametrize(
    ("failure", "error", "sent"),
    [
        (httpx2.ConnectError, ChatwootConnectionError, False),
        (httpx2.ConnectTimeout, ChatwootTimeoutError, False),
        (httpx2.ReadTimeout, ChatwootTimeoutError, True),
        (httpx2.RemoteProtocolError, ChatwootConnectionError, True),
    ],
)
async def test_sign_ins_are_not_retried_after_a_connection_failure(
    kind: Kind, failure: type[httpx2.TransportError], error: type[ChatwootConnectionError], sent: bool
) -> None:
    """Not even when the password provably never left: asking the person again is the caller's decision."""
    script = Script(failure)  # every attempt fails the same way
    client = mock_client(kind, script, token="", max_retries=3)
    with pytest.raises(error) as caught:
        await resolve(client.auth.sign_in(ADMIN_EMAIL, DEMO_PASSWORD))
    assert caught.value.sent is sent
    assert hidden(DEMO_PASSWORD, caught.value)
    with pytest.raises(error):
        await resolve(client.auth.verify_mfa("mfa-token", MFA_CODE))
    assert script.calls == [f"POST {SIGN_IN}"] * 2


async def test_the_sessions_profile_is_retried_like_any_read(connect: Connect, state: SandboxState) -> None:
    client = connect("", max_retries=2)
    session = await signed_in(client)
    state.inject_fault(503, method="GET", path_contains="/profile")
    profile = await resolve(client.auth.profile(session))
    assert profile.id == ADMIN_USER_ID
    assert [r.status for r in state.requests if r.path == "/api/v1/profile"] == [503, 200]
