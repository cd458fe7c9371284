"""Client construction and shutdown: who closes the connection pool, which URLs are accepted, what is sent."""

from __future__ import annotations

import httpx2
import pytest

from chatwoot_client import APIRequest, AsyncChatwootClient, ChatwootClient, ChatwootError
from tests.client.conftest import CANARY_TOKEN, MOCK_URL, Kind, Reply, Script, mock_client, resolve

PROFILE = {"id": 1, "name": "Admin", "email": "admin@example.com", "accounts": [{"id": 1, "name": "Demo"}]}


def test_sync_context_manager_closes_the_pool_it_created() -> None:
    with ChatwootClient(MOCK_URL, CANARY_TOKEN) as client:
        assert not client._http.is_closed
    assert client._http.is_closed


def test_sync_close_leaves_an_injected_pool_open() -> None:
    script = Script(Reply(200, PROFILE))
    http = httpx2.Client(transport=httpx2.MockTransport(script))
    with ChatwootClient(MOCK_URL, CANARY_TOKEN, http_client=http) as client:
        assert client.profile.get().id == 1
    client.close()
    assert not http.is_closed
    # Still usable by its owner, and by a new client on it.
    with ChatwootClient(MOCK_URL, CANARY_TOKEN, http_client=http) as again:
        assert again.profile.get().name == "Admin"
    assert len(script.requests) == 2
    http.close()


@pytest.mark.anyio
async def test_async_context_manager_closes_the_pool_it_created() -> None:
    async with AsyncChatwootClient(MOCK_URL, CANARY_TOKEN) as client:
        assert not client._http.is_closed
    assert client._http.is_closed


@pytest.mark.anyio
async def test_async_close_leaves_an_injected_pool_open() -> None:
    script = Script(Reply(200, PROFILE))
    http = httpx2.AsyncClient(transport=httpx2.MockTransport(script))
    async with AsyncChatwootClient(MOCK_URL, CANARY_TOKEN, http_client=http) as client:
        assert (await client.profile.get()).id == 1
    await client.aclose()
    assert not http.is_closed
    async with AsyncChatwootClient(MOCK_URL, CANARY_TOKEN, http_client=http) as again:
        assert (await again.profile.get()).name == "Admin"
    assert len(script.requests) == 2
    await http.aclose()


@pytest.mark.anyio
async def test_context_manager_closes_even_when_the_body_raises() -> None:
    with pytest.raises(RuntimeError), ChatwootClient(MOCK_URL, CANARY_TOKEN) as sync_client:
        raise RuntimeError("boom")
    assert sync_client._http.is_closed

    async_client = AsyncChatwootClient(MOCK_URL, CANARY_TOKEN)
    with pytest.raises(RuntimeError):
        async with async_client:
            raise RuntimeError("boom")
    assert async_client._http.is_closed


@pytest.mark.parametrize(
    "base_url",
    ["", "app.chatwoot.com", "www.example.com/chatwoot", "ftp://app.chatwoot.com", "//app.chatwoot.com", "HTTP:/x"],
)
@pytest.mark.parametrize("client_cls", [ChatwootClient, AsyncChatwootClient])
def test_base_url_must_be_an_http_url(base_url: str, client_cls: type[ChatwootClient | AsyncChatwootClient]) -> None:
    with pytest.raises(ChatwootError, match="base_url must be an http"):
        client_cls(base_url, CANARY_TOKEN)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("http://chatwoot.test", "http://chatwoot.test/api/v1/profile"),
        ("http://chatwoot.test/", "http://chatwoot.test/api/v1/profile"),
        ("https://chatwoot.test//", "https://chatwoot.test/api/v1/profile"),
        ("https://example.com/support/", "https://example.com/support/api/v1/profile"),
        ("http://127.0.0.1:3000", "http://127.0.0.1:3000/api/v1/profile"),
    ],
)
async def test_base_url_is_joined_without_double_slashes(kind: Kind, base_url: str, expected: str) -> None:
    script = Script(Reply(200, PROFILE))
    transport = httpx2.MockTransport(script)
    client: ChatwootClient | AsyncChatwootClient
    if kind == "async":
        client = AsyncChatwootClient(base_url, CANARY_TOKEN, http_client=httpx2.AsyncClient(transport=transport))
    else:
        client = ChatwootClient(base_url, CANARY_TOKEN, http_client=httpx2.Client(transport=transport))

    await resolve(client.profile.get())

    assert str(script.requests[0].url) == expected
    assert client.base_url == expected.removesuffix("/api/v1/profile")


@pytest.mark.parametrize("client_cls", [ChatwootClient, AsyncChatwootClient])
def test_repr_names_the_server_but_not_the_token(client_cls: type[ChatwootClient | AsyncChatwootClient]) -> None:
    client = client_cls("https://app.chatwoot.com/", CANARY_TOKEN)
    assert repr(client) == f"{client_cls.__name__}(base_url='https://app.chatwoot.com')"
    assert CANARY_TOKEN not in repr(client)
    assert CANARY_TOKEN not in str(client)


@pytest.mark.anyio
async def test_the_token_travels_only_in_the_api_access_token_header(kind: Kind) -> None:
    script = Script(Reply(200, {"payload": []}))
    client = mock_client(kind, script)

    await resolve(client.conversations.labels.list(1, 42))

    request = script.requests[0]
    assert request.headers["api_access_token"] == CANARY_TOKEN
    assert "authorization" not in request.headers
    assert CANARY_TOKEN not in str(request.url)
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"].startswith("chatwoot-mcp-client/")


@pytest.mark.anyio
async def test_timeout_is_applied_to_every_request(kind: Kind) -> None:
    script = Script(Reply(200, {"payload": []}))
    transport = httpx2.MockTransport(script)
    client: ChatwootClient | AsyncChatwootClient
    if kind == "async":
        client = AsyncChatwootClient(MOCK_URL, "t", 2.5, http_client=httpx2.AsyncClient(transport=transport))
    else:
        client = ChatwootClient(MOCK_URL, "t", 2.5, http_client=httpx2.Client(transport=transport))

    await resolve(client.conversations.labels.list(1, 42))

    assert script.requests[0].extensions["timeout"] == {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}


def test_each_client_caches_its_resources() -> None:
    client = ChatwootClient(MOCK_URL, CANARY_TOKEN)
    assert client.conversations is client.conversations
    assert client.conversations.labels is client.conversations.labels
    assert client.messages is client.messages


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, []),
        ({"status": "open", "page": 2}, [("status", "open"), ("page", "2")]),
        ({"q": None, "inbox_id": None}, []),
        ({"labels": ["a", "b"]}, [("labels[]", "a"), ("labels[]", "b")]),
        ({"labels": []}, []),
        ({"filter_internal_messages": True}, [("filter_internal_messages", "true")]),
        ({"flag": False}, [("flag", "false")]),
    ],
)
def test_query_pairs_are_what_rails_reads(
    params: dict[str, str | int | bool | list[str] | None], expected: object
) -> None:
    assert APIRequest("GET", "/x", params).query() == expected


def test_requests_are_idempotent_unless_marked() -> None:
    assert APIRequest("GET", "/x").idempotent
    assert not APIRequest("POST", "/x", idempotent=False).idempotent


def test_a_requests_repr_leaves_out_its_body_and_headers() -> None:
    """A sign-in's body holds a password and a session's headers its token: neither belongs in a repr."""
    request = APIRequest("POST", "/auth/sign_in", json={"password": "hunter2"}, headers={"access-token": "tok-123"})
    assert "hunter2" not in repr(request) and "tok-123" not in repr(request)
    assert "/auth/sign_in" in repr(request)
