"""What `--auth oauth` adds to a call: its bearer check, once a token is known, beside a call with no check at all.

    uv run --frozen python benchmarks/oauth_overhead.py [--calls 2000] [--runs 5]

1. The bearer check alone, in process: the same tiny ASGI request sent N times, interleaved, to an app that
   answers at once, bare and behind `OAuthBearerMiddleware` with a known token (CPU time per request; medians
   of the call-by-call differences, p50 and p95).
2. What a cache miss costs in shared-state round trips: the record reads a first request makes (counted, exact).
3. End to end on loopback: `tools/list` (2026-07-28, one POST each) against uvicorn servers with no auth, with
   `--auth oauth` and a signed-in token, and with `--auth chatwoot-token`, interleaved; wall-clock p50 (the client
   runs in the same process: noisy, printed for scale).

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import httpx2

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "client"), str(ROOT / "server"), str(ROOT)]

from chatwoot_mcp.config import load_settings  # noqa: E402
from chatwoot_mcp.http.auth import UserSessions  # noqa: E402
from chatwoot_mcp.http.oauth.bearer import OAuthBearerMiddleware  # noqa: E402
from chatwoot_mcp.http.oauth.sealing import Sealer  # noqa: E402
from chatwoot_mcp.http.oauth.store import GrantStore, Pending  # noqa: E402
from chatwoot_mcp.state import MemoryState  # noqa: E402
from chatwoot_sandbox import AGENT_TOKEN, SandboxState, create_app  # noqa: E402

RESOURCE = "http://127.0.0.1:9/mcp"


class CountingState(MemoryState):
    """The in-process state, counting record reads (each would be one Redis round trip)."""

    reads = 0

    async def record_get(self, key: str) -> Any | None:
        CountingState.reads += 1
        return await super().record_get(key)


async def _ok(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def _request(token: str | None) -> dict[str, Any]:
    headers = [(b"content-type", b"application/json"), (b"mcp-method", b"tools/list")]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    return {"type": "http", "method": "POST", "path": "/mcp", "headers": headers}


async def _send_once(app: Any, token: str | None) -> int:
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(_request(token), receive, send)
    return status


async def in_process(calls: int, runs: int) -> None:
    settings = load_settings({"CHATWOOT_BASE_URL": "http://sandbox", "CHATWOOT_ACCOUNT_ID": "1"}, need_chatwoot=False)
    state = CountingState("http://sandbox")
    store = GrantStore(lambda: state, Sealer.from_state_keys(()))
    http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(SandboxState.demo())), base_url="x")
    pending = Pending("c", "Bench", "http://127.0.0.1:1/cb", True, None, "x" * 43, ["chatwoot:read"], RESOURCE)
    code = await store.grant(
        client_id="c", user_id=2, scopes=pending.scopes, chatwoot_token=AGENT_TOKEN, pending=pending
    )
    record = await store.take_code(code)
    assert record is not None
    access, _, _ = await store.mint(record.grant_id, "c", record.scopes, RESOURCE)
    guarded = OAuthBearerMiddleware(
        _ok, store, UserSessions(settings, http), "http://127.0.0.1:9", RESOURCE, "x", lambda name: None
    )
    CountingState.reads = 0
    assert await _send_once(guarded, access) == 200
    first_reads = CountingState.reads
    CountingState.reads = 0
    assert await _send_once(guarded, access) == 200
    known_reads = CountingState.reads

    differences: list[float] = []
    bare_times: list[float] = []
    for _ in range(runs):
        for _ in range(calls):
            start = time.process_time_ns()
            await _send_once(_ok, None)
            middle = time.process_time_ns()
            await _send_once(guarded, access)
            end = time.process_time_ns()
            bare_times.append((middle - start) / 1e6)
            differences.append(((end - middle) - (middle - start)) / 1e6)
    differences.sort()
    print("1. the bearer check alone, in process (CPU ms per request)")
    print(f"   bare request p50 {statistics.median(bare_times):.4f} ms")
    p95 = differences[int(len(differences) * 0.95)]
    print(f"   added by the check, known token: p50 {statistics.median(differences):.4f} ms, p95 {p95:.4f} ms")
    print("2. shared-state reads (each one Redis round trip with --state redis://)")
    print(f"   first request with a token: {first_reads} (its record; the profile check is a Chatwoot request)")
    print(f"   later requests with it:     {known_reads}")
    await http.aclose()


async def loopback(calls: int) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.server.oauth_support import LIST, RawClient, oauth_server
    from tests.server.team_support import served

    from chatwoot_mcp.http.transports import http_app
    from chatwoot_mcp.server import create_server

    state = SandboxState.demo()
    open_settings = load_settings(
        {"CHATWOOT_BASE_URL": "http://sandbox", "CHATWOOT_ACCOUNT_ID": "1"}, sandbox=True, transport="streamable-http"
    )
    sandbox_http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(state)))
    open_app = http_app(create_server(open_settings, shared_http=sandbox_http), open_settings, sandbox_http)
    headers = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2026-07-28"}
    team_settings = load_settings(
        {"CHATWOOT_BASE_URL": "http://sandbox", "CHATWOOT_ACCOUNT_ID": "1", "CHATWOOT_MCP_AUTH": "chatwoot-token"},
        transport="streamable-http",
    )
    team_app = http_app(create_server(team_settings, shared_http=sandbox_http), team_settings, sandbox_http)
    served_open, served_team = served(open_app, lifespan="on"), served(team_app, lifespan="on")
    async with (
        oauth_server(state, env={"CHATWOOT_ACCOUNT_ID": "1"}) as server,  # one account, as the others
        served_open as open_base,
        served_team as team_base,
        httpx2.AsyncClient(timeout=30) as http,
    ):
        client = RawClient(server, http)
        await client.register()
        tokens = await client.signed_in({"token": AGENT_TOKEN})
        plain, guarded, pasted, differences = [], [], [], []

        async def timed(call: Any) -> float:
            start = time.perf_counter()
            answer = await call()
            assert answer.status_code == 200, answer.text
            return (time.perf_counter() - start) * 1000

        def open_call() -> Any:
            return http.post(f"{open_base}/mcp", json=LIST, headers={**headers, "Mcp-Method": "tools/list"})

        def oauth_call() -> Any:
            return client.mcp(tokens["access_token"])

        def team_call() -> Any:
            auth = {**headers, "Mcp-Method": "tools/list", "Authorization": f"Bearer {AGENT_TOKEN}"}
            return http.post(f"{team_base}/mcp", json=LIST, headers=auth)

        for n in range(calls):  # ABBA: neither server always goes first
            if n % 2:
                guarded.append(await timed(oauth_call))
                plain.append(await timed(open_call))
            else:
                plain.append(await timed(open_call))
                guarded.append(await timed(oauth_call))
            pasted.append(await timed(team_call))
            differences.append(guarded[-1] - plain[-1])
    print("3. end to end on loopback: tools/list, 2026-07-28 (wall-clock ms, interleaved)")
    print(f"   no auth p50 {statistics.median(plain):.3f} ms; oauth p50 {statistics.median(guarded):.3f} ms")
    print(f"   oauth minus no auth, call by call: p50 {statistics.median(differences):.3f} ms")
    print(f"   per-user Chatwoot token (--auth chatwoot-token) p50 {statistics.median(pasted):.3f} ms")

    await sandbox_http.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--loopback-calls", type=int, default=300)
    args = parser.parse_args()
    anyio.run(in_process, args.calls, args.runs)
    anyio.run(loopback, args.loopback_calls)


if __name__ == "__main__":
    main()
