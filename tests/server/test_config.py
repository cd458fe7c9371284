"""Configuration: read-only mode, toolsets and tool filters, and one-paragraph errors that say what to set."""

from __future__ import annotations

import pytest
from mcp import MCPError

from chatwoot_mcp.config import ENV_VARS, ConfigError, load_settings
from chatwoot_mcp.server import create_server
from chatwoot_mcp.tools import ALL_TOOLS, TOOLSETS
from chatwoot_sandbox import SandboxState

from .conftest import BASE_ENV, connect, make_server, make_settings, text_of

READ_TOOLS = {spec.name for spec in ALL_TOOLS if spec.read_only}
WRITE_TOOLS = {spec.name for spec in ALL_TOOLS if not spec.read_only}
WRITE_CALLS = {
    "add_labels": {"conversation_id": 7, "labels": ["billing"]},
    "set_labels": {"conversation_id": 7, "labels": [], "confirm": True},
    "toggle_status": {"conversation_id": 7, "status": "resolved"},
    "assign_conversation": {"conversation_id": 7, "agent": 2},
}


def names(env: dict[str, str]) -> set[str]:
    from chatwoot_mcp.server import enabled_tools

    return {spec.name for spec in enabled_tools(make_settings(**env))}


@pytest.mark.anyio
async def test_read_only_mode_hides_and_blocks_writes(state: SandboxState, mode: str) -> None:
    assert {"add_labels", "set_labels", "toggle_status", "assign_conversation"} <= WRITE_TOOLS
    named = ",".join(sorted(WRITE_TOOLS | {"get_counts"}))
    settings = make_settings(CHATWOOT_MCP_READ_ONLY="1", CHATWOOT_MCP_TOOLS=named)
    async with connect(make_server(state, settings), mode) as client:
        listed = {tool.name for tool in (await client.list_tools()).tools}
        assert listed == {"get_counts"}, "read-only wins over naming write tools"
        for tool, arguments in WRITE_CALLS.items():
            try:
                result = await client.call_tool(tool, arguments)
            except MCPError as error:
                assert tool in str(error) or "Unknown" in str(error)
            else:
                assert result.is_error, tool
                assert tool in text_of(result)
    assert state.requests == [], "no write tool may reach Chatwoot in read-only mode"


def test_read_only_lists_every_read_tool_and_nothing_else() -> None:
    assert names({"CHATWOOT_MCP_READ_ONLY": "true"}) == READ_TOOLS
    assert names({"CHATWOOT_MCP_READ_ONLY": "1", "CHATWOOT_MCP_TOOLS": "add_labels,list_labels"}) == {"list_labels"}
    assert names({"CHATWOOT_MCP_READ_ONLY": "0"}) == READ_TOOLS | WRITE_TOOLS


def test_read_only_flag_values() -> None:
    assert make_settings(CHATWOOT_MCP_READ_ONLY="yes").read_only
    assert not make_settings(CHATWOOT_MCP_READ_ONLY="off").read_only
    with pytest.raises(ConfigError, match="CHATWOOT_MCP_READ_ONLY must be true or false"):
        make_settings(CHATWOOT_MCP_READ_ONLY="maybe")


def test_toolsets_and_tool_filters() -> None:
    labels = {spec.name for spec in ALL_TOOLS if spec.toolset == "labels"}
    assert labels == {"list_labels", "add_labels", "remove_labels", "set_labels"}
    assert names({"CHATWOOT_MCP_TOOLSETS": "labels"}) == labels
    conversations = {spec.name for spec in ALL_TOOLS if spec.toolset == "conversations"}
    assert names({"CHATWOOT_MCP_TOOLSETS": "labels, conversations"}) == labels | conversations
    assert names({"CHATWOOT_MCP_TOOLS": "get_counts,list_labels"}) == {"get_counts", "list_labels"}
    assert names({"CHATWOOT_MCP_TOOLSETS": "labels", "CHATWOOT_MCP_TOOLS": "get_counts"}) == labels | {"get_counts"}


def test_exclude_wins_over_include() -> None:
    assert names({"CHATWOOT_MCP_TOOLSETS": "labels", "CHATWOOT_MCP_EXCLUDE_TOOLS": "set_labels"}) == {
        "list_labels",
        "add_labels",
        "remove_labels",
    }
    assert names({"CHATWOOT_MCP_TOOLS": "set_labels,get_counts", "CHATWOOT_MCP_EXCLUDE_TOOLS": "set_labels"}) == {
        "get_counts"
    }
    everything = {spec.name for spec in ALL_TOOLS}
    assert names({"CHATWOOT_MCP_EXCLUDE_TOOLS": "set_labels"}) == everything - {"set_labels"}


@pytest.mark.anyio
async def test_excluded_tool_is_not_callable(state: SandboxState, mode: str) -> None:
    settings = make_settings(CHATWOOT_MCP_EXCLUDE_TOOLS="set_labels")
    async with connect(make_server(state, settings), mode) as client:
        assert "set_labels" not in {tool.name for tool in (await client.list_tools()).tools}
        try:
            result = await client.call_tool("set_labels", WRITE_CALLS["set_labels"])
        except MCPError:
            pass
        else:
            assert result.is_error
    assert state.requests == []


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"CHATWOOT_MCP_TOOLSETS": "labels,lables"}, "unknown toolsets ['lables']"),
        ({"CHATWOOT_MCP_TOOLS": "add_label"}, "unknown tools ['add_label']"),
        ({"CHATWOOT_MCP_EXCLUDE_TOOLS": "nope"}, "unknown tools ['nope']"),
    ],
)
def test_unknown_names_are_config_errors(env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError) as error:
        create_server(make_settings(**env))
    message = str(error.value)
    assert needle in message
    assert "\n" not in message
    if "toolsets" in needle:
        assert all(name in message for name in TOOLSETS)


@pytest.mark.parametrize(
    ("missing", "needles"),
    [
        ("CHATWOOT_BASE_URL", ["CHATWOOT_BASE_URL"]),
        ("CHATWOOT_API_TOKEN", ["CHATWOOT_API_TOKEN", "Profile settings"]),
        ("CHATWOOT_ACCOUNT_ID", ["CHATWOOT_ACCOUNT_ID", "/app/accounts/<id>/"]),
    ],
)
def test_missing_setting_names_what_to_set(missing: str, needles: list[str]) -> None:
    env = {k: v for k, v in BASE_ENV.items() if k != missing}
    with pytest.raises(ConfigError) as error:
        load_settings(env)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("chatwoot-mcp is not configured")
    for needle in [*needles, "--sandbox"]:
        assert needle in message
    others = [k for k in BASE_ENV if k != missing]
    assert not any(f"{k} " in message for k in others), message


def test_everything_missing_is_one_paragraph() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({})
    message = str(error.value)
    assert "\n" not in message
    for name in BASE_ENV:
        assert name in message


@pytest.mark.parametrize("account", ["abc", "0", "-1", "1,x", "1.5"])
def test_invalid_account_id(account: str) -> None:
    with pytest.raises(ConfigError, match="CHATWOOT_ACCOUNT_ID must be positive integers"):
        make_settings(CHATWOOT_ACCOUNT_ID=account)


def test_account_allowlist_settings() -> None:
    settings = make_settings(CHATWOOT_ACCOUNT_ID=" 2, 1 ,2")
    assert settings.account_ids == (2, 1)
    assert settings.default_account_id == 2
    assert not settings.pinned_account
    assert make_settings().pinned_account


def test_invalid_base_url() -> None:
    with pytest.raises(ConfigError, match="must be an http"):
        make_settings(CHATWOOT_BASE_URL="chatwoot.example.com")


def test_flags_override_environment() -> None:
    settings = load_settings(BASE_ENV, account_id="2", read_only=True)
    assert settings.account_ids == (2,)
    assert settings.read_only


def test_remote_http_bind_needs_a_token() -> None:
    with pytest.raises(ConfigError, match="CHATWOOT_MCP_HTTP_TOKEN"):
        load_settings(BASE_ENV, transport="streamable-http", host="0.0.0.0")
    with_token = load_settings({**BASE_ENV, "CHATWOOT_MCP_HTTP_TOKEN": "t0ken"}, transport="sse", host="0.0.0.0")
    assert with_token.http_token == "t0ken"
    assert load_settings(BASE_ENV, transport="streamable-http", host="127.0.0.1").http_token is None


def test_secrets_are_not_in_repr() -> None:
    settings = make_settings(CHATWOOT_API_TOKEN="canary-SECRET-token-5b1f", CHATWOOT_MCP_HTTP_TOKEN="canary-http-77")
    assert "canary" not in repr(settings)
    assert set(settings.secrets) == {"canary-SECRET-token-5b1f", "canary-http-77"}


# -- values that cannot work: refused at configuration, in one paragraph that never shows a token -----------------


@pytest.mark.parametrize(
    ("name", "value", "kind"),
    [
        ("CHATWOOT_API_TOKEN", "tok-SECRET\nX-Injected: 1", "a control character"),
        ("CHATWOOT_API_TOKEN", "tok-SECRET\x00", "a control character"),
        ("CHATWOOT_API_TOKEN", "tok-SECRET-\u2603", "a non-ASCII character"),
        ("CHATWOOT_API_TOKEN", "tok-SECRET-é", "a non-ASCII character"),
        ("CHATWOOT_MCP_HTTP_TOKEN", "tok-SECRET\r\n", None),
        ("CHATWOOT_MCP_HTTP_TOKEN", "tok-SECRET\tx", "a control character"),
        ("CHATWOOT_MCP_HTTP_TOKEN", "tok-SECRET-\u00ff", "a non-ASCII character"),
    ],
)
def test_tokens_an_http_header_cannot_carry_are_refused_without_showing_them(
    name: str, value: str, kind: str | None
) -> None:
    if kind is None:  # surrounding whitespace is stripped, as copying a token often adds it
        assert value.strip() in make_settings(**{name: value}).secrets
        return
    with pytest.raises(ConfigError) as error:
        make_settings(**{name: value})
    message = str(error.value)
    assert f"{name} contains {kind}" in message
    assert "SECRET" not in message and "\n" not in message
    assert message.count("chatwoot-mcp is not configured") == 1


@pytest.mark.parametrize(
    ("url", "root"),
    [
        ("https://app.chatwoot.com/app/accounts/1/dashboard", "https://app.chatwoot.com"),
        ("https://app.chatwoot.com/api/v1/accounts/1", "https://app.chatwoot.com"),
        ("https://app.chatwoot.com/app", "https://app.chatwoot.com"),
        ("https://example.com/support/app/accounts/1/conversations/7", "https://example.com/support"),
    ],
)
def test_a_page_or_api_address_is_refused_with_the_site_root(url: str, root: str) -> None:
    with pytest.raises(ConfigError) as error:
        make_settings(CHATWOOT_BASE_URL=url)
    message = str(error.value)
    assert f"CHATWOOT_BASE_URL must be the site root, not a page or API address: use {root}, not {url!r}" in message
    assert message.count("chatwoot-mcp is not configured") == 1 and "\n" not in message


@pytest.mark.parametrize("url", ["https://example.com/chatwoot", "https://example.com/chatwoot/", "http://sandbox"])
def test_a_sub_path_install_is_allowed(url: str) -> None:
    assert make_settings(CHATWOOT_BASE_URL=url).base_url == url.rstrip("/")


def test_log_level_from_the_environment() -> None:
    assert "CHATWOOT_MCP_LOG_LEVEL" in ENV_VARS
    assert make_settings().log_level == "WARNING"
    assert make_settings(CHATWOOT_MCP_LOG_LEVEL=" debug ").log_level == "DEBUG"
    assert load_settings({**BASE_ENV, "CHATWOOT_MCP_LOG_LEVEL": "error"}, log_level="INFO").log_level == "INFO"
    with pytest.raises(ConfigError) as error:
        make_settings(CHATWOOT_MCP_LOG_LEVEL="loud")
    assert "CHATWOOT_MCP_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'loud'" in str(error.value)


def test_unknown_names_join_the_other_problems_in_one_paragraph() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({"CHATWOOT_MCP_TOOLSETS": "labels,nope", "CHATWOOT_MCP_EXCLUDE_TOOLS": "add_label"})
    message = str(error.value)
    assert message.count("chatwoot-mcp is not configured") == 1
    assert "unknown toolsets ['nope']" in message and "unknown tools ['add_label']" in message
    assert "CHATWOOT_BASE_URL" in message and "\n" not in message
    assert "; ." not in message and ";;" not in message
    assert message.count("unknown toolsets") == 1


def test_tool_filters_without_a_chatwoot() -> None:
    settings = load_settings({"CHATWOOT_MCP_TOOLSETS": "labels"}, need_chatwoot=False, read_only=True)
    assert settings.toolsets == {"labels"} and settings.read_only
    with pytest.raises(ConfigError, match="must be an http"):
        load_settings({"CHATWOOT_BASE_URL": "chatwoot.example.com"}, need_chatwoot=False)
    with pytest.raises(ConfigError, match="unknown toolsets"):
        load_settings({"CHATWOOT_MCP_TOOLSETS": "nope"}, need_chatwoot=False)


def test_the_embedded_sandbox_constants_are_the_sandboxs_own() -> None:
    import chatwoot_sandbox
    from chatwoot_mcp.launch.sandbox import SANDBOX_ACCOUNT, SANDBOX_TOKEN

    assert SANDBOX_TOKEN == chatwoot_sandbox.ADMIN_TOKEN
    assert SANDBOX_ACCOUNT == chatwoot_sandbox.DEMO_ACCOUNT_ID
