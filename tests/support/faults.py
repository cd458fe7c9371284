"""A transport that fails on purpose between a client and the sandbox, to test what a caller is told.

The three failures a network can cause, told apart by whether the request reached the server and was applied:

- `refuse_connection`: httpx2.ConnectError before anything is sent; the server never sees the request.
- `timeout_before`: httpx2.ReadTimeout without forwarding; the server never sees it either, but from the client's
  side this looks exactly like a request that was sent and whose answer was lost.
- `timeout_after`: the request is forwarded and applied, then httpx2.ReadTimeout; the answer is lost.

    state = SandboxState.demo()
    faults = FaultyTransport.over_sandbox(state)
    faults.refuse_connection("POST", "/messages")               # the next POST .../messages is refused
    faults.timeout_after("POST", "/messages", times=2)          # the two after it are applied, answers lost
    http = httpx2.AsyncClient(transport=faults)
    client = AsyncChatwootClient("http://sandbox", ADMIN_TOKEN, http_client=http)
    ...
    assert faults.forwarded_count("POST", "/messages") == 2     # what reached the sandbox
    assert len(faults.seen) == 3                                # what the client tried

Planned faults are matched in the order they were planned; each is used `times` times, then forgotten.
Server-side failures (5xx, 429, a malformed 2xx body) are the sandbox's own `inject_fault`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import httpx2

if TYPE_CHECKING:
    from chatwoot_sandbox import SandboxState

__all__ = ["FaultKind", "FaultyTransport", "PlannedFault"]

FaultKind = Literal["refuse_connection", "timeout_before", "timeout_after"]


@dataclass
class PlannedFault:
    """One planned failure for requests with `method` (any if None) whose path contains `path_contains`."""

    kind: FaultKind
    method: str | None = None
    path_contains: str = ""
    times: int = 1

    def matches(self, request: httpx2.Request) -> bool:
        return _matches(_line(request), self.method, self.path_contains)


class FaultyTransport(httpx2.AsyncBaseTransport):
    """Forwards requests to `inner`, except those a planned fault catches.

    Attributes:
        seen: "METHOD /path" of every request the client sent through this transport, faulted or not.
        forwarded: "METHOD /path" of every request that reached `inner`.
        planned: the faults not used up yet.
    """

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner = inner
        self.seen: list[str] = []
        self.forwarded: list[str] = []
        self.planned: list[PlannedFault] = []

    @classmethod
    def over_sandbox(cls, state: SandboxState | None = None) -> FaultyTransport:
        """A FaultyTransport in front of `chatwoot_sandbox.create_app(state)`, in process."""
        from chatwoot_sandbox import create_app

        return cls(httpx2.ASGITransport(app=create_app(state)))

    def plan(
        self, kind: FaultKind, method: str | None = None, path_contains: str = "", *, times: int = 1
    ) -> PlannedFault:
        """Fail the next `times` matching requests with `kind`."""
        fault = PlannedFault(kind, method, path_contains, times)
        self.planned.append(fault)
        return fault

    def refuse_connection(self, method: str | None = None, path_contains: str = "", *, times: int = 1) -> PlannedFault:
        """ConnectError before sending: nothing reaches the server."""
        return self.plan("refuse_connection", method, path_contains, times=times)

    def timeout_before(self, method: str | None = None, path_contains: str = "", *, times: int = 1) -> PlannedFault:
        """ReadTimeout without sending: not applied, though the client cannot know that."""
        return self.plan("timeout_before", method, path_contains, times=times)

    def timeout_after(self, method: str | None = None, path_contains: str = "", *, times: int = 1) -> PlannedFault:
        """Forward (the server applies the request), then ReadTimeout: the answer is lost."""
        return self.plan("timeout_after", method, path_contains, times=times)

    def forwarded_count(self, method: str | None = None, path_contains: str = "") -> int:
        """How many requests with `method` (any if None) and a path containing `path_contains` reached the server."""
        return sum(1 for line in self.forwarded if _matches(line, method, path_contains))

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.seen.append(_line(request))
        fault = self._take(request)
        if fault is not None and fault.kind == "refuse_connection":
            raise httpx2.ConnectError("planned fault: connection refused", request=request)
        if fault is not None and fault.kind == "timeout_before":
            raise httpx2.ReadTimeout("planned fault: timed out before the request was forwarded", request=request)
        response = await self.inner.handle_async_request(request)
        self.forwarded.append(_line(request))
        if fault is not None:  # timeout_after
            await response.aread()
            await response.aclose()
            raise httpx2.ReadTimeout("planned fault: the server answered, the answer was lost", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()

    def _take(self, request: httpx2.Request) -> PlannedFault | None:
        for fault in self.planned:
            if fault.matches(request):
                fault.times -= 1
                if fault.times <= 0:
                    self.planned.remove(fault)
                return fault
        return None


def _line(request: httpx2.Request) -> str:
    return f"{request.method} {request.url.path}"


def _matches(line: str, method: str | None, path_contains: str) -> bool:
    """Whether "METHOD /path" has `method` (any if None) and a path containing `path_contains`."""
    line_method, path = line.split(" ", 1)
    return (method is None or method.upper() == line_method) and path_contains in path
