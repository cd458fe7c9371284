"""Figures for the performance questions, side by side in one table; prints them, asserts nothing.

    uv run --frozen python benchmarks/bench.py [--runs 15] [--quick] [--markdown] [--sections 1,5]

1. Cold start over stdio: spawn to `tools/list` answered (median and min-max of N interleaved runs, with the
   bytecode compiled first and used) for `chatwoot-mcp --sandbox`, for chatwoot-mcp with a real configuration
   against `python -m chatwoot_sandbox` on loopback (token check included), for the reference `mcp-server-time`
   and for an MCPServer with no tools (the floor every server on the SDK starts from); each with the median of
   its run-by-run ratios to the reference.
2. `tools/list` size: the whole listing as compact JSON, and the part a model reads (name, description and
   inputSchema of each tool), for the default configuration and with dynamic toolsets.
3. Result bytes next to the raw Chatwoot JSON the call needed (the same GETs issued again, directly).
4. Chatwoot requests per call, from the sandbox's request log, with the directory cache warm.
5. Per-call overhead in-process: get_conversation through the MCP server vs the same call on AsyncChatwootClient,
   and a constant tool on a bare MCPServer (the SDK's own cost), interleaved call by call, in CPU time per call
   (everything runs in this process, so that is the work done, and other processes' load does not count).
6. Streamable HTTP throughput of one `chatwoot-mcp --sandbox --transport streamable-http` process, with 1, 8 and
   32 concurrent client sessions.

The whole run takes about two minutes (`--quick`: about 40 s). Figures from a busy machine are noisy: the
header shows the load average at the start.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import logging
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult, Tool

from chatwoot_sandbox import (
    ADMIN_TOKEN,
    DEMO_ACCOUNT_ID,
    LONG_CONVERSATION_ID,
    RecordedRequest,
    SandboxState,
    create_app,
)

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT = DEMO_ACCOUNT_ID
CONVERSATION = 3
"""An ordinary conversation of the demo account (24 messages, one label, a custom attribute)."""
SANDBOX_URL = "http://sandbox"


# -- the table ----------------------------------------------------------------------------------------------------


@dataclass
class Table:
    """Rows in groups; each group's title row names what its three figure columns mean."""

    rows: list[tuple[bool, str, list[str]]] = field(default_factory=list)

    def group(self, title: str, *columns: str) -> None:
        self.rows.append((True, title, list(columns)))

    def row(self, label: str, *cells: str) -> None:
        self.rows.append((False, label, list(cells)))

    def _cells(self) -> list[tuple[bool, list[str]]]:
        width = max(len(cells) for _, _, cells in self.rows)
        return [(is_group, [label, *cells, *[""] * (width - len(cells))]) for is_group, label, cells in self.rows]

    def text(self) -> str:
        rows = [(g, [c if g or i else f"  {c}" for i, c in enumerate(cells)]) for g, cells in self._cells()]
        widths = [max(len(cells[i]) for _, cells in rows) for i in range(len(rows[0][1]))]
        lines: list[str] = []
        for is_group, cells in rows:
            if is_group and lines:
                lines.append("")
            lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
        return "\n".join(lines)

    def markdown(self) -> str:
        rows = self._cells()
        columns = len(rows[0][1])
        lines = ["| Measure |" + " |" * (columns - 1), "|---|" + "---|" * (columns - 1)]
        for is_group, cells in rows:
            escaped = [c.replace("|", "\\|") for c in cells]
            if is_group:
                escaped = [f"**{escaped[0]}**", *(f"*{c}*" if c else "" for c in escaped[1:])]
            lines.append("| " + " | ".join(escaped) + " |")
        return "\n".join(lines)


def nbytes(value: int) -> str:
    return f"{value:,} B"


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms" if value >= 1 else f"{value:.2f} ms"


def percent(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"


def compact(value: object) -> int:
    """Bytes of `value` as compact UTF-8 JSON, the way it travels."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# -- processes ----------------------------------------------------------------------------------------------------


def spawn_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for spawned servers: mcp's safe defaults plus `extra`, and bytecode allowed.

    mcp's stdio client merges this over a short list of inherited variables, so PYTHONDONTWRITEBYTECODE (set on
    some machines) and any CHATWOOT_* of the caller stay out.
    """
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT", "TMPDIR")}
    return keep | (extra or {})


def compile_bytecode() -> None:
    """Compile the project once, so cold starts read .pyc (the first spawn writes the dependencies' own)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "client", "server"], cwd=ROOT, check=False)


_SERVE_PREFIX: list[str] | None = None


def chatwoot_mcp_args(*flags: str) -> list[str]:
    """`-m chatwoot_mcp FLAGS`, or `-m chatwoot_mcp serve FLAGS` when this version needs the subcommand."""
    global _SERVE_PREFIX
    if not flags:
        return ["-m", "chatwoot_mcp"]
    if _SERVE_PREFIX is None:
        probe = [sys.executable, "-m", "chatwoot_mcp", "--sandbox", "--log-level", "ERROR"]
        try:
            done = subprocess.run(probe, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
            bare = not (done.returncode == 2 and "usage:" in done.stderr)
        except subprocess.TimeoutExpired:
            bare = True
        _SERVE_PREFIX = [] if bare else ["serve"]
    return ["-m", "chatwoot_mcp", *_SERVE_PREFIX, *flags]


@contextmanager
def sandbox_process() -> Iterator[str]:
    """`python -m chatwoot_sandbox --port 0` for the block; yields its URL (read from the banner)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "chatwoot_sandbox", "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=spawn_env(),
        cwd=ROOT,
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        url = next((word for word in first.split() if word.startswith("http://")), None)
        if url is None:
            raise RuntimeError(f"chatwoot_sandbox did not start: {first!r}")
        threading.Thread(target=process.stderr.read, daemon=True).start()  # drained, so it never blocks on a full pipe
        yield url
    finally:
        stop(process)


def stop(process: subprocess.Popen[Any]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class HttpServer:
    url: str
    pid: int


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of process `pid` so far (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def http_server_process(port: int) -> Iterator[HttpServer]:
    """`chatwoot-mcp --sandbox --transport streamable-http --port PORT` for the block; yields the /mcp URL."""
    args = chatwoot_mcp_args("--sandbox", "--transport", "streamable-http", "--port", str(port))
    env = spawn_env({"CHATWOOT_MCP_LOG_LEVEL": "ERROR"})
    process = subprocess.Popen(
        [sys.executable, *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env, cwd=ROOT
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the streamable HTTP server did not start") from None
                time.sleep(0.05)
        yield HttpServer(f"http://127.0.0.1:{port}/mcp", process.pid)
    finally:
        stop(process)


# -- 1. cold start ------------------------------------------------------------------------------------------------


async def cold_start(params: StdioServerParameters) -> float:
    started = time.perf_counter()
    async with Client(params, cache=None) as client:
        await client.list_tools()
        return time.perf_counter() - started


async def section_cold_start(table: Table, runs: int) -> None:
    table.group(
        f"1. Cold start: spawn -> tools/list over stdio ({runs} runs)", "median", "min-max", "vs reference (per run)"
    )
    progress("compiling bytecode")
    compile_bytecode()
    with sandbox_process() as sandbox_url:
        real = {"CHATWOOT_BASE_URL": sandbox_url, "CHATWOOT_API_TOKEN": ADMIN_TOKEN, "CHATWOOT_ACCOUNT_ID": "1"}
        servers = {
            "chatwoot-mcp --sandbox": chatwoot_mcp_args("--sandbox"),
            "chatwoot-mcp, loopback Chatwoot (token checked)": chatwoot_mcp_args(),
            "mcp-server-time (reference)": ["-m", "mcp_server_time"],
            "MCPServer with no tools (the SDK's floor)": ["-c", BARE_SERVER],
        }
        envs = {name: spawn_env(real if "loopback" in name else None) for name in servers}
        params = {
            name: StdioServerParameters(command=sys.executable, args=args, env=envs[name], cwd=str(ROOT))
            for name, args in servers.items()
        }
        progress("cold start: one warm-up spawn each (writes the dependencies' bytecode)")
        for p in params.values():
            await cold_start(p)
        times: dict[str, list[float]] = {name: [] for name in params}
        names = list(params)
        for run in range(runs):
            progress(f"cold start: run {run + 1}/{runs}")
            # Each run starts with another server, so no one is always first (or always after a given one).
            for name in names[run % len(names) :] + names[: run % len(names)]:
                times[name].append(await cold_start(params[name]))
    reference = times["mcp-server-time (reference)"]
    for name, values in times.items():
        # This machine's speed drifts by tens of percent over seconds: each run's servers start within a few seconds
        # of each other, so the ratio is taken run by run and its median reported.
        ratios = [value / ref for value, ref in zip(values, reference, strict=True)]
        label = name.replace("chatwoot-mcp --sandbox", "chatwoot-mcp " + " ".join(servers[name][2:]))
        spread = f"{ms(min(values)).removesuffix(' ms')}-{ms(max(values))}"
        table.row(label, ms(statistics.median(values)), spread, f"{statistics.median(ratios):.2f}x")
    own = [own_start_up() for _ in range(5)]
    table.row(
        "of which chatwoot-mcp's own (imports, create_server, tools/list)",
        ms(statistics.median(own)),
        f"{ms(min(own)).removesuffix(' ms')}-{ms(max(own))}",
        f"{statistics.median(own) / statistics.median(reference):.1%} of the reference",
    )


OWN_START_UP = """
import time
import anyio, mcp.server.mcpserver  # what every server on the SDK imports (and the event loop it runs on)
import anyio._backends._asyncio
started = time.perf_counter()
from chatwoot_mcp.cli import main  # noqa: F401  (the entry point's own imports)
from chatwoot_mcp.config import load_settings
from chatwoot_mcp.server import create_server
server = create_server(load_settings({}, sandbox=True))
anyio.run(server.list_tools)
print(time.perf_counter() - started)
"""


def own_start_up() -> float:
    """Seconds chatwoot-mcp adds to a start-up in a fresh process, once the SDK is imported: a figure the machine's
    drift barely moves, unlike the spawn-to-answer times around it (themselves mostly the SDK's import)."""
    done = subprocess.run(
        [sys.executable, "-c", OWN_START_UP], env=spawn_env(), cwd=ROOT, capture_output=True, text=True, check=True
    )
    return float(done.stdout.split()[-1])


BARE_SERVER = "from mcp.server import MCPServer; MCPServer('bare').run()"
"""An MCPServer with nothing registered: what any server built on the SDK costs to start."""


# -- in-process servers -------------------------------------------------------------------------------------------


def base_env() -> dict[str, str]:
    return {"CHATWOOT_BASE_URL": SANDBOX_URL, "CHATWOOT_API_TOKEN": ADMIN_TOKEN, "CHATWOOT_ACCOUNT_ID": str(ACCOUNT)}


def in_process_server(state: SandboxState, flags: dict[str, object] | None = None) -> Any:
    """A chatwoot-mcp MCPServer whose Chatwoot is the sandbox app over `state`, in this process."""
    from chatwoot_mcp.config import load_settings
    from chatwoot_mcp.server import create_server

    settings = load_settings(base_env(), **(flags or {}))  # pyright: ignore[reportArgumentType]
    app = create_app(state)
    return create_server(settings, http_client=lambda: httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app)))


def dynamic_toolsets_supported() -> bool:
    from chatwoot_mcp.config import Settings

    return any(f.name == "dynamic_toolsets" for f in dataclasses.fields(Settings))


def text_bytes(result: CallToolResult) -> int:
    return sum(len(getattr(block, "text", "").encode()) for block in result.content)


def visible(tool: Tool) -> dict[str, object]:
    """What a model reads of a tool."""
    return {"name": tool.name, "description": tool.description or "", "inputSchema": tool.input_schema}


# -- 2. tools/list ------------------------------------------------------------------------------------------------


async def section_tools_list(table: Table) -> None:
    table.group("2. tools/list size", "tools", "bytes", "bytes per tool")
    configs: list[tuple[str, dict[str, object] | None]] = [("default", {})]
    # Dynamic toolsets shorten the first list of a 2025-era session, where they apply: a 2026-07-28 request has no
    # session and is listed every tool it may use (surface.toolsets).
    dynamic: dict[str, object] | None = {"dynamic_toolsets": True} if dynamic_toolsets_supported() else None
    configs.append(("dynamic toolsets (2025 session)", dynamic))
    listings: dict[str, str] = {}
    for name, flags in configs:
        if flags is None:
            table.row(f"{name}: whole listing (compact JSON)", "n/a", "n/a", "n/a (not in this version)")
            table.row(f"{name}: name+description+inputSchema", "n/a", "n/a", "n/a")
            continue
        mode = "legacy" if flags else "auto"
        async with Client(in_process_server(SandboxState.empty(), flags), mode=mode, cache=None) as client:
            listing = await client.list_tools()
        count = len(listing.tools)
        wire_json = listing.model_dump_json(by_alias=True, exclude_none=True)
        listings[name] = wire_json
        wire = len(wire_json.encode())
        per_tool = [compact(visible(tool)) for tool in listing.tools]
        same = " (same listing as default)" if name != "default" and wire_json == listings["default"] else ""
        table.row(
            f"{name}: whole listing (compact JSON){same}", str(count), nbytes(wire), f"{nbytes(wire // count)} mean"
        )
        table.row(
            f"{name}: name+description+inputSchema",
            str(count),
            nbytes(sum(per_tool)),
            f"{nbytes(round(statistics.median(per_tool)))} median ({nbytes(min(per_tool))}-{nbytes(max(per_tool))})",
        )


# -- 3. and 4.: result bytes and request counts -------------------------------------------------------------------


async def raw_bytes(state: SandboxState, requests: Sequence[RecordedRequest]) -> int:
    """Bytes of Chatwoot's JSON answers to `requests`, issued again directly (GETs only)."""
    total = 0
    transport = httpx2.ASGITransport(app=create_app(state))
    async with httpx2.AsyncClient(transport=transport, base_url=SANDBOX_URL) as http:
        for request in requests:
            if request.method != "GET":
                raise ValueError(f"{request.method} {request.path} cannot be issued again")
            response = await http.get(
                request.path, params=list(request.query.multi_items()), headers={"api_access_token": ADMIN_TOKEN}
            )
            total += len(response.content)
    return total


async def warm_directory(client: Client) -> None:
    for tool in ("list_agents", "list_teams", "list_account_labels", "list_inboxes"):
        await client.call_tool(tool, {})


async def section_results(table: Table) -> None:
    table.group("3. Result bytes vs raw Chatwoot JSON", "raw Chatwoot JSON", "our text block", "our structuredContent")
    state = SandboxState.demo()
    calls: list[tuple[str, str, dict[str, object]]] = [
        ("list_conversations (one page)", "list_conversations", {}),
        (f"get_conversation #{CONVERSATION}", "get_conversation", {"conversation_id": CONVERSATION}),
        (f"list_messages #{CONVERSATION} (latest page)", "list_messages", {"conversation_id": CONVERSATION}),
        (
            f"list_messages #{LONG_CONVERSATION_ID} all_history (300)",
            "list_messages",
            {"conversation_id": LONG_CONVERSATION_ID, "all_history": True},
        ),
    ]
    async with Client(in_process_server(state), cache=None) as client:
        await warm_directory(client)
        for label, tool, arguments in calls:
            mark = state.requests.total
            result = await client.call_tool(tool, arguments)
            needed = state.requests.since(mark)
            raw = await raw_bytes(state, needed)
            ours, structured = text_bytes(result), compact(result.structured_content)
            flag = " ERROR" if result.is_error else ""
            requests = f"{len(needed)} request{'s' if len(needed) != 1 else ''}"
            table.row(
                label + flag,
                f"{nbytes(raw)} ({requests})",
                f"{nbytes(ours)} ({percent(ours, raw)})",
                f"{nbytes(structured)} ({percent(structured, raw)})",
            )


def describe(requests: Sequence[RecordedRequest]) -> str:
    """`GET labels, POST labels`: each request's method and what it addressed, repeats counted (`16x GET messages`)."""
    names: list[str] = []
    for request in requests:
        parts = [p for p in request.path.removeprefix(f"/api/v1/accounts/{ACCOUNT}").split("/") if p]
        if parts[:1] == ["conversations"] and len(parts) > 1 and parts[1].isdigit():
            parts = parts[2:] or ["conversation"]
        names.append(f"{request.method} {'/'.join(parts)}")
    runs: list[tuple[str, int]] = []
    for name in names:
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1] + 1)
        else:
            runs.append((name, 1))
    return ", ".join(name if count == 1 else f"{count}x {name}" for name, count in runs)


async def section_requests(table: Table) -> None:
    table.group("4. Chatwoot requests per call (directory cache warm)", "requests", "what was sent")
    state = SandboxState.demo()
    current = state.conversation(ACCOUNT, CONVERSATION)
    present, absent = current.labels[0], "vip"
    calls: list[tuple[str, str, dict[str, object]]] = [
        ("get_conversation", "get_conversation", {"conversation_id": CONVERSATION}),
        ("list_conversations", "list_conversations", {}),
        ("list_messages (latest page)", "list_messages", {"conversation_id": CONVERSATION}),
        ("list_labels", "list_labels", {"conversation_id": CONVERSATION}),
        ("search_conversations", "search_conversations", {"q": "refund"}),
        ("get_counts", "get_counts", {}),
        ("assign_conversation: agent", "assign_conversation", {"conversation_id": CONVERSATION, "agent": 2}),
        ("assign_conversation: agent + team", "assign_conversation", {"conversation_id": 8, "agent": 4, "team": 1}),
        ("add_labels", "add_labels", {"conversation_id": CONVERSATION, "labels": [absent]}),
        ("add_labels: already there (no-op)", "add_labels", {"conversation_id": CONVERSATION, "labels": [present]}),
        ("remove_labels", "remove_labels", {"conversation_id": CONVERSATION, "labels": [absent]}),
        ("set_labels (expected_labels given)", "set_labels", {"conversation_id": CONVERSATION}),
        ("update_custom_attributes", "update_custom_attributes", {"conversation_id": CONVERSATION}),
        ("toggle_status", "toggle_status", {"conversation_id": CONVERSATION, "status": "pending"}),
        ("set_priority", "set_priority", {"conversation_id": CONVERSATION, "priority": "high"}),
        ("update_conversation", "update_conversation", {"conversation_id": CONVERSATION, "priority": "low"}),
        ("add_private_note", "add_private_note", {"conversation_id": CONVERSATION, "content": "Checked the invoice."}),
        ("send_reply (confirm=true)", "send_reply", {"conversation_id": CONVERSATION, "content": "Refunded today."}),
        ("create_conversation", "create_conversation", {"inbox_id": 1, "contact_id": 20}),
    ]
    async with Client(in_process_server(state), cache=None) as client:
        await warm_directory(client)
        for label, tool, arguments in calls:
            if tool == "set_labels":
                now = list(state.conversation(ACCOUNT, CONVERSATION).labels)
                arguments = {**arguments, "labels": [*now, "urgent"], "expected_labels": now}
            elif tool == "update_custom_attributes":
                arguments = {**arguments, "attributes": {"plan": "enterprise"}}
            elif tool == "send_reply":
                arguments = {**arguments, "confirm": True}
            mark = state.requests.total
            result = await client.call_tool(tool, arguments)
            sent = state.requests.since(mark)
            if result.is_error:
                label += " ERROR: " + " ".join(getattr(b, "text", "") for b in result.content)[:60]
            table.row(label, str(len(sent)), describe(sent))


# -- 5. per-call overhead -----------------------------------------------------------------------------------------


async def section_overhead(table: Table, calls: int) -> None:
    from chatwoot_client import AsyncChatwootClient
    from chatwoot_mcp.config import load_settings
    from chatwoot_mcp.server import create_server

    table.group(f"5. get_conversation in-process, {calls} calls each (CPU time)", "p50", "p99")
    state = SandboxState.demo()
    app = create_app(state)
    server = create_server(
        load_settings(base_env()), http_client=lambda: httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app))
    )
    http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app))
    arguments = {"conversation_id": CONVERSATION}
    async with (
        http,
        Client(server, cache=None) as client,
        AsyncChatwootClient(SANDBOX_URL, ADMIN_TOKEN, http_client=http) as api,
    ):
        sample = await client.call_tool("get_conversation", arguments)
        schema = next(t for t in (await client.list_tools()).tools if t.name == "get_conversation").output_schema
        async with Client(_constant_tool_server(sample, schema or {}), cache=None) as bare:

            async def through_server() -> None:
                result = await client.call_tool("get_conversation", arguments)
                if result.is_error:
                    raise RuntimeError("get_conversation failed")

            async def through_client() -> None:
                await api.conversations.get(ACCOUNT, CONVERSATION)

            async def through_sdk_only() -> None:
                await bare.call_tool("get_conversation", arguments)

            calls_made = (through_server, through_client, through_sdk_only)
            samples: dict[Callable[[], Awaitable[None]], list[float]] = {call: [] for call in calls_made}
            for _ in range(20):  # warm-up
                for call in calls_made:
                    await call()
            for _ in range(calls):  # interleaved, so all three see the same machine
                for call in calls_made:
                    started = time.process_time()
                    await call()
                    samples[call].append(time.process_time() - started)
    server_side, direct, sdk_only = (samples[call] for call in calls_made)
    # The machine's speed drifts: differences are taken call by call (each server call against the direct call made
    # right after it) and their percentiles reported.
    added = [s - d for s, d in zip(server_side, direct, strict=True)]
    own = [a - k for a, k in zip(added, sdk_only, strict=True)]
    table.row("through the MCP server (mcp.Client in memory)", *(ms(percentile(server_side, q)) for q in (0.5, 0.99)))
    table.row("AsyncChatwootClient directly", *(ms(percentile(direct, q)) for q in (0.5, 0.99)))
    table.row("difference: what the MCP server adds", *(ms(percentile(added, q)) for q in (0.5, 0.99)))
    table.row(
        "  of which the SDK (same result from a constant tool)", *(ms(percentile(sdk_only, q)) for q in (0.5, 0.99))
    )
    table.row("  of which chatwoot-mcp's own code (checks, view, redaction)", ms(percentile(own, 0.5)), "")


def _constant_tool_server(result: CallToolResult, output_schema: dict[str, Any]) -> Any:
    """An MCPServer with one tool that returns `result` at once: the SDK's own cost per call (both ends: dispatch,
    argument validation, serialisation, the client's check of the result against the same output schema)."""
    from mcp.server import MCPServer

    server = MCPServer("constant")

    async def get_conversation(conversation_id: int) -> CallToolResult:
        """The same answer every time."""
        return result

    server.add_tool(get_conversation, structured_output=False)
    tool = server._tool_manager.get_tool("get_conversation")
    assert tool is not None
    tool.fn_metadata.output_schema = output_schema
    return server


# -- 6. streamable HTTP throughput --------------------------------------------------------------------------------


@dataclass
class Throughput:
    calls: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    server_cpu: float = 0.0
    """CPU the server process used in the window, in CPUs (1.0 = one core busy)."""
    client_cpu: float = 0.0


async def throughput(server: HttpServer, clients: int, duration: float) -> Throughput:
    """`clients` sessions, each its own mcp.Client (a URL means `streamable_http_client`), calling get_conversation
    back to back; counted are the calls that complete within a window of `duration` seconds that opens once every
    session is connected and warm."""
    outcome = Throughput(seconds=duration)
    ready = 0
    go = anyio.Event()
    window = {"end": float("inf")}

    async def one_client() -> None:
        nonlocal ready
        async with Client(server.url, cache=None) as client:
            await client.call_tool("get_conversation", {"conversation_id": CONVERSATION})  # warm-up
            ready += 1
            if ready == clients:  # the window opens
                window["server_cpu"], window["client_cpu"] = cpu_seconds(server.pid) or 0.0, time.process_time()
                window["end"] = time.perf_counter() + duration
                go.set()
            await go.wait()
            while time.perf_counter() < window["end"]:
                started = time.perf_counter()
                result = await client.call_tool("get_conversation", {"conversation_id": CONVERSATION})
                finished = time.perf_counter()
                if finished <= window["end"]:
                    outcome.calls += 1
                    outcome.errors += bool(result.is_error)
                    outcome.latencies.append(finished - started)

    async def measure_cpu() -> None:
        await go.wait()
        await anyio.sleep(window["end"] - time.perf_counter())
        outcome.server_cpu = ((cpu_seconds(server.pid) or 0.0) - window["server_cpu"]) / duration
        outcome.client_cpu = (time.process_time() - window["client_cpu"]) / duration

    with anyio.fail_after(duration + 60):
        async with anyio.create_task_group() as group:
            group.start_soon(measure_cpu)
            for _ in range(clients):
                group.start_soon(one_client)
    return outcome


async def section_http(table: Table, duration: float) -> None:
    table.group(
        f"6. Streamable HTTP, get_conversation, {duration:g} s each", "calls/s", "p50 latency", "CPU: server, clients"
    )
    progress("streamable HTTP: starting the server")
    linux = cpu_seconds(os.getpid()) is not None
    with http_server_process(free_port()) as server:
        for clients in (1, 8, 32):
            progress(f"streamable HTTP: {clients} client(s)")
            measured = await throughput(server, clients, duration)
            errors = f" ({measured.errors} errors)" if measured.errors else ""
            cpu = f"{measured.server_cpu:.0%}, {measured.client_cpu:.0%}" if linux else "n/a"
            table.row(
                f"{clients} client session{'s' if clients > 1 else ''} (own mcp.Client each){errors}",
                f"{measured.calls / measured.seconds:.0f}",
                ms(statistics.median(measured.latencies)),
                cpu,
            )


# -- main ---------------------------------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> None:
    runs = args.runs if args.runs is not None else (3 if args.quick else 15)
    calls = 100 if args.quick else 300
    duration = 1.0 if args.quick else 3.0
    started = time.perf_counter()
    load = f"load {os.getloadavg()[0]:.1f} at start · " if hasattr(os, "getloadavg") else ""
    table = Table()
    sections: list[tuple[str, Callable[[], Awaitable[None]]]] = [
        ("1. Cold start", lambda: section_cold_start(table, runs)),
        ("2. tools/list size", lambda: section_tools_list(table)),
        ("3. Result bytes", lambda: section_results(table)),
        ("4. Requests per call", lambda: section_requests(table)),
        ("5. Per-call overhead", lambda: section_overhead(table, calls)),
        ("6. Streamable HTTP", lambda: section_http(table, duration)),
    ]
    for number, (name, run) in enumerate(sections, 1):
        if args.sections and number not in args.sections:
            continue
        progress(name)
        before = len(table.rows)
        try:
            await run()
        except Exception as error:  # a figure that cannot be measured is reported, not fatal
            traceback.print_exc(file=sys.stderr)
            if len(table.rows) == before:
                table.group(name, "", "", "")
            table.row(f"failed: {type(error).__name__}: {error}"[:110], "", "", "")
    elapsed = time.perf_counter() - started
    header = (
        f"chatwoot-mcp bench · {datetime.date.today().isoformat()} · Python {platform.python_version()} · "
        f"{os.cpu_count()} CPUs · {platform.system()} {platform.machine()} · {load}cold-start runs {runs} · "
        f"{elapsed:.0f} s in all"
    )
    if args.markdown:
        print(header + "\n")
        print(table.markdown())
    else:
        print(header)
        print(table.text())


if __name__ == "__main__":
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=None, help="cold-start runs per server (default 15, quick 3)")
    parser.add_argument("--quick", action="store_true", help="fewer runs and calls, shorter HTTP windows")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (for README)")
    parser.add_argument(
        "--sections", type=lambda text: {int(n) for n in text.split(",")}, help="only these sections, e.g. 1,5"
    )
    anyio.run(main, parser.parse_args())
