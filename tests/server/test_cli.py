"""The `chatwoot-mcp` command as a user runs it: serve's config errors, tools, call, demo, and a lean stdio path."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator

import pytest

from chatwoot_mcp.cli import main
from chatwoot_mcp.tools import ALL_TOOLS
from chatwoot_sandbox import ADMIN_TOKEN

from .conftest import REPO, free_port, run_cli, stop, subprocess_env

CANARY = "canary-SECRET-token-5b1f"


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., tuple[int, str, str]]]:
    """Run `chatwoot-mcp ARGS` in this process: (exit code, stdout, stderr). Logging setup is undone after."""
    for name in list(os.environ):
        if name.startswith("CHATWOOT_"):
            monkeypatch.delenv(name)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level

    def run(*args: str) -> tuple[int, str, str]:
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(list(args))
        return code, stdout.getvalue(), stderr.getvalue()

    try:
        yield run
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def assert_config_paragraph(code: int, stdout: str, stderr: str) -> None:
    assert code == 2
    assert "Traceback" not in stderr
    assert stdout == ""
    message = stderr.strip()
    assert message.startswith("error: chatwoot-mcp is not configured")
    assert "\n" not in message, "one paragraph"
    for name in ("CHATWOOT_BASE_URL", "CHATWOOT_API_TOKEN", "CHATWOOT_ACCOUNT_ID", "--sandbox"):
        assert name in message


def test_serve_without_config_exits_2_with_one_paragraph() -> None:
    result = run_cli("serve")
    assert_config_paragraph(result.returncode, result.stdout, result.stderr)


def test_config_errors_in_process(
    in_process: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_config_paragraph(*in_process())
    assert_config_paragraph(*in_process("serve", "--transport", "sse"))
    monkeypatch.setenv("CHATWOOT_BASE_URL", "https://chatwoot.example")
    monkeypatch.setenv("CHATWOOT_API_TOKEN", "x")
    monkeypatch.setenv("CHATWOOT_ACCOUNT_ID", "one")
    code, _, stderr = in_process("serve")
    assert code == 2
    assert "CHATWOOT_ACCOUNT_ID must be positive integers" in stderr


def test_serve_against_unreachable_chatwoot_is_clear_and_keeps_the_token_secret() -> None:
    port = free_port()  # nothing listens there: connections are refused
    env = subprocess_env(
        CHATWOOT_BASE_URL=f"http://127.0.0.1:{port}", CHATWOOT_API_TOKEN=CANARY, CHATWOOT_ACCOUNT_ID="1"
    )
    result = run_cli("serve", "--log-level", "DEBUG", env=env, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "Could not reach Chatwoot" in result.stderr
    assert "CHATWOOT_BASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
    assert CANARY not in result.stderr + result.stdout


def test_tools_prints_the_table(in_process: Callable[..., tuple[int, str, str]]) -> None:
    code, stdout, _ = in_process("tools", "--sandbox")
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0].split()[:3] == ["tool", "toolset", "read-only"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert set(rows) == {spec.name for spec in ALL_TOOLS}
    assert rows["set_labels"][1:4] == ["labels", "-", "yes"]
    assert rows["get_counts"][1:3] == ["conversations", "yes"]
    _, read_only, _ = in_process("tools", "--sandbox", "--read-only")
    assert {line.split()[0] for line in read_only.splitlines()[1:]} == {s.name for s in ALL_TOOLS if s.read_only}
    _, unconfigured, _ = in_process("tools")
    assert {line.split()[0] for line in unconfigured.splitlines()[1:]} == {spec.name for spec in ALL_TOOLS}


def test_call_prints_a_result() -> None:
    result = run_cli("call", "get_counts", "{}", "--sandbox")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("mine ")
    assert "Traceback" not in result.stderr


def test_call_in_process(in_process: Callable[..., tuple[int, str, str]]) -> None:
    code, stdout, stderr = in_process("call", "list_labels", '{"conversation_id": "#7"}', "--sandbox", "--json")
    assert code == 0, stderr
    assert json.loads(stdout) == {"labels": ["shipping", "urgent", "vip"]}
    # A refusal is printed and exits 1.
    code, stdout, _ = in_process("call", "set_labels", '{"conversation_id": 7, "labels": []}', "--sandbox")
    assert code == 1
    assert "Nothing was written" in stdout
    # Bad arguments or an unknown tool: exit 2 with a message.
    for arguments in ("{not json", "[1, 2]"):
        code, _, stderr = in_process("call", "get_counts", arguments, "--sandbox")
        assert code == 2, arguments
        assert stderr.startswith("error: arguments must be a JSON object")
    code, _, stderr = in_process("call", "no_such_tool", "{}", "--sandbox")
    assert code == 2
    assert "no tool 'no_such_tool'" in stderr


def test_demo_runs(in_process: Callable[..., tuple[int, str, str]]) -> None:
    result = run_cli("demo", timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    steps = [line for line in out.splitlines() if line.startswith("=== ")]
    assert len(steps) >= 8, out
    assert "> get_counts" in out
    assert "matches several agents" in out, "the ambiguous first name is refused with candidates"
    assert '> assign_conversation {"conversation_id"' in out and '"agent": "Alex Kim"' in out
    assert "did you mean" in out
    assert "[the server asks the user]" in out
    assert "ERROR (nothing written): set_labels replaces every label and was not confirmed" in out
    assert "not what you expected" in out
    assert "is now resolved" in out
    assert "team billing, no agent" in out and "· -> " not in out, "a team-only assignment in plain words"
    assert out.rstrip().endswith("every write above went to the in-process sandbox.")
    # Every step's arguments, pasted into `call` as printed, are accepted (a refusal is the tool's, not a parse error).
    calls = [line.removeprefix("> ").split(" ", 1) for line in out.splitlines() if line.startswith("> ")]
    assert len(calls) >= 10
    for tool, arguments in calls:
        code, _, stderr = in_process("call", "--sandbox", tool, arguments)
        assert code in (0, 1) and "arguments must be a JSON object" not in stderr, (tool, arguments, stderr)


# Modules the stdio path must not import because of our code (HTTP serving, the sandbox).
LEAN_CHECK = textwrap.dedent(
    """
    import json, sys
    watched = ["uvicorn", "starlette", "sse_starlette", "mcp.server.streamable_http", "chatwoot_sandbox",
               "chatwoot_mcp.http.transports", "chatwoot_mcp.launch.sandbox"]
    import mcp.server, mcp.client.stdio
    from mcp.server import MCPServer
    by_sdk = [m for m in watched if m in sys.modules]
    import chatwoot_mcp.cli, chatwoot_mcp.server
    from chatwoot_mcp.config import load_settings
    settings = load_settings({"CHATWOOT_BASE_URL": "https://chatwoot.example", "CHATWOOT_API_TOKEN": "t",
                              "CHATWOOT_ACCOUNT_ID": "1"})
    chatwoot_mcp.server.create_server(settings)
    print(json.dumps({"by_sdk": by_sdk, "loaded": [m for m in watched if m in sys.modules]}))
    """
)


def test_stdio_path_does_not_import_http_or_sandbox_modules() -> None:
    result = subprocess.run(
        [sys.executable, "-c", LEAN_CHECK],
        env=subprocess_env(),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    by_sdk, loaded = set(report["by_sdk"]), set(report["loaded"])
    # Ours to control, whatever the SDK does:
    assert not loaded & {"chatwoot_sandbox", "chatwoot_mcp.http.transports", "chatwoot_mcp.launch.sandbox"}, loaded
    # mcp 2.3 imports sse_starlette (and through it uvicorn and starlette) from `mcp.server` itself; beyond
    # that, our code must add none of the HTTP modules.
    assert loaded - by_sdk == set(), f"imported by chatwoot_mcp on the stdio path: {sorted(loaded - by_sdk)}"


# -- the log level ------------------------------------------------------------------------------------------------


def test_log_level_is_one_of_the_levels_in_any_case(
    in_process: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert in_process("tools", "--sandbox", "--log-level", "debug")[0] == 0
    with pytest.raises(SystemExit) as exit_:
        in_process("serve", "--log-level", "loud")
    assert exit_.value.code == 2
    monkeypatch.setenv("CHATWOOT_MCP_LOG_LEVEL", "loud")
    for command in (["serve", "--sandbox"], ["call", "get_counts", "{}", "--sandbox"], ["demo"]):
        code, stdout, stderr = in_process(*command)
        assert code == 2, command
        assert stdout == "" and "Traceback" not in stderr
        message = stderr.strip()
        assert message.startswith("error: chatwoot-mcp is not configured: CHATWOOT_MCP_LOG_LEVEL must be one of")
        assert "\n" not in message


# -- tools: every filter applies, with or without a Chatwoot ------------------------------------------------------


def listed(stdout: str) -> set[str]:
    return {line.split()[0] for line in stdout.splitlines()[1:]}


READ_TOOLS = {spec.name for spec in ALL_TOOLS if spec.read_only}
LABEL_TOOLS = {spec.name for spec in ALL_TOOLS if spec.toolset == "labels"}


@pytest.mark.parametrize("configured", [False, True], ids=["no-chatwoot", "chatwoot"])
def test_tools_applies_every_filter(
    in_process: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch, configured: bool
) -> None:
    if configured:
        monkeypatch.setenv("CHATWOOT_BASE_URL", "https://chatwoot.example")
        monkeypatch.setenv("CHATWOOT_API_TOKEN", "t")
        monkeypatch.setenv("CHATWOOT_ACCOUNT_ID", "1")
    assert listed(in_process("tools", "--read-only")[1]) == READ_TOOLS
    assert listed(in_process("tools", "--toolsets", "labels")[1]) == LABEL_TOOLS
    assert listed(in_process("tools", "--tools", "get_counts,list_labels")[1]) == {"get_counts", "list_labels"}
    assert listed(in_process("tools", "--toolsets", "labels", "--exclude-tools", "set_labels")[1]) == LABEL_TOOLS - {
        "set_labels"
    }
    monkeypatch.setenv("CHATWOOT_MCP_TOOLSETS", "labels")
    monkeypatch.setenv("CHATWOOT_MCP_READ_ONLY", "1")
    assert listed(in_process("tools")[1]) == LABEL_TOOLS & READ_TOOLS
    code, stdout, _ = in_process("tools", "--markdown")
    assert code == 0 and "`list_labels`" in stdout and "`add_labels`" not in stdout


def test_tools_fails_on_unknown_names_like_serve(
    in_process: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for args in (["tools", "--toolsets", "labels,lables"], ["serve", "--sandbox", "--toolsets", "labels,lables"]):
        code, stdout, stderr = in_process(*args)
        assert code == 2, args
        assert stdout == ""
        message = stderr.strip()
        assert "\n" not in message and "Traceback" not in message
        assert message.count("chatwoot-mcp is not configured") == 1, message
        assert message.count("unknown toolsets ['lables']") == 1, message
    monkeypatch.setenv("CHATWOOT_MCP_EXCLUDE_TOOLS", "nope")
    code, _, stderr = in_process("tools")
    assert code == 2 and "unknown tools ['nope']" in stderr


# -- call: the start-up check `serve` makes ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    """A sandbox Chatwoot on a free loopback port, as a subprocess (`python -m chatwoot_sandbox --port 0`)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "chatwoot_sandbox", "--port", "0"],
        env=subprocess_env(),
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        banner = process.stderr.readline()
        match = re.search(r"serving (http://\S+)", banner)
        assert match, banner
        yield match.group(1)
    finally:
        stop(process)
        if process.stderr is not None:
            process.stderr.close()


def test_call_checks_the_token_and_accounts_first(
    in_process: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch, sandbox_url: str
) -> None:
    monkeypatch.setenv("CHATWOOT_BASE_URL", sandbox_url)
    monkeypatch.setenv("CHATWOOT_API_TOKEN", ADMIN_TOKEN)
    monkeypatch.setenv("CHATWOOT_ACCOUNT_ID", "1")
    code, stdout, stderr = in_process("call", "list_labels", '{"conversation_id": 7}', "--json")
    assert code == 0, stderr
    assert json.loads(stdout)["labels"] == ["shipping", "urgent", "vip"]
    monkeypatch.setenv("CHATWOOT_ACCOUNT_ID", "7")
    code, stdout, stderr = in_process("call", "list_labels", '{"conversation_id": 7}')
    assert code == 2 and stdout == ""
    assert "is not a member of account(s) [7]" in stderr and "Set CHATWOOT_ACCOUNT_ID" in stderr
    assert "could not find" not in stderr
    monkeypatch.setenv("CHATWOOT_ACCOUNT_ID", "1")
    monkeypatch.setenv("CHATWOOT_API_TOKEN", CANARY)
    code, _, stderr = in_process("call", "get_counts")
    assert code == 2 and "refused CHATWOOT_API_TOKEN" in stderr
    assert CANARY not in stderr


# -- a reader that goes away --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "codes"),
    [(["tools", "--sandbox"], {141}), (["--help"], {0, 141})],  # argparse itself ignores a failed write of help
    ids=["tools", "help"],
)
def test_a_closed_stdout_pipe_exits_quietly(args: list[str], codes: set[int]) -> None:
    """As `chatwoot-mcp tools | head -0` would: the reader is gone before anything is written."""
    process = subprocess.Popen(
        [sys.executable, "-m", "chatwoot_mcp", *args],
        env=subprocess_env(),
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    process.stdout.close()
    try:
        _, stderr = process.communicate(timeout=60)
    finally:
        stop(process)
    assert process.returncode in codes, stderr
    assert stderr == b"", stderr.decode(errors="replace")


@pytest.mark.parametrize("entry", [["-m", "chatwoot_mcp"], ["-c", "from chatwoot_mcp.cli import main; main()"]])
def test_serve_flags_work_without_the_word_serve(entry: list[str]) -> None:
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }
    result = subprocess.run(
        [sys.executable, *entry, "--sandbox", "--read-only"],
        input=json.dumps(initialize) + "\n",
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[0])["result"]["serverInfo"]["name"] == "chatwoot-mcp"
