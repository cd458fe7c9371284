"""Every error body the real Chatwoot sends becomes a typed, readable exception that never shows the token."""

from __future__ import annotations

import logging
import socket

import httpx2
import pytest

from chatwoot_client import (
    AsyncChatwootClient,
    ChatwootAPIError,
    ChatwootAuthError,
    ChatwootClient,
    ChatwootConnectionError,
    ChatwootError,
    ChatwootNotFoundError,
    ChatwootPermissionError,
    ChatwootRateLimitError,
    ChatwootServerError,
    ChatwootTimeoutError,
    ChatwootValidationError,
)
from tests.client.conftest import (
    CANARY_TOKEN,
    RETRY_LATER,
    AnyClient,
    Kind,
    Reply,
    Script,
    html_page,
    mock_client,
    resolve,
)

CONVERSATION_PATH = "/api/v1/accounts/1/conversations/42"
DEVISE_MESSAGE = "You need to sign in or sign up before continuing."

# (reply, exception class, words the message must contain), from chatwoot-api.md §1 and §4.
ERROR_TABLE = [
    pytest.param(
        Reply(401, {"error": "Invalid Access Token"}), ChatwootAuthError, "Invalid Access Token", id="401-bad-token"
    ),
    pytest.param(Reply(401, {"errors": [DEVISE_MESSAGE]}), ChatwootAuthError, DEVISE_MESSAGE, id="401-devise-blank"),
    pytest.param(
        Reply(401, {"error": "You are not authorized to do this action"}),
        ChatwootAuthError,
        "not authorized to do this action",
        id="401-pundit",
    ),
    pytest.param(
        Reply(401, {"error": "Account is suspended"}), ChatwootAuthError, "Account is suspended", id="401-suspended"
    ),
    pytest.param(
        Reply(403, {"error": "Message status update is only allowed for API inboxes"}),
        ChatwootPermissionError,
        "only allowed for API inboxes",
        id="403",
    ),
    pytest.param(
        Reply(404, {"error": "Resource could not be found"}),
        ChatwootNotFoundError,
        "Resource could not be found",
        id="404",
    ),
    pytest.param(
        Reply(422, {"error": "source_id should be unique"}),
        ChatwootValidationError,
        "source_id should be unique",
        id="422-error",
    ),
    pytest.param(
        Reply(422, {"message": "Content is too long (maximum is 150000 characters)", "attributes": ["content"]}),
        ChatwootValidationError,
        "Content is too long",
        id="422-record-invalid",
    ),
    pytest.param(
        Reply(422, {"error": "param is missing or the value is empty: labels"}),
        ChatwootValidationError,
        "param is missing",
        id="422-parameter-missing",
    ),
    pytest.param(Reply(400, {"error": "Bad request"}), ChatwootValidationError, "Bad request", id="400"),
    pytest.param(RETRY_LATER, ChatwootRateLimitError, "Retry later", id="429-rack-attack"),
    pytest.param(Reply(429, text=""), ChatwootRateLimitError, "Rate limited", id="429-empty"),
    pytest.param(html_page(500), ChatwootServerError, "internal error", id="500-html"),
    pytest.param(html_page(502), ChatwootServerError, "Bad gateway", id="502-html"),
    pytest.param(Reply(503, text=""), ChatwootServerError, "unavailable", id="503-empty"),
    pytest.param(html_page(504), ChatwootServerError, "Gateway timeout", id="504-html"),
    pytest.param(Reply(418, {"error": "I'm a teapot"}), ChatwootAPIError, "teapot", id="418-unmapped"),
]


def _assert_token_hidden(exc: BaseException, client: AnyClient, caplog: pytest.LogCaptureFixture) -> None:
    assert CANARY_TOKEN not in str(exc)
    assert CANARY_TOKEN not in repr(exc)
    assert CANARY_TOKEN not in repr(client)
    assert CANARY_TOKEN not in str(vars(exc))
    for record in caplog.records:
        assert CANARY_TOKEN not in record.getMessage(), record.getMessage()
        assert CANARY_TOKEN not in repr(record.args)


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="httpx2")
    caplog.set_level(logging.DEBUG, logger="chatwoot_client")
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.mark.anyio
@pytest.mark.parametrize(("reply", "error", "words"), ERROR_TABLE)
async def test_error_bodies_map_to_typed_readable_errors(
    kind: Kind,
    reply: Reply,
    error: type[ChatwootAPIError],
    words: str,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    script = Script(reply)
    client = mock_client(kind, script, max_retries=1)

    with pytest.raises(ChatwootAPIError) as caught:
        await resolve(client.conversations.get(1, 42))

    exc = caught.value
    assert type(exc) is error
    assert isinstance(exc, ChatwootError)
    assert exc.status_code == reply.status
    assert words in str(exc)
    assert "Unknown error" not in str(exc)
    assert "<" not in exc.description, "HTML leaked into the message"
    assert str(exc).startswith(f"[{reply.status}] ")
    assert str(exc).endswith(f"(GET {CONVERSATION_PATH})")
    assert (exc.method, exc.path) == ("GET", CONVERSATION_PATH)
    # The token really was sent, so its absence from messages and logs means something.
    assert script.requests[0].headers["api_access_token"] == CANARY_TOKEN
    assert any(record.name == "httpx2" for record in debug_logs.records), "nothing was logged to check"
    _assert_token_hidden(exc, client, debug_logs)


@pytest.mark.anyio
async def test_record_invalid_lists_the_invalid_fields(kind: Kind) -> None:
    body = {"message": "Name can't be blank, Email is invalid", "attributes": ["name", "email"]}
    client = mock_client(kind, Script(Reply(422, body)))

    with pytest.raises(ChatwootValidationError) as caught:
        await resolve(client.conversations.get(1, 42))

    assert caught.value.description == "Name can't be blank, Email is invalid"
    assert "invalid fields: name, email" in str(caught.value)
    assert caught.value.body == body


@pytest.mark.anyio
async def test_devise_errors_list_of_strings_does_not_crash(kind: Kind) -> None:
    # The SDK called .get() on each string here and raised AttributeError instead of an auth error.
    client = mock_client(kind, Script(Reply(401, {"errors": [DEVISE_MESSAGE, "Second reason"]})), token="")

    with pytest.raises(ChatwootAuthError) as caught:
        await resolve(client.profile.get())

    assert caught.value.description == DEVISE_MESSAGE
    assert caught.value.errors == ["Second reason"]
    assert "Second reason" in str(caught.value)


@pytest.mark.anyio
async def test_rate_limit_error_carries_the_retry_after_hint(kind: Kind) -> None:
    client = mock_client(kind, Script(Reply(429, text="Retry later\n", headers={"retry-after": "61"})), max_retries=0)

    with pytest.raises(ChatwootRateLimitError) as caught:
        await resolve(client.conversations.get(1, 42))
    assert caught.value.retry_after is None  # over the 60 s cap: not a usable hint

    client = mock_client(kind, Script(Reply(429, text="Retry later\n", headers={"retry-after": "7"})), max_retries=0)
    with pytest.raises(ChatwootRateLimitError) as caught:
        await resolve(client.conversations.get(1, 42))
    assert caught.value.retry_after == 7.0


@pytest.mark.anyio
async def test_rack_attack_429_without_retry_after_has_no_hint(kind: Kind) -> None:
    client = mock_client(kind, Script(RETRY_LATER), max_retries=0)
    with pytest.raises(ChatwootRateLimitError) as caught:
        await resolve(client.conversations.list(1))
    assert caught.value.retry_after is None
    assert caught.value.description == "Retry later"


@pytest.mark.anyio
async def test_a_json_error_with_a_wrong_content_type_is_still_readable(kind: Kind) -> None:
    reply = Reply(404, text='{"error":"Resource could not be found"}', headers={"content-type": "text/plain"})
    client = mock_client(kind, Script(reply))
    with pytest.raises(ChatwootNotFoundError) as caught:
        await resolve(client.conversations.get(1, 42))
    assert "Resource could not be found" in str(caught.value)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("transport_error", "error"),
    [
        (httpx2.ConnectError, ChatwootConnectionError),
        (httpx2.ReadError, ChatwootConnectionError),
        (httpx2.RemoteProtocolError, ChatwootConnectionError),
        (httpx2.ConnectTimeout, ChatwootTimeoutError),
        (httpx2.ReadTimeout, ChatwootTimeoutError),
        (httpx2.WriteTimeout, ChatwootTimeoutError),
        (httpx2.PoolTimeout, ChatwootTimeoutError),
    ],
)
async def test_transport_failures_become_chatwoot_errors(
    kind: Kind,
    transport_error: type[httpx2.TransportError],
    error: type[ChatwootConnectionError],
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    script = Script(transport_error)
    client = mock_client(kind, script, max_retries=2)

    with pytest.raises(ChatwootConnectionError) as caught:
        await resolve(client.conversations.get(1, 42))

    assert type(caught.value) is error
    assert f"GET {CONVERSATION_PATH}" in str(caught.value)
    assert transport_error.__name__ in str(caught.value)
    assert len(script.requests) == 3  # a GET is retried after any transport failure
    _assert_token_hidden(caught.value, client, debug_logs)


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.anyio
async def test_connection_refused_on_a_real_socket(kind: Kind, debug_logs: pytest.LogCaptureFixture) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    options = {"max_retries": 1, "retry_initial_delay": 0.001, "retry_max_delay": 0.001, "timeout": 5.0}
    client: AnyClient
    if kind == "async":
        client = AsyncChatwootClient(url, CANARY_TOKEN, **options)
    else:
        client = ChatwootClient(url, CANARY_TOKEN, **options)

    with pytest.raises(ChatwootConnectionError) as caught:
        await resolve(client.agents.list(1))

    assert not isinstance(caught.value, ChatwootTimeoutError)
    assert "Could not reach Chatwoot" in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    _assert_token_hidden(caught.value, client, debug_logs)
    if isinstance(client, AsyncChatwootClient):
        await client.aclose()
    else:
        client.close()


@pytest.mark.anyio
async def test_success_logs_never_show_the_token(kind: Kind, debug_logs: pytest.LogCaptureFixture) -> None:
    script = Script(html_page(503), Reply(200, {"payload": ["billing"]}))
    client = mock_client(kind, script)

    assert await resolve(client.conversations.labels.list(1, 42)) == ["billing"]

    assert len(script.requests) == 2
    assert any("retrying GET" in record.getMessage() for record in debug_logs.records)
    for record in debug_logs.records:
        assert CANARY_TOKEN not in record.getMessage()
    assert CANARY_TOKEN not in repr(client)
