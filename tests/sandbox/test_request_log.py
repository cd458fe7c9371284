"""The request log: a bounded ring buffer that still reads like the list tests index, slice and compare."""

from __future__ import annotations

import httpx2
import pytest
from starlette.datastructures import QueryParams

from chatwoot_sandbox import DEMO_ACCOUNT_ID, RecordedRequest, RequestLog, SandboxState, create_app
from chatwoot_sandbox.state import DEFAULT_REQUEST_LOG_SIZE

pytestmark = pytest.mark.anyio


def record(n: int) -> RecordedRequest:
    return RecordedRequest("GET", f"/r/{n}", QueryParams(), None, {})


def paths(records: list[RecordedRequest]) -> list[str]:
    return [r.path for r in records]


def test_reads_like_a_list() -> None:
    log = RequestLog([record(n) for n in range(10)], maxlen=None)
    plain = [record(n) for n in range(10)]
    assert log == plain and plain == log and log != plain[:9] and log != "no"
    assert len(log) == 10 and log[0].path == "/r/0" and log[-1].path == "/r/9"
    for index in (slice(None), slice(3, None), slice(7, None), slice(2, 8), slice(-3, None), slice(None, -8),
                  slice(1, 9, 3), slice(None, None, -1), slice(8, 2, -2), slice(9, 3), slice(20, None)):  # fmt: skip
        assert paths(log[index]) == paths(plain[index]), index
    assert paths(list(reversed(log))) == paths(plain[::-1])
    first, *_, last = log
    assert (first.path, last.path) == ("/r/0", "/r/9")
    with pytest.raises(IndexError):
        log[10]
    assert RequestLog(maxlen=3) == [] and not RequestLog(maxlen=3)


def test_keeps_only_the_newest_and_counts_all() -> None:
    log = RequestLog(maxlen=3)
    for n in range(5):
        log.append(record(n))
    assert paths(log[:]) == ["/r/2", "/r/3", "/r/4"] and len(log) == 3 and log.total == 5
    mark = log.total
    log.append(record(5))
    log.append(record(6))
    assert paths(log.since(mark)) == ["/r/5", "/r/6"]
    assert paths(log.since(0)) == ["/r/4", "/r/5", "/r/6"], "what was pushed out is gone"
    assert log.since(log.total) == []
    log.clear()
    assert log == [] and log.total == 7
    nothing = RequestLog(maxlen=0)
    nothing.append(record(0))
    assert nothing == [] and nothing.total == 1
    with pytest.raises(ValueError):
        RequestLog(maxlen=-1)


async def test_the_state_bounds_its_log() -> None:
    assert SandboxState.demo().requests.maxlen == DEFAULT_REQUEST_LOG_SIZE
    assert SandboxState.empty(request_log_size=None).requests.maxlen is None
    state = SandboxState.demo(request_log_size=2)
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(state)), base_url="http://s") as http:
        for n in range(1, 4):
            await http.get(f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations/{n}")
    assert [r.path.rsplit("/", 1)[1] for r in state.requests] == ["2", "3"]
    assert state.requests.total == 3 and len(state.requests) == 2
