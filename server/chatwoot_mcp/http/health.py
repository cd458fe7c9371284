"""`/healthz` and `/readyz` for load balancers and orchestrators: never authenticated, and revealing nothing.

`/healthz` says the process is up. `/readyz` says whether this process can serve calls now: Chatwoot answers (any
HTTP answer below 500 counts; no token is sent) and, when the server has shared state that can be checked (Redis),
that answers too. Both bodies name at most which of the two is failing: no URL, version, user or token.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import anyio
import httpx2

__all__ = ["READY_CACHE", "HealthRoutes", "Readiness"]

READY_CACHE = 2.0
"""Seconds a readiness answer is reused: an unauthenticated endpoint must not let anyone flood Chatwoot."""

CHECK_TIMEOUT = 3.0


class Readiness:
    """Whether Chatwoot (and the shared state, when it can be checked) answer now."""

    def __init__(
        self, base_url: str, http: httpx2.AsyncClient | None, state_of: Callable[[], Any] | None = None
    ) -> None:
        self.base_url = base_url
        self.http = http
        self.state_of = state_of
        self._last: tuple[float, list[str]] | None = None

    async def failing(self) -> list[str]:
        """The names of the parts that do not answer ("chatwoot", "state"); empty when ready."""
        if self._last is not None and time.monotonic() - self._last[0] < READY_CACHE:
            return self._last[1]
        failing = [
            name for name, ok in (("chatwoot", await self._chatwoot()), ("state", await self._state())) if not ok
        ]
        self._last = (time.monotonic(), failing)
        return failing

    async def _chatwoot(self) -> bool:
        if self.http is None:
            return True  # nothing to ask with (a server built without a shared client): say nothing false
        try:
            with anyio.fail_after(CHECK_TIMEOUT):
                response = await self.http.get(
                    f"{self.base_url}/api/v1/profile", headers={"accept": "application/json"}
                )
        except Exception:
            return False
        return response.status_code < 500

    async def _state(self) -> bool:
        state = self.state_of() if self.state_of is not None else None
        check = getattr(state, "check", None)
        if check is None:
            return True
        try:
            with anyio.fail_after(CHECK_TIMEOUT):
                await check()
        except Exception:
            return False
        return True


class HealthRoutes:
    """ASGI middleware answering GET /healthz and /readyz itself, in front of authentication; the rest passes on."""

    def __init__(self, app: Any, readiness: Readiness) -> None:
        self.app = app
        self.readiness = readiness

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path") if scope["type"] == "http" else None
        if path == "/healthz":
            await _answer(send, 200, {"status": "ok"})
        elif path == "/readyz":
            failing = await self.readiness.failing()
            body: dict[str, Any] = {"status": "not ready", "failing": failing} if failing else {"status": "ready"}
            await _answer(send, 503 if failing else 200, body)
        else:
            await self.app(scope, receive, send)


async def _answer(send: Any, status: int, body: dict[str, Any]) -> None:
    headers = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": json.dumps(body).encode()})
