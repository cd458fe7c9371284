"""Every fenced shell, JSON and Python snippet in README.md and docs/*.md is checked, so none can drift from the code.

README and every page under docs/ are checked alike: what is said below of README holds for each page. The
convention, for anyone editing them:

- A ```sh, ```json or ```python block is checked by default, and a ``` block with no language is not a snippet.
- `<!-- snippet: not-run (reason) -->` on the line right before a fence marks a block that needs something the
  tests do not have (PyPI, Docker, the claude CLI, a real Chatwoot). It is still validated structurally, as
  below; it is only never run. Say the reason: it is what a reader learns about the block.
- `<!-- snippet: skip (reason) -->` marks a block that is not checked at all (an output excerpt). Use it rarely.

Structural checks, on every shell and JSON snippet: each `chatwoot-mcp` command, however it is launched (`uvx`,
`uv run`, `python -m chatwoot_mcp`, `claude mcp add ... --`, `docker run IMAGE`), parses with the real CLI
parser; each `CHATWOOT_*` name is a real setting (`config.ENV_VARS`); each path into the repository exists; each
program is one README may assume; the flags given to `uv`/`uvx` are in uv's own `--help`. JSON must parse, and an
`mcpServers` entry (Claude Desktop, Claude Code) must launch chatwoot-mcp and set only real environment
variables. Python must compile (top-level `await` allowed) and import only names the packages export.

Runs, in checked blocks: a `chatwoot-mcp` command that needs no Chatwoot runs from this checkout as `python -m
chatwoot_mcp ...` (serving `--sandbox` over stdio gets a real MCP handshake: initialize and tools/list; serving
`--sandbox` as an OAuth connector over streamable HTTP gets a host's whole sign-in, through the MCP SDK's OAuth client
and the consent page, then tools/list; `call --sandbox`, `tools`, `demo`, `schemas --check`, `--help` and `--version`
must exit 0). A `chatwoot-mcp` command that needs a real Chatwoot in a checked block is an error: mark the block not-
run. Other commands in a checked block (uv sync, pytest, ruff) are validated structurally only; CI runs them anyway.

Links: every relative link in README and docs/ points at a file of the repository (and a `#heading` of a
Markdown page at one of its headings); every docs/ page is linked from README; README stays under 15 KB.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib
import io
import json
import re
import shlex
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

from chatwoot_mcp.cli import _parser
from chatwoot_mcp.config import ENV_VARS

from .conftest import REPO, run_cli_many, subprocess_env

README = REPO / "README.md"
DOCS = REPO / "docs"
# README first, then the pages it links to: every snippet and link in them is checked the same way.
PAGES = [README, *sorted(DOCS.glob("*.md"))]
README_LIMIT = 15 * 1024  # bytes: what a newcomer reads in the first five minutes; the rest belongs in docs/
MARKER = re.compile(r"<!-- snippet: (?P<mode>[a-z-]+) \((?P<reason>[^)]+)\) -->")
FENCE = re.compile(r"^```(?P<lang>[a-z]*)\s*$")
LANGS = {"sh": "sh", "shell": "sh", "bash": "sh", "console": "sh", "json": "json", "python": "python"}
# Programs a README command may start with: what a user has (or installs in the block itself).
PROGRAMS = {"uv", "uvx", "pip", "python3", "python", "bash", "chatwoot-mcp", "claude", "npx", "docker", "pipx", "curl"}
# Value-taking options of the launchers, whose value is not the command (`uvx --from chatwoot-mcp ...`).
LAUNCHER_VALUE_OPTIONS = {"--from", "--with", "--directory", "--python", "-p", "--name", "-t", "--tag", "-e", "--env"}
SUBCOMMANDS = {"serve", "tools", "call", "schemas", "demo", "webhooks"}
OFFLINE_COMMANDS = {"tools", "demo"}
REPO_ROOTS = {"client", "server", "tests", "benchmarks", "examples", ".ci", "tool_schemas", "docs", "deploy"}


@dataclass(frozen=True)
class Snippet:
    lang: str
    text: str
    line: int
    mode: str  # "check", "not-run" or "skip"
    reason: str = ""
    page: str = "README.md"

    def __str__(self) -> str:
        return f"{self.page}:{self.line} ({self.lang})"


def page_name(page: Path) -> str:
    return page.relative_to(REPO).as_posix()


def readme_snippets(text: str, page: str = "README.md") -> list[Snippet]:
    """The fenced blocks of a page (README or docs/) with a language we check, each with its marker (if any)."""
    lines = text.splitlines()
    snippets, index = [], 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        previous = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        marker = MARKER.fullmatch(previous.strip())
        mode, reason = (marker["mode"], marker["reason"]) if marker else ("check", "")
        lang = LANGS.get(opening["lang"])
        if lang is not None:
            snippets.append(Snippet(lang, "\n".join(lines[index + 1 : end]), index + 1, mode, reason, page))
        index = end + 1
    return snippets


SNIPPETS = [snippet for page in PAGES for snippet in readme_snippets(page.read_text(encoding="utf-8"), page_name(page))]


def test_readme_has_the_snippets_users_copy() -> None:
    kinds = {snippet.lang for snippet in SNIPPETS if snippet.page == "README.md"}
    assert {"sh", "json", "python"} <= kinds
    assert all(snippet.mode in {"check", "not-run", "skip"} for snippet in SNIPPETS), [
        f"{s}: unknown marker {s.mode!r}" for s in SNIPPETS if s.mode not in {"check", "not-run", "skip"}
    ]


# -- shell --------------------------------------------------------------------------------------------------------


def shell_commands(text: str) -> list[list[str]]:
    """Each simple command of a shell snippet as words: continuations joined, comments dropped, split on ; && || |."""
    lines = [line for line in text.replace("\\\n", " ").splitlines() if line.strip()]
    return [command for line in lines for command in _split(line)]


def _split(line: str) -> list[list[str]]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    commands: list[list[str]] = [[]]
    for word in lexer:
        if set(word) <= set(";&|"):
            commands.append([])
        else:
            commands[-1].append(word)
    return [command for command in commands if command]


def without_env_prefix(words: list[str]) -> tuple[dict[str, str], list[str]]:
    """`A=1 B=2 cmd args` -> ({A: 1, B: 2}, [cmd, args])."""
    env = {}
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        name, _, value = words[0].partition("=")
        env[name] = value
        words = words[1:]
    return env, words


def chatwoot_mcp_argv(words: list[str]) -> list[str] | None:
    """The arguments a command gives chatwoot-mcp, however it is launched; None when it does not run it."""
    if not words:
        return None
    program = Path(words[0]).name
    if program == "chatwoot-mcp":
        return words[1:]
    if program.startswith("python") and words[1:3] == ["-m", "chatwoot_mcp"]:
        return words[3:]
    if program == "claude" and "--" in words:
        return chatwoot_mcp_argv(words[words.index("--") + 1 :])
    if program in {"uv", "uvx", "docker", "pipx"}:
        for index, word in enumerate(words[1:], start=1):
            image = program == "docker" and re.fullmatch(r"(.+/)?chatwoot-mcp(:[\w.-]+)?", word) is not None
            if (word == "chatwoot-mcp" or image) and words[index - 1] not in LAUNCHER_VALUE_OPTIONS:
                if program == "docker" and words[1] != "run":
                    return None  # `docker build -t chatwoot-mcp .` builds, it does not run it
                return words[index + 1 :]
    return None


def parse_cli(argv: list[str]) -> argparse.Namespace:
    """Parse as `chatwoot-mcp` does (serve is the default command); a parse error fails with argparse's text."""
    given = list(argv)
    if not (given[:1] and given[0] in SUBCOMMANDS) and not {"-h", "--help", "--version"} & set(given[:1]):
        given = ["serve", *given]
    if {"-h", "--help", "--version"} & set(given):
        return argparse.Namespace(command="help")
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr):
            return _parser().parse_args(given)
    except SystemExit:
        pytest.fail(f"`chatwoot-mcp {shlex.join(argv)}` does not parse: {stderr.getvalue().strip()}")


def runs_offline(args: argparse.Namespace) -> bool:
    if args.command == "schemas":
        return bool(args.check)  # `schemas --write` would rewrite the checkout: validated, never run
    if args.command == "help" or args.command in OFFLINE_COMMANDS:
        return True
    return bool(getattr(args, "sandbox", False))


@cache
def uv_help(*subcommand: str) -> str:
    uv = shutil.which("uv")
    if uv is None:
        return ""
    program = [uv, "tool", "run"] if subcommand == ("x",) else [uv, *subcommand]
    result = subprocess.run([*program, "--help"], capture_output=True, text=True, timeout=30)
    return result.stdout


def check_uv_flags(words: list[str]) -> None:
    """The options given to uv/uvx before the command they run are real uv options."""
    program = Path(words[0]).name
    rest = words[1:]
    if program == "uvx":
        subcommand: tuple[str, ...] = ("x",)
    else:
        subcommand = tuple(word for word in rest[:2] if not word.startswith("-") and word in {"run", "tool", "sync"})
        if subcommand[:1] == ("tool",):
            subcommand = tuple(rest[:2])
        rest = rest[len(subcommand) :]
    known = uv_help(*subcommand)
    if not known:
        return  # no uv on this machine: nothing to compare with
    for word in rest:
        if not word.startswith("-"):
            if words[words.index(word) - 1] in LAUNCHER_VALUE_OPTIONS:
                continue
            break  # the command uv runs starts here; its options are its own
        flag = word.split("=", 1)[0]
        assert re.search(rf"(^|[\s,]){re.escape(flag)}([\s,=<]|$)", known, re.M), (
            f"`{shlex.join(words)}`: {flag} is not an option of `{program} {' '.join(subcommand)}`"
        )


def check_names_and_paths(text: str, where: Snippet) -> None:
    for name in set(re.findall(r"\bCHATWOOT_[A-Z0-9_]+", text)):
        assert name in ENV_VARS, f"{where}: {name} is not a setting chatwoot-mcp reads (config.ENV_VARS)"
    for word in re.findall(r"[\w.-]+(?:/[\w.-]+)+", text):
        if word.split("/")[0] in REPO_ROOTS:
            assert (REPO / word).exists(), f"{where}: {word} does not exist in the repository"


def test_shell_commands_are_split_like_a_shell() -> None:
    # The parser under the other tests: continuations, comments, && and env prefixes.
    text = "A=1 uvx chatwoot-mcp --sandbox  # a comment\nclaude mcp add x --env B=2 \\\n  -- uvx chatwoot-mcp && ls"
    commands = shell_commands(text)
    assert commands == [
        ["A=1", "uvx", "chatwoot-mcp", "--sandbox"],
        ["claude", "mcp", "add", "x", "--env", "B=2", "--", "uvx", "chatwoot-mcp"],
        ["ls"],
    ]
    assert without_env_prefix(commands[0]) == ({"A": "1"}, ["uvx", "chatwoot-mcp", "--sandbox"])
    assert chatwoot_mcp_argv(commands[0][1:]) == ["--sandbox"]
    assert chatwoot_mcp_argv(commands[1]) == []
    assert chatwoot_mcp_argv(["uvx", "--from", "chatwoot-mcp", "chatwoot-mcp", "tools"]) == ["tools"]
    assert chatwoot_mcp_argv(["docker", "build", "-t", "chatwoot-mcp", "."]) is None
    assert chatwoot_mcp_argv(["docker", "run", "--rm", "-i", "ghcr.io/x/chatwoot-mcp:1", "--sandbox"]) == ["--sandbox"]


async def handshake(argv: list[str]) -> int:
    """Serve `chatwoot-mcp ARGV` over stdio with a real MCP client: initialize and tools/list; the tool count."""
    parameters = StdioServerParameters(
        command=sys.executable, args=["-m", "chatwoot_mcp", *argv], env=subprocess_env(), cwd=REPO
    )
    with anyio.fail_after(60):
        async with Client(parameters) as client:
            return len((await client.list_tools()).tools)


async def connector_handshake(argv: list[str]) -> int:
    """Serve `chatwoot-mcp ARGV` (an OAuth connector on the sandbox) as a process, on a free port instead of the
    one written, and connect as a host would: the MCP SDK's OAuth client, the sandbox agent signing in on the
    consent page with the token the page tells them to use; the tool count."""
    from .conftest import free_port, stop, wait_until_listening
    from .oauth_support import Browser, OAuthServer, connected, sdk_oauth

    port = free_port()
    given = list(argv)
    if "--port" in given:
        given[given.index("--port") + 1] = str(port)
    else:
        given += ["--port", str(port)]
    process = subprocess.Popen(
        [sys.executable, "-m", "chatwoot_mcp", *given],
        env=subprocess_env(),
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        from chatwoot_sandbox import AGENT_TOKEN, SandboxState

        from .conftest import ServerProcess

        await wait_until_listening(ServerProcess(process, port, Path("/dev/null")))
        server = OAuthServer(f"http://127.0.0.1:{port}", SandboxState.empty())
        with anyio.fail_after(60):
            async with connected(server, sdk_oauth(server, Browser({"token": AGENT_TOKEN}))) as client:
                return len((await client.list_tools()).tools)
    finally:
        stop(process)


SHELL = [snippet for snippet in SNIPPETS if snippet.lang == "sh" and snippet.mode != "skip"]


@pytest.mark.anyio
@pytest.mark.parametrize("snippet", SHELL, ids=str)
async def test_shell_snippet(snippet: Snippet) -> None:
    check_names_and_paths(snippet.text, snippet)
    to_run, to_serve, to_connect = [], [], []
    for words in shell_commands(snippet.text):
        _, words = without_env_prefix(words)
        program = Path(words[0]).name
        assert program in PROGRAMS, f"{snippet}: `{words[0]}` is not a program README may assume"
        if program in {"uv", "uvx"}:
            check_uv_flags(words)
        argv = chatwoot_mcp_argv(words)
        if argv is None:
            continue
        args = parse_cli(argv)
        if snippet.mode == "not-run" or (args.command == "schemas" and args.write):
            continue
        assert runs_offline(args), (
            f"{snippet}: `{shlex.join(words)}` needs a real Chatwoot; mark the block "
            "<!-- snippet: not-run (reason) --> or use --sandbox"
        )
        serving = args.command == "serve"
        if serving and args.transport != "stdio":
            assert args.auth == "oauth", f"{snippet}: HTTP serving is run here only with --auth oauth; mark it not-run"
            to_connect.append(argv)
            continue
        (to_serve if serving else to_run).append(argv)
    for argv in to_serve:
        assert await handshake(argv) > 0, f"`chatwoot-mcp {shlex.join(argv)}` listed no tools"
    for argv in to_connect:
        assert await connector_handshake(argv) > 0, f"`chatwoot-mcp {shlex.join(argv)}` listed no tools"
    for argv, result in zip(to_run, run_cli_many(to_run, timeout=90), strict=True):
        assert result.returncode == 0, f"`chatwoot-mcp {shlex.join(argv)}` failed:\n{result.stdout}{result.stderr}"
        assert "Traceback" not in result.stderr


# -- JSON ---------------------------------------------------------------------------------------------------------

JSON = [snippet for snippet in SNIPPETS if snippet.lang == "json" and snippet.mode != "skip"]


@pytest.mark.anyio
@pytest.mark.parametrize("snippet", JSON, ids=str)
async def test_json_snippet(snippet: Snippet) -> None:
    try:
        document = json.loads(snippet.text)
    except json.JSONDecodeError as error:
        pytest.fail(f"{snippet}: not JSON: {error}")
    check_names_and_paths(snippet.text, snippet)
    servers = document.get("mcpServers", {}) if isinstance(document, dict) else {}
    for name, server in servers.items():
        argv = chatwoot_mcp_argv([server["command"], *server.get("args", [])])
        assert argv is not None, f"{snippet}: server {name!r} does not launch chatwoot-mcp"
        unknown = set(server.get("env", {})) - set(ENV_VARS)
        assert not unknown, f"{snippet}: {sorted(unknown)} are not settings chatwoot-mcp reads"
        args = parse_cli(argv)
        if snippet.mode == "check" and runs_offline(args):
            assert await handshake(argv) > 0


# -- Python -------------------------------------------------------------------------------------------------------

PYTHON = [snippet for snippet in SNIPPETS if snippet.lang == "python" and snippet.mode != "skip"]


@pytest.mark.parametrize("snippet", PYTHON, ids=str)
def test_python_snippet(snippet: Snippet) -> None:
    try:
        tree = compile(snippet.text, str(snippet), "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except SyntaxError as error:
        pytest.fail(f"{snippet}: does not compile: {error}")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            module = importlib.import_module(node.module)
            missing = [alias.name for alias in node.names if not hasattr(module, alias.name)]
            assert not missing, f"{snippet}: {node.module} has no {missing}"


# -- the configuration table --------------------------------------------------------------------------------------


def test_the_configuration_tables_name_every_setting_once_and_real_flags() -> None:
    """README's Configure table and the tables of docs/ (team settings) together name each setting exactly once."""
    rows = [
        (page_name(page), name, flag_cell)
        for page in PAGES
        for name, flag_cell in re.findall(r"^\| `(CHATWOOT_[A-Z0-9_]+)` \| (.*?) \|", page.read_text("utf-8"), re.M)
    ]
    assert any(page == "README.md" for page, _, _ in rows), "README's Configure table is missing"
    documented = Counter(name for _, name, _ in rows)
    unknown = set(documented) - set(ENV_VARS)
    assert not unknown, f"README and docs/ document unknown settings: {sorted(unknown)}"
    missing = set(ENV_VARS) - set(documented)
    assert not missing, f"settings missing from the tables of README and docs/: {sorted(missing)}"
    twice = sorted(name for name, count in documented.items() if count > 1)
    assert not twice, f"settings documented in more than one table row (one place each): {twice}"
    serve_help = _serve_help()
    for page, name, flag_cell in rows:
        for flag in re.findall(r"`(--[a-z-]+)`", flag_cell):
            assert re.search(rf"\s{re.escape(flag)}\b", serve_help), (
                f"{page}: {name}: {flag} is not a flag of chatwoot-mcp"
            )


def _serve_help() -> str:
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.suppress(SystemExit):
        _parser().parse_args(["serve", "--help"])
    return stdout.getvalue()


# -- links and size -----------------------------------------------------------------------------------------------

LINK = re.compile(r"!?\[[^\]]*\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")


def without_fences(text: str) -> str:
    return re.sub(r"^```.*?^```[^\n]*$", "", text, flags=re.M | re.S)


def prose(text: str) -> str:
    """A page without its fenced blocks and inline code, where a `[x](y)` is not a link."""
    return re.sub(r"`[^`\n]*`", "", without_fences(text))


def heading_anchors(text: str) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as -, repeats numbered."""
    anchors: set[str] = set()
    seen: Counter[str] = Counter()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", without_fences(text), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(slug if not seen[slug] else f"{slug}-{seen[slug]}")
        seen[slug] += 1
    return anchors


def relative_links(page: Path) -> list[str]:
    targets = (match["target"] for match in LINK.finditer(prose(page.read_text(encoding="utf-8"))))
    return [target for target in targets if not re.match(r"[a-z][a-z0-9+.-]*:", target)]


def test_heading_anchors_are_githubs() -> None:
    text = "# chatwoot-mcp\n## Try it (needs Python >= 3.11)\n```sh\n# not a heading\n```\n## `uv` and uv\n## uv and uv"
    assert heading_anchors(text) == {"chatwoot-mcp", "try-it-needs-python--311", "uv-and-uv", "uv-and-uv-1"}
    assert prose("[a](b.md) `[c](d.md)`") == "[a](b.md) "


@pytest.mark.parametrize("page", PAGES, ids=page_name)
def test_relative_links_resolve(page: Path) -> None:
    broken = []
    for target in relative_links(page):
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not (file.exists() and file.is_relative_to(REPO)):
            broken.append(f"{target}: no such file in the repository")
        elif anchor and file.suffix == ".md" and anchor not in heading_anchors(file.read_text(encoding="utf-8")):
            broken.append(f"{target}: {page_name(file)} has no heading with the anchor #{anchor}")
    assert not broken, f"{page_name(page)} has broken links:\n" + "\n".join(broken)


def test_every_docs_page_is_linked_from_readme() -> None:
    linked = {(README.parent / target.partition("#")[0]).resolve() for target in relative_links(README)}
    unlinked = [page_name(page) for page in PAGES[1:] if page.resolve() not in linked]
    assert not unlinked, f"README does not link to {unlinked}"


def test_readme_fits_a_first_read() -> None:
    size = len(README.read_bytes())
    assert size < README_LIMIT, f"README.md is {size:,} bytes (limit {README_LIMIT:,}): move a section into docs/"
