"""Every write tool under every fault, before and after Chatwoot applied the write: what is left, what is told.

For each write tool in the live tools/list, one representative valid call runs while the request that writes
(the first and, for tools that write more than once, the last) meets a fault: a 429, a 502, a 503, a timeout, a
2xx whose body is not Chatwoot's (an HTML page, `{}`), or a refused connection. Each fault comes BEFORE the write
is applied (the sandbox never runs it) or AFTER (it is applied and only its answer is lost). Faults persist
through the client's retries of idempotent requests (so the tool has to tell the outcome, not a retry hide it);
the client's backoff is shortened to nothing.

Afterwards the sandbox state decides:

- nothing lost: only the fields the tool may change moved, on the target conversation only (other labels,
  other custom attributes kept);
- nothing doubled: at most one new message per send_reply/add_private_note (with files too: a second row of each
  sends some), one new conversation per create_conversation;
- the truth told: a success only if the whole change is in the sandbox; an error after anything was applied says
  "may have been applied" or "WAS applied" and names a read tool to check with; an error when nothing was applied
  says "Nothing was written"/"Nothing was sent" or (when it genuinely cannot know) "may have been applied";
  never "Error executing tool", never a protocol error.

send_reply gets a second identical call after each case: after a fault AFTER the reply was stored it must not go
out twice; after a fault BEFORE it was stored it must not be refused as "already sent".
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.server import MCPServer
from mcp.types import CallToolResult

import chatwoot_mcp.guards.readback
from chatwoot_mcp.server import create_server
from chatwoot_sandbox import SandboxState, create_app
from chatwoot_sandbox.blobs import invoice_pdf, screenshot_png
from chatwoot_sandbox.records import ACTIVITY, Conversation
from tests.server.conftest import make_settings, text_of
from tests.server.hunt_support import (
    OUTCOMES,
    REFUSED_MARKERS,
    UNKNOWN_MARKERS,
    Tally,
    classify,
    plain_words_problems,
    result_problems,
    without_retry_waits,
)
from tests.support.faults import FaultyTransport

pytestmark = pytest.mark.anyio

TALLY = Tally("fault matrix: write-tool calls per fault and outcome")
RETRIES = 2
"""The client's default retries: a fault lasting 1 + RETRIES attempts is never retried away."""
READ_TOOLS = (
    "get_conversation",
    "list_labels",
    "list_messages",
    "list_conversations",
    "get_contact",
    "list_participants",
    "get_draft",
)
TARGET = 3
"""The conversation the calls change: open, unassigned, team billing, labels [billing], an order_id attribute."""


# -- faults on the Nth matching request -------------------------------------------------------------------------


@dataclass
class NthFault:
    """Fail the `nth` (1-based) request matching `method` and `path` (a regex searched in the path), and the
    `times - 1` after it (the client's retries of it). `kind` is a status code (answered by the sandbox's own
    `inject_fault`), "timeout" or "refused" (a connection refused: never sent); `after` applies the request
    first."""

    method: str
    path: str
    kind: int | str
    after: bool
    nth: int = 1
    times: int = 1 + RETRIES
    body: object = None
    content_type: str | None = None
    matched: int = 0

    def hits(self, request: httpx2.Request) -> bool:
        if request.method != self.method or not re.search(self.path, request.url.path):
            return False
        self.matched += 1
        return self.nth <= self.matched < self.nth + self.times


class MatrixTransport(FaultyTransport):
    """FaultyTransport in front of the current case's sandbox, failing the Nth write rather than the first.

    One server (and so one transport) serves every case: `reset` points it at a fresh sandbox. A status fault is
    handed to the sandbox's `inject_fault` for exactly this request; a timeout to FaultyTransport's own
    timeout_before/timeout_after.
    """

    def __init__(self) -> None:
        super().__init__(httpx2.ASGITransport(app=create_app(SandboxState.empty())))
        self.state = SandboxState.empty()
        self.faults: list[NthFault] = []

    def reset(self, state: SandboxState, *faults: NthFault) -> None:
        self.inner = httpx2.ASGITransport(app=create_app(state))
        self.state = state
        self.faults = list(faults)
        self.seen, self.forwarded, self.planned = [], [], []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        for fault in self.faults:
            if not fault.hits(request):
                continue
            path = request.url.path
            if fault.kind == "timeout":
                self.plan("timeout_after" if fault.after else "timeout_before", request.method, path)
            elif fault.kind == "refused":
                self.refuse_connection(request.method, path)
            else:
                assert isinstance(fault.kind, int)
                self.state.inject_fault(
                    fault.kind,
                    method=request.method,
                    path_contains=path,
                    after_handling=fault.after,
                    body=fault.body,
                    content_type=fault.content_type,
                )
        return await super().handle_async_request(request)

    async def aclose(self) -> None:  # shared by every case's session: nothing to close
        return None


ROUTER = MatrixTransport()
_SERVER: list[MCPServer] = []


def matrix_server() -> MCPServer:
    """The one server all cases use (building one costs ~0.1 s); its Chatwoot is whatever ROUTER points at."""
    if not _SERVER:
        _SERVER.append(create_server(make_settings(), http_client=lambda: httpx2.AsyncClient(transport=ROUTER)))
    return _SERVER[0]


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    without_retry_waits(monkeypatch)
    # The batch tools wait for Chatwoot's background job (0.3 s in the sandbox); 1 s is plenty here, and a case
    # whose write never ran does not wait the full 5 s.
    monkeypatch.setattr(chatwoot_mcp.guards.readback, "EFFECT_WAIT", 1.0)


@pytest.fixture(scope="module", autouse=True)
def _summary() -> Iterator[None]:
    yield
    TALLY.print(OUTCOMES)


# -- the write tools, each with a representative call -----------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """A write tool's representative call: the requests that write, and what its change looks like."""

    tool: str
    arguments: dict[str, Any]
    writes: tuple[tuple[str, str], ...]
    """(method, path regex) of each write request in order (a repeated one counts again)."""
    fields: tuple[str, ...]
    """The target conversation's fields the tool may change (see `snapshot`)."""
    applied: Callable[[SandboxState], bool]
    """Whether the whole change is in the sandbox."""
    prepare: Callable[[SandboxState], None] = lambda state: None
    case: str = ""
    """Names a second row of the same tool (another argument it takes, e.g. files)."""

    @property
    def key(self) -> str:
        return f"{self.tool}+{self.case}" if self.case else self.tool


def target(state: SandboxState) -> Conversation:
    return state.conversation(1, TARGET)


def _texts(state: SandboxState, content: str) -> list[Any]:
    return [m for c in state.account_conversations(1) for m in c.messages if m.content == content]


def _with_files(state: SandboxState, content: str, count: int) -> bool:
    found = _texts(state, content)
    return len(found) == 1 and len(found[0].attachments) == count


FILES = [
    {"name": "screen.png", "mime_type": "image/png", "content": base64.b64encode(screenshot_png()).decode()},
    {"name": "invoice.pdf", "mime_type": "application/pdf", "content": base64.b64encode(invoice_pdf()).decode()},
]


def _new_conversations(state: SandboxState) -> list[Conversation]:
    return [c for c in state.account_conversations(1) if c.display_id > 100]


def _label_pair(state: SandboxState) -> None:
    target(state).labels = ["billing", "vip"]


MESSAGES = rf"/conversations/{TARGET}/messages$"
LABELS = rf"/conversations/{TARGET}/labels$"
CONTACT_LABELS = r"/api/v1/accounts/1/contacts/\d+/labels$"
ASSIGNMENTS = rf"/conversations/{TARGET}/assignments$"
DRAFT = rf"/conversations/{TARGET}/draft_messages$"


def _old_draft(state: SandboxState) -> None:
    target(state).draft_message = "A colleague's draft"


WRITES = [
    Write(
        "create_conversation",
        {"inbox_id": 1, "contact_id": 20, "message": "Matrix hello"},
        (("POST", r"/accounts/1/conversations$"),),
        (),
        lambda s: len(_new_conversations(s)) == 1 and len(_texts(s, "Matrix hello")) == 1,
    ),
    Write(
        "update_conversation",
        {"conversation_id": TARGET, "status": "pending", "priority": "high"},
        (("POST", rf"/conversations/{TARGET}/toggle_status$"), ("PATCH", rf"/conversations/{TARGET}$")),
        ("status", "priority"),
        lambda s: (target(s).status, target(s).priority) == ("pending", "high"),
    ),
    Write(
        "assign_conversation",
        {"conversation_id": TARGET, "agent": "Alex Kim", "team": "technical"},
        (("POST", ASSIGNMENTS), ("POST", ASSIGNMENTS)),
        ("assignee", "team"),
        lambda s: (target(s).assignee_id, target(s).team_id) == (2, 2),
    ),
    Write(
        "toggle_status",
        {"conversation_id": TARGET, "status": "resolved"},
        (("POST", rf"/conversations/{TARGET}/toggle_status$"),),
        ("status",),
        lambda s: target(s).status == "resolved",
    ),
    Write(
        "set_priority",
        {"conversation_id": TARGET, "priority": "urgent"},
        (("PATCH", rf"/conversations/{TARGET}$"),),
        ("priority",),
        lambda s: target(s).priority == "urgent",
    ),
    Write(
        "update_custom_attributes",
        {"conversation_id": TARGET, "attributes": {"plan": "pro"}},
        (("POST", rf"/conversations/{TARGET}/custom_attributes$"),),
        ("custom",),
        lambda s: (target(s).custom_attributes or {}).get("plan") == "pro",
    ),
    Write(
        "add_private_note",
        {"conversation_id": TARGET, "content": "Matrix note"},
        (("POST", MESSAGES),),
        ("messages",),
        lambda s: len(_texts(s, "Matrix note")) == 1,
    ),
    Write(
        "send_reply",
        {"conversation_id": TARGET, "content": "Matrix reply", "confirm": True},
        (("POST", MESSAGES),),
        ("messages",),
        lambda s: len(_texts(s, "Matrix reply")) == 1,
    ),
    Write(
        "send_reply",
        {"conversation_id": TARGET, "content": "Matrix files", "confirm": True, "attachments": FILES},
        (("POST", MESSAGES),),
        ("messages",),
        lambda s: _with_files(s, "Matrix files", 2),
        case="files",
    ),
    Write(
        "add_private_note",
        {"conversation_id": TARGET, "content": "Matrix note files", "attachments": FILES[:1]},
        (("POST", MESSAGES),),
        ("messages",),
        lambda s: _with_files(s, "Matrix note files", 1),
        case="files",
    ),
    Write(
        "add_labels",
        {"conversation_id": TARGET, "labels": ["vip"]},
        (("POST", LABELS),),
        ("labels",),
        lambda s: set(target(s).labels) == {"billing", "vip"},
    ),
    Write(
        "remove_labels",
        {"conversation_id": TARGET, "labels": ["vip"]},
        (("POST", LABELS),),
        ("labels",),
        lambda s: target(s).labels == ["billing"],
        prepare=_label_pair,
    ),
    Write(
        "set_labels",
        {"conversation_id": TARGET, "labels": ["billing", "bug"], "expected_labels": ["billing"]},
        (("POST", LABELS),),
        ("labels",),
        lambda s: set(target(s).labels) == {"billing", "bug"},
    ),
    Write(
        "add_contact_labels",
        {"contact_id": 68, "labels": ["refund"]},
        (("POST", CONTACT_LABELS),),
        (),
        lambda s: s.contacts[68].labels == ["vip", "billing", "refund"],
    ),
    Write(
        "add_participants",
        {"conversation_id": TARGET, "agents": [1]},
        (("POST", rf"/conversations/{TARGET}/participants$"),),
        (),
        lambda s: 1 in target(s).participant_ids,
    ),
    Write(
        "run_macro",
        {"macro": "Route bug to technical", "conversation_ids": [TARGET], "confirm": True},
        (("POST", r"/macros/\d+/execute$"),),
        ("labels", "team", "priority", "assignee"),  # a team change may auto-assign one of its members
        lambda s: "bug" in target(s).labels and (target(s).team_id, target(s).priority) == (2, "high"),
    ),
    Write(
        "bulk_update_conversations",
        {"conversation_ids": [TARGET], "status": "pending", "add_labels": ["vip"], "confirm": True},
        (("POST", r"/accounts/1/bulk_actions$"),),
        ("status", "labels"),
        lambda s: target(s).status == "pending" and set(target(s).labels) == {"billing", "vip"},
    ),
    Write(
        "remove_contact_labels",
        {"contact_id": 68, "labels": ["vip"]},
        (("POST", CONTACT_LABELS),),
        (),
        lambda s: s.contacts[68].labels == ["billing"],
    ),
    Write(
        "save_draft",
        {"conversation_id": TARGET, "content": "Matrix draft"},
        (("PUT", DRAFT),),
        ("draft",),
        lambda s: target(s).draft_message == "Matrix draft",
    ),
    Write(
        "clear_draft",
        {"conversation_id": TARGET, "replace": True},
        (("DELETE", DRAFT),),
        ("draft",),
        lambda s: target(s).draft_message is None,
        prepare=_old_draft,
    ),
]
BY_KEY = {write.key: write for write in WRITES}


@dataclass(frozen=True)
class FaultSpec:
    kind: int | str
    body: object = None
    content_type: str | None = None
    phases: tuple[str, ...] = ("before", "after")


FAULTS = {
    "429": FaultSpec(429),
    "502": FaultSpec(502),
    "503": FaultSpec(503),
    "timeout": FaultSpec("timeout"),
    "refused-connection": FaultSpec("refused", phases=("before",)),  # provably never sent: nothing to be "after"
    "html-200": FaultSpec(200, "<html><body>Sign in to continue</body></html>", "text/html"),
    "empty-json-200": FaultSpec(200, {}),
}


KNOWN_BUGS: dict[tuple[str, str, str], str] = {}
"""(tool, fault, phase) cases that fail for a server bug: xfail(strict=True), the diagnosis as the reason."""


def _cases() -> list[Any]:
    cases = []
    for write in WRITES:
        last = len(write.writes) - 1
        steps = [(0, "first"), (last, "last")] if last else [(0, "")]
        for step, which in steps:
            for fault_name in FAULTS:
                for phase in FAULTS[fault_name].phases:
                    bug = KNOWN_BUGS.get((write.key, fault_name, phase))
                    marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
                    name = "-".join(filter(None, (write.key, which, fault_name, phase)))
                    cases.append(pytest.param(write.key, step, fault_name, phase, id=name, marks=marks))
    return cases


# -- what the sandbox shows -------------------------------------------------------------------------------------


def snapshot(state: SandboxState) -> dict[int, dict[str, Any]]:
    """Every account-1 conversation's changeable fields (messages: the non-activity ones, by content)."""
    return {
        c.display_id: {
            "status": c.status,
            "priority": c.priority,
            "assignee": c.assignee_id,
            "team": c.team_id,
            "labels": sorted(c.labels),
            "custom": json.dumps(c.custom_attributes, sort_keys=True),
            "messages": sorted(str(m.content) for m in c.messages if m.message_type != ACTIVITY),
            "draft": c.draft_message,
        }
        for c in state.account_conversations(1)
    }


def changes(before: dict[int, dict[str, Any]], after: dict[int, dict[str, Any]]) -> dict[int, list[str]]:
    """Which fields of which conversations differ (a conversation that is new: ["new"])."""
    found: dict[int, list[str]] = {}
    for display_id, fields in after.items():
        old = before.get(display_id)
        moved = ["new"] if old is None else [name for name, value in fields.items() if old[name] != value]
        if moved:
            found[display_id] = moved
    return found


def truth_problems(
    write: Write, result: CallToolResult, state: SandboxState, touched: bool, tools: set[str]
) -> list[str]:
    """What the result says that the sandbox contradicts, or leaves out."""
    text = text_of(result)
    problems = result_problems(result, None, writes=True)
    if not result.is_error:
        if not write.applied(state):
            problems.append("a success, but the change is not (all) in the sandbox")
        return problems
    unknown = any(marker in text for marker in UNKNOWN_MARKERS)
    if touched and not unknown:
        problems.append("the change was (partly) applied, but the error does not say it may have been / WAS applied")
    if not touched and not unknown and not any(marker in text for marker in REFUSED_MARKERS):
        problems.append("nothing was applied, but the error says neither 'Nothing was written/sent' nor unknown")
    if "WAS applied" in text and not touched:
        problems.append("says the change WAS applied, but nothing changed")
    if unknown:
        named = [tool for tool in READ_TOOLS if tool in text]
        if not named:
            problems.append(f"an unknown outcome that names no read tool to check with ({', '.join(READ_TOOLS)})")
        elif not set(named) <= tools:
            problems.append(f"names read tools the server does not have: {sorted(set(named) - tools)}")
    return problems


# -- the matrix -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "step", "fault_name", "phase"), _cases())
async def test_a_write_under_a_fault_loses_nothing_doubles_nothing_and_tells_the_truth(
    key: str, step: int, fault_name: str, phase: str
) -> None:
    write = BY_KEY[key]
    tool = write.tool
    spec = FAULTS[fault_name]
    method, path = write.writes[step]
    nth = sum(1 for earlier in write.writes[:step] if earlier == (method, path)) + 1
    fault = NthFault(method, path, spec.kind, phase == "after", nth, body=spec.body, content_type=spec.content_type)

    state = SandboxState.demo()
    write.prepare(state)
    ROUTER.reset(state, fault)
    before = snapshot(state)
    again: CallToolResult | None = None
    async with Client(matrix_server(), cache=None) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        result = await client.call_tool(tool, write.arguments)
        after = snapshot(state)
        stored = write.applied(state)
        if tool == "send_reply":
            ROUTER.faults.clear()  # the model sends the same reply again, and this time nothing fails
            again = await client.call_tool(tool, write.arguments)
    TALLY.count(f"{fault_name} {phase}", classify(result))
    assert tool in tools
    assert fault.matched >= nth, f"the fault never met its request: {ROUTER.seen}"
    where = f"{tool} with {fault_name} {phase} write #{step + 1} -> {text_of(result)!r}"

    moved = changes(before, after)
    new = [display_id for display_id, fields in moved.items() if fields == ["new"]]
    assert len(new) <= (1 if tool == "create_conversation" else 0), f"{where}: conversations created: {new}"
    others = {k: v for k, v in moved.items() if k != TARGET and k not in new}
    assert not others, f"{where}: other conversations changed: {others}"
    stray = [name for name in moved.get(TARGET, []) if name not in write.fields]
    assert not stray, f"{where}: fields it should not touch changed: {stray}"
    for content in ("Matrix hello", "Matrix note", "Matrix reply", "Matrix files", "Matrix note files"):
        assert len(_texts(state, content)) <= 1, f"{where}: {content!r} stored twice"
    if "labels" in write.fields:
        assert "billing" in target(state).labels, f"{where}: a label it should keep was lost"
    if "custom" in write.fields:
        assert "order_id" in (target(state).custom_attributes or {}), f"{where}: an attribute was lost"

    problems = truth_problems(write, result, state, bool(moved), tools)
    assert not problems, f"{where}: {problems}"

    if again is not None:
        text = text_of(again)
        copies = len(_texts(state, write.arguments["content"]))
        where += f"; sent again -> {text!r}"
        if again.is_error:
            assert not plain_words_problems(text), where
        if stored:  # it went out: the second one must not
            assert copies == 1, f"{where}: the customer got {copies} copies"
            assert again.is_error and "already sent" in text, where
        else:  # it did not go out: the second one must
            assert not again.is_error, f"{where}: refused though nothing went out"
            assert copies == 1, f"{where}: {copies} copies"


async def test_every_write_tool_is_in_the_matrix() -> None:
    ROUTER.reset(SandboxState.demo())
    async with Client(matrix_server(), cache=None) as client:
        tools = (await client.list_tools()).tools
    writes = {tool.name for tool in tools if not (tool.annotations and tool.annotations.read_only_hint)}
    covered = {write.tool for write in WRITES}
    assert writes == covered, f"write tools without a matrix row: {writes - covered}"


async def test_a_failed_read_back_after_an_applied_write_says_so_first(anyio_backend: str) -> None:
    """The writes are applied; the GET that reads the conversation back meets a 500 (through the client's retries).
    The result leads with what is true (the change WAS applied), and none of describe_error's advice for a
    request that wrote nothing ("It also does this for invalid values")."""
    state = SandboxState.demo()
    ROUTER.reset(state)
    state.inject_fault(500, method="GET", path_contains=f"/conversations/{TARGET}", times=1 + RETRIES)
    async with Client(matrix_server(), cache=None) as client:
        result = await client.call_tool(
            "assign_conversation", {"conversation_id": TARGET, "agent": "Alex Kim", "team": "technical"}
        )
    assert (target(state).assignee_id, target(state).team_id) == (2, 2)
    text = text_of(result)
    assert result.is_error
    assert text.startswith("The change WAS applied (Chatwoot accepted POST /api/v1/accounts/1/conversations/3/")
    read = f"GET /api/v1/accounts/1/conversations/{TARGET}"
    assert f"only reading it back to verify failed (Chatwoot answered 500 to {read})" in text
    assert "Check with get_conversation before calling again" in text
    assert "invalid values" not in text and "Nothing was written" not in text
