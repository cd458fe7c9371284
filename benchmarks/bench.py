"""Figures for the issue's performance questions; prints them, asserts nothing.

    uv run python benchmarks/bench.py [--runs 7]

1. Cold start over stdio: spawn to `tools/list` answered (median of N runs, interleaved), for chatwoot-mcp (real
   configuration, token check included, against a loopback sandbox) next to the reference `mcp-server-time`.
2. The size of `tools/list` (compact JSON, as it travels).
3. `list_conversations` output for a page of 25 next to Chatwoot's raw JSON for the same page.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import anyio
import httpx2
from mcp import Client, StdioServerParameters

from chatwoot_sandbox import ADMIN_TOKEN, SandboxState, create_app

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def cold_start(params: StdioServerParameters) -> float:
    started = time.perf_counter()
    async with Client(params, cache=None) as client:
        await client.list_tools()
        return time.perf_counter() - started


async def main(runs: int) -> None:
    port = free_port()
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "chatwoot_sandbox", "--port", str(port)], stderr=subprocess.DEVNULL, cwd=ROOT
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx2.get(f"http://127.0.0.1:{port}/api/v1/profile", headers={"api_access_token": ADMIN_TOKEN})
                break
            except httpx2.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        env = dict(os.environ)
        env |= {"CHATWOOT_BASE_URL": f"http://127.0.0.1:{port}", "CHATWOOT_API_TOKEN": ADMIN_TOKEN}
        env["CHATWOOT_ACCOUNT_ID"] = "1"
        servers = {
            "chatwoot-mcp": StdioServerParameters(command=sys.executable, args=["-m", "chatwoot_mcp"], env=env),
            "mcp-server-time": StdioServerParameters(command=sys.executable, args=["-m", "mcp_server_time"]),
        }
        for params in servers.values():  # warm the file cache once
            await cold_start(params)
        times: dict[str, list[float]] = {name: [] for name in servers}
        for _ in range(runs):
            for name, params in servers.items():
                times[name].append(await cold_start(params))
        print(f"1. cold start, spawn -> tools/list answered over stdio, median of {runs} (min-max):")
        for name, values in times.items():
            low, high = min(values) * 1000, max(values) * 1000
            print(f"   {name:16} {statistics.median(values) * 1000:6.0f} ms  ({low:.0f}-{high:.0f})")
    finally:
        sandbox.terminate()
        sandbox.wait(10)

    from chatwoot_mcp.config import load_settings
    from chatwoot_mcp.server import create_server

    state = SandboxState.demo()
    settings = load_settings(
        {"CHATWOOT_BASE_URL": "http://sandbox", "CHATWOOT_API_TOKEN": ADMIN_TOKEN, "CHATWOOT_ACCOUNT_ID": "1"}
    )
    server = create_server(
        settings, http_client=lambda: httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(state)))
    )
    async with Client(server, cache=None) as client:
        listing = await client.list_tools()
        result = await client.call_tool("list_conversations", {"status": "all"})
    tools_bytes = len(listing.model_dump_json(by_alias=True, exclude_none=True))
    print(f"2. tools/list: {len(listing.tools)} tools, {tools_bytes} bytes of compact JSON")

    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=create_app(state)), base_url="http://sandbox"
    ) as raw:
        response = await raw.get(
            "/api/v1/accounts/1/conversations", params={"status": "all"}, headers={"api_access_token": ADMIN_TOKEN}
        )
    raw_bytes = len(response.content)
    text_bytes = sum(len(getattr(b, "text", "").encode()) for b in result.content)
    structured_bytes = len(json.dumps(result.structured_content, separators=(",", ":"), ensure_ascii=False).encode())
    count = len((result.structured_content or {}).get("conversations", []))
    print(f"3. list_conversations, one page of {count} conversations:")
    print(f"   raw Chatwoot JSON      {raw_bytes:7d} bytes")
    print(f"   our text block         {text_bytes:7d} bytes ({text_bytes / raw_bytes:.1%} of raw)")
    print(f"   our structuredContent  {structured_bytes:7d} bytes ({structured_bytes / raw_bytes:.1%} of raw)")


if __name__ == "__main__":
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    anyio.run(main, parser.parse_args().runs)
