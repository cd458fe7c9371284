"""A write whose shared lock lapsed while it ran says so: another process may have written the same record at the
same moment, so the call's result, correct as Chatwoot answered it, may not be the last word.

The server runs in-process with its state in a real redis-server; the sandbox takes the lock key away (as a lease
running out and another writer taking it would) just before the write reaches Chatwoot.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis as redis_sync

from chatwoot_sandbox import SandboxState

from .conftest import connect, make_server, make_settings, structured, text_of
from .redis_support import RedisServer, redis_server

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


def taking_the_lock_on(method: str, path_end: str, redis_url: str) -> Any:
    """A wrapper of the sandbox app that, when a `method` request to a path ending in `path_end` arrives, gives every
    lock chatwoot-mcp holds in Redis to another (pretend) writer first."""

    def wrap(app: Any) -> Any:
        async def wrapped(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["method"] == method and scope["path"].endswith(path_end):
                with redis_sync.Redis.from_url(redis_url) as redis:
                    for key in redis.scan_iter("chatwoot-mcp:*:lock:*"):
                        redis.set(key, "another-writer", px=5000)
            await app(scope, receive, send)

        return wrapped

    return wrap


@pytest.mark.parametrize(
    ("tool", "arguments", "method", "path_end"),
    [
        ("add_labels", {"conversation_id": 7, "labels": ["billing"]}, "POST", "/labels"),
        (
            "update_custom_attributes",
            {"conversation_id": 7, "attributes": {"plan": "pro"}},
            "POST",
            "/custom_attributes",
        ),
    ],
)
async def test_a_write_whose_lock_lapsed_warns_and_says_how_to_check(
    redis: RedisServer, tool: str, arguments: dict[str, Any], method: str, path_end: str, anyio_backend: str
) -> None:
    state = SandboxState.demo()
    settings = make_settings(CHATWOOT_MCP_STATE=redis.url)
    server = make_server(state, settings, wrap_app=taking_the_lock_on(method, path_end, redis.url))
    async with connect(server, "auto") as client:
        result = await client.call_tool(tool, arguments)
    assert not result.is_error, text_of(result)
    assert "write lock lapsed" in text_of(result) and "get_conversation" in text_of(result), text_of(result)
    assert "write lock lapsed" in (structured(result).get("concurrent_change") or "")


async def test_a_write_whose_lock_held_has_no_such_warning(redis: RedisServer, anyio_backend: str) -> None:
    server = make_server(SandboxState.demo(), make_settings(CHATWOOT_MCP_STATE=redis.url))
    async with connect(server, "auto") as client:
        result = await client.call_tool("add_labels", {"conversation_id": 7, "labels": ["billing"]})
    assert not result.is_error and "lapsed" not in text_of(result), text_of(result)
