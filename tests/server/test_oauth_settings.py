"""`--auth oauth`'s settings: what it needs, and the paragraph that says so when it is missing."""

from __future__ import annotations

import pytest

from chatwoot_mcp.config import ConfigError, load_settings

from .conftest import SANDBOX_URL

ENV = {"CHATWOOT_BASE_URL": SANDBOX_URL, "CHATWOOT_ACCOUNT_ID": "1", "CHATWOOT_MCP_AUTH": "oauth"}


def test_on_loopback_it_needs_nothing_more_and_its_issuer_is_where_it_listens() -> None:
    settings = load_settings(ENV, transport="streamable-http", port=8123)
    assert settings.per_user and settings.api_token == "" and settings.issuer == "http://127.0.0.1:8123"
    assert load_settings(ENV, sandbox=True, transport="streamable-http").issuer == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("env", "flags", "needle"),
    [
        ({}, {}, "needs an HTTP transport"),
        ({}, {"transport": "streamable-http", "host": "0.0.0.0"}, "needs CHATWOOT_MCP_PUBLIC_URL"),
        ({"CHATWOOT_MCP_PUBLIC_URL": "http://mcp.example.com"}, {"transport": "streamable-http"}, "needs an https"),
        ({"CHATWOOT_MCP_PUBLIC_URL": "https://mcp.example.com/x"}, {"transport": "streamable-http"}, "origin"),
        ({"CHATWOOT_MCP_HTTP_TOKEN": "t" * 20}, {"transport": "streamable-http"}, "both use the Authorization"),
        ({"CHATWOOT_MCP_STATE": "redis://127.0.0.1:6379/0"}, {"transport": "streamable-http"}, "STATE_KEY"),
    ],
)
def test_what_it_refuses(env: dict[str, str], flags: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle) as refused:
        load_settings(ENV | env, transport=flags.get("transport"), host=flags.get("host"))
    assert "\n" not in str(refused.value)


def test_a_public_https_url_is_issuer_and_resource() -> None:
    settings = load_settings(
        ENV | {"CHATWOOT_MCP_PUBLIC_URL": "https://mcp.example.com/"}, transport="streamable-http", host="0.0.0.0"
    )
    assert settings.issuer == "https://mcp.example.com" and "mcp.example.com" in settings.allowed_hosts
