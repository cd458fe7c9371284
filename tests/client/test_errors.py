"""Every error body the real Chatwoot sends becomes a typed, readable exception that never shows the token."""

from __future__ import annotations

import logging
import socket
from typing import Any

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
    ChatwootRequestError,
    ChatwootResponseError,
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
    assert (exc.method, exc.path, exc.sent) == ("GET", CONVERSATION_PATH, True)
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
    ("transport_error", "error", "sent"),
    [
        (httpx2.ConnectError, ChatwootConnectionError, False),
        (httpx2.ReadError, ChatwootConnectionError, True),
        (httpx2.RemoteProtocolError, ChatwootConnectionError, True),
        (httpx2.ConnectTimeout, ChatwootTimeoutError, False),
        (httpx2.ReadTimeout, ChatwootTimeoutError, True),
        (httpx2.WriteTimeout, ChatwootTimeoutError, True),
        (httpx2.PoolTimeout, ChatwootTimeoutError, False),
    ],
)
async def test_transport_failures_become_chatwoot_errors(
    kind: Kind,
    transport_error: type[httpx2.TransportError],
    error: type[ChatwootConnectionError],
    sent: bool,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    script = Script(transport_error)
    client = mock_client(kind, script, max_retries=2)

    with pytest.raises(ChatwootConnectionError) as caught:
        await resolve(client.conversations.get(1, 42))

    assert type(caught.value) is error
    assert (caught.value.method, caught.value.path, caught.value.sent) == ("GET", CONVERSATION_PATH, sent)
    assert f"GET {CONVERSATION_PATH}" in str(caught.value)
    assert transport_error.__name__ in str(caught.value)
    assert ("nothing was sent" in str(caught.value)) is not sent
    assert len(script.requests) == 3  # a GET is retried after any transport failure
    _assert_token_hidden(caught.value, client, debug_logs)


@pytest.mark.anyio
async def test_a_write_that_broke_off_says_it_may_have_been_applied(kind: Kind) -> None:
    client = mock_client(kind, Script(httpx2.RemoteProtocolError))

    with pytest.raises(ChatwootConnectionError) as caught:
        await resolve(client.messages.create(1, 42, "hello"))

    assert caught.value.sent is True
    assert "Could not reach" not in str(caught.value)
    assert str(caught.value).endswith("the request was sent and may have been applied")


def test_errors_built_by_hand_keep_their_old_signatures() -> None:
    assert str(ChatwootConnectionError("down")) == "down"
    assert (ChatwootTimeoutError("slow").method, ChatwootTimeoutError("slow").sent) == ("", True)
    refused = ChatwootConnectionError("refused", method="POST", path="/x", sent=False)
    assert (refused.method, refused.path, refused.sent) == ("POST", "/x", False)
    api = ChatwootServerError(500, "boom", method="GET", path="/y")
    assert (api.status_code, api.method, api.path, api.sent, str(api)) == (
        500,
        "GET",
        "/y",
        True,
        "[500] boom (GET /y)",
    )
    assert ChatwootRequestError("too big").sent is False
    assert ChatwootResponseError(200, "not JSON").path == ""


# --- 2xx answers Chatwoot never sends ------------------------------------------------------------------------------

HTML_LOGIN = Reply(
    200,
    text=f"<html><body>Sign in<input name='token' value='{CANARY_TOKEN}'></body></html>",
    headers={"content-type": "text/html"},
)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("call", "reply", "reason"),
    [
        pytest.param(lambda c: c.conversations.get(1, 42), HTML_LOGIN, "not JSON", id="get-html"),
        pytest.param(lambda c: c.conversations.get(1, 42), Reply(200, {}), "does not fit Conversation", id="get-{}"),
        pytest.param(lambda c: c.conversations.get(1, 42), Reply(200, [1]), "does not fit Conversation", id="get-[]"),
        pytest.param(lambda c: c.conversations.list(1), Reply(200, {}), "without the key 'data'", id="list-{}"),
        pytest.param(lambda c: c.conversations.list(1), Reply(200, []), "a JSON array of an", id="list-[]"),
        pytest.param(lambda c: c.conversations.list(1), Reply(200, text=""), "an empty body", id="list-empty"),
        pytest.param(
            lambda c: c.conversations.list(1),
            Reply(200, {"data": {"meta": {}, "payload": [{"id": "x"}]}}),
            "does not fit Conversation",
            id="list-bad-item",
        ),
        pytest.param(lambda c: c.conversations.get_counts(1), Reply(200, "ok"), "a JSON string", id="counts-string"),
        pytest.param(
            lambda c: c.conversations.labels.list(1, 42), Reply(200, {"payload": 3}), "object of an", id="labels-3"
        ),
        pytest.param(
            lambda c: c.conversations.update_custom_attributes(1, 42, {"a": 1}), Reply(200, [1]), "JSON array", id="ca"
        ),
        pytest.param(lambda c: c.agents.list(1), Reply(200, text="{not json"), "not JSON", id="agents-broken"),
        pytest.param(lambda c: c.messages.create(1, 42, "hi"), Reply(200, {}), "does not fit Message", id="message"),
    ],
)
async def test_a_2xx_body_chatwoot_never_sends_is_a_response_error(
    kind: Kind, call: Any, reply: Reply, reason: str, debug_logs: pytest.LogCaptureFixture
) -> None:
    script = Script(reply)
    client = mock_client(kind, script, max_retries=3)

    with pytest.raises(ChatwootResponseError) as caught:
        await resolve(call(client))

    exc = caught.value
    request = script.requests[-1]
    assert (exc.status_code, exc.method, exc.path, exc.sent) == (200, request.method, request.url.path, True)
    assert str(exc).startswith(f"Chatwoot answered 200 to {request.method} {request.url.path} with a body that is")
    assert reason in exc.reason
    assert "<" not in str(exc) and "Sign in" not in str(exc), "the body leaked into the message"
    assert exc.__cause__ is None and exc.__suppress_context__
    assert len(script.requests) == len({r.url.path for r in script.requests}), "a 2xx is never retried"
    _assert_token_hidden(exc, client, debug_logs)


@pytest.mark.anyio
async def test_a_bad_body_in_the_middle_of_a_call_names_that_request(kind: Kind) -> None:
    # update(status=..., assignee_id=...) is toggle_status, then assignments, then a fresh GET.
    toggled = Reply(200, {"meta": {}, "payload": {"success": True, "conversation_id": 42, "current_status": "open"}})
    script = Script(toggled, Reply(200, None), Reply(200, {"id": 42}))
    client = mock_client(kind, script)

    with pytest.raises(ChatwootResponseError) as caught:
        await resolve(client.conversations.update(1, 42, status="open", assignee_id=3))

    assert (caught.value.method, caught.value.path) == ("GET", CONVERSATION_PATH)
    assert len(script.requests) == 3


# --- requests that cannot be built ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_search_too_long_for_a_url_is_a_request_error_and_nothing_is_sent(kind: Kind) -> None:
    script = Script(Reply(200, {"meta": {}, "payload": []}))
    client = mock_client(kind, script)

    with pytest.raises(ChatwootRequestError) as caught:
        await resolve(client.conversations.search(1, "refund " * 12_000))

    exc = caught.value
    assert (exc.method, exc.path, exc.sent) == ("GET", "/api/v1/accounts/1/conversations/search", False)
    assert "too large to send (URL of 108069 characters)" in str(exc)  # 12,000 x "refund%20" + the rest
    assert "shorten the search text or filters" in str(exc)
    assert len(str(exc)) < 300
    assert script.requests == []


@pytest.mark.anyio
async def test_a_body_that_cannot_be_json_is_a_request_error(kind: Kind) -> None:
    script = Script(Reply(200, {"custom_attributes": {}}))
    client = mock_client(kind, script)

    with pytest.raises(ChatwootRequestError, match="could not be built") as caught:
        await resolve(client.conversations.update_custom_attributes(1, 42, {"ratio": float("nan")}))

    assert caught.value.sent is False
    assert script.requests == []


@pytest.mark.anyio
async def test_a_token_that_cannot_be_a_header_is_a_request_error_that_does_not_quote_it(kind: Kind) -> None:
    token = "tök-CANARY-456"
    script = Script(Reply(200, {"payload": []}))
    client = mock_client(kind, script, token=token)

    with pytest.raises(ChatwootRequestError) as caught:
        await resolve(client.conversations.labels.list(1, 42))

    assert "cannot be encoded" in str(caught.value)
    assert "ö" not in str(caught.value) and token not in str(caught.value)
    assert script.requests == []


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
