"""The label guardrail end to end: add/remove keep other labels, set_labels needs proof, refusals write nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio
import pytest
from mcp import Client

from chatwoot_sandbox import DEMO_ACCOUNT_ID, SandboxState

from .conftest import (
    ASGIApp,
    Asker,
    assert_compact,
    assert_refused,
    connect,
    make_server,
    make_settings,
    structured,
    text_of,
    writes,
)

CONVERSATION = 7
LABELS_PATH = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations/{CONVERSATION}/labels"
ORIGINAL = ["shipping", "urgent", "vip"]


def labels_of(state: SandboxState, conversation: int = CONVERSATION) -> list[str]:
    return list(state.conversation(DEMO_ACCOUNT_ID, conversation).labels)


def label_posts(state: SandboxState, since: int = 0) -> list[Any]:
    return [r.json for r in state.requests[since:] if r.method == "POST" and r.path == LABELS_PATH]


# -- add_labels / remove_labels -----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_add_labels_keeps_existing_and_is_idempotent(client: Client, state: SandboxState) -> None:
    result = await client.call_tool("add_labels", {"conversation_id": "#7", "labels": ["billing"]})
    change = structured(result)
    assert_compact(result)
    assert change["before"] == ORIGINAL
    assert change["after"] == [*ORIGINAL, "billing"]
    assert change["added"] == ["billing"]
    assert change["written"] is True
    assert "concurrent_change" not in change
    assert labels_of(state) == [*ORIGINAL, "billing"]
    assert label_posts(state) == [{"labels": [*ORIGINAL, "billing"]}]

    seen = len(state.requests)
    again = structured(await client.call_tool("add_labels", {"conversation_id": 7, "labels": ["billing", "vip"]}))
    assert again["written"] is False
    assert again["added"] == []
    assert again["after"] == [*ORIGINAL, "billing"]
    assert label_posts(state, seen) == [], "a repeated add must not write"
    assert writes(state, seen) == []


@pytest.mark.anyio
async def test_labels_are_normalised(client: Client, state: SandboxState) -> None:
    change = structured(
        await client.call_tool(
            "add_labels", {"conversation_id": 7, "labels": [" Billing ", "BILLING", "billing", " VIP "]}
        )
    )
    assert change["added"] == ["billing"]
    assert labels_of(state) == [*ORIGINAL, "billing"]
    assert label_posts(state) == [{"labels": [*ORIGINAL, "billing"]}]


@pytest.mark.anyio
async def test_remove_labels_keeps_the_others(client: Client, state: SandboxState) -> None:
    result = await client.call_tool("remove_labels", {"conversation_id": 7, "labels": [" URGENT ", "billing"]})
    change = structured(result)
    assert_compact(result)
    assert change["before"] == ORIGINAL
    assert change["removed"] == ["urgent"]
    assert change["after"] == ["shipping", "vip"]
    assert change["written"] is True
    assert labels_of(state) == ["shipping", "vip"]

    seen = len(state.requests)
    again = structured(await client.call_tool("remove_labels", {"conversation_id": 7, "labels": ["urgent"]}))
    assert again["written"] is False and again["removed"] == []
    assert writes(state, seen) == []


@pytest.mark.anyio
async def test_comma_label_is_refused(client: Client, state: SandboxState) -> None:
    result = await client.call_tool("add_labels", {"conversation_id": 7, "labels": ["billing,vip"]})
    assert_refused(result, "comma", "separate")
    assert writes(state) == []
    assert labels_of(state) == ORIGINAL


@pytest.mark.anyio
async def test_unknown_label_is_refused_with_close_matches(client: Client, state: SandboxState) -> None:
    result = await client.call_tool("add_labels", {"conversation_id": 7, "labels": ["billng", "vip"]})
    text = assert_refused(result, "billng", "did you mean billing")
    assert "account's list" in text
    assert writes(state) == []
    for tool, arguments in [
        ("set_labels", {"labels": ["billng"], "confirm": True}),
        ("set_labels", {"labels": ["urgnet"], "expected_labels": ORIGINAL}),
    ]:
        refused = await client.call_tool(tool, {"conversation_id": 7, **arguments})
        assert_refused(refused, "did you mean")
    assert writes(state) == []


@pytest.mark.anyio
async def test_empty_label_lists_are_refused(client: Client, state: SandboxState) -> None:
    for tool in ("add_labels", "remove_labels"):
        result = await client.call_tool(tool, {"conversation_id": 7, "labels": []})
        assert_refused(result, "No labels given")
    blank = await client.call_tool("add_labels", {"conversation_id": 7, "labels": ["  "]})
    assert_refused(blank, "Empty label")
    assert writes(state) == []


@pytest.mark.anyio
async def test_parallel_adds_all_land(state: SandboxState, mode: str) -> None:
    server = make_server(state, make_settings(CHATWOOT_MCP_ALLOW_NEW_LABELS="1"))
    wanted = [f"parallel-{i:02d}" for i in range(20)]
    results: dict[str, Any] = {}
    async with connect(server, mode) as client:

        async def add(label: str) -> None:
            results[label] = await client.call_tool("add_labels", {"conversation_id": CONVERSATION, "labels": [label]})

        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                for label in wanted:
                    group.start_soon(add, label)
        final = structured(await client.call_tool("list_labels", {"conversation_id": CONVERSATION}))
    for label, result in results.items():
        assert structured(result)["added"] == [label]
    assert set(final["labels"]) == {*ORIGINAL, *wanted}
    assert set(labels_of(state)) == {*ORIGINAL, *wanted}


def dropping(label: str) -> Callable[[ASGIApp], ASGIApp]:
    """Wrap the sandbox so that every label write stores `label` nowhere: Chatwoot keeps the rest and says so."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def wrapped(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == LABELS_PATH:
                body = b""
                while True:
                    message = await receive()
                    body += message.get("body", b"")
                    if not message.get("more_body"):
                        break
                sent = json.loads(body)
                sent["labels"] = [x for x in sent["labels"] if x != label]
                replay = json.dumps(sent).encode()
                delivered = False

                async def replay_receive() -> dict[str, Any]:
                    nonlocal delivered
                    if delivered:
                        return await receive()
                    delivered = True
                    return {"type": "http.request", "body": replay, "more_body": False}

                await app(scope, replay_receive, send)
                return
            await app(scope, receive, send)

        return wrapped

    return wrap


@pytest.mark.anyio
async def test_what_chatwoot_did_not_keep_is_not_reported_as_added(state: SandboxState, mode: str) -> None:
    server = make_server(state, wrap_app=dropping("refund"))
    async with connect(server, mode) as client:
        result = await client.call_tool(
            "add_labels", {"conversation_id": CONVERSATION, "labels": ["billing", "refund"]}
        )
    change = structured(result)
    assert change["added"] == ["billing"]
    assert change["after"] == [*ORIGINAL, "billing"]
    assert change["not_kept"] == ["refund (Chatwoot's answer does not have it)"]
    assert "NOT done: refund" in text_of(result)
    assert labels_of(state) == [*ORIGINAL, "billing"]


@pytest.mark.anyio
async def test_two_servers_in_one_host_take_turns(state: SandboxState) -> None:
    """Two server instances (as two processes would be) share the host-wide lock: no add undoes another."""
    settings = make_settings(CHATWOOT_MCP_ALLOW_NEW_LABELS="1")
    servers = [make_server(state, settings, wrap_app=lambda app: app) for _ in range(2)]
    wanted = [f"tag-{n}" for n in range(10)]
    async with connect(servers[0], "auto") as first, connect(servers[1], "auto") as second:
        results = {}

        async def add(client: Client, label: str) -> None:
            results[label] = structured(
                await client.call_tool("add_labels", {"conversation_id": CONVERSATION, "labels": [label]})
            )

        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                for n, label in enumerate(wanted):
                    group.start_soon(add, (first, second)[n % 2], label)
    assert all(results[label]["added"] == [label] for label in wanted)
    assert set(labels_of(state)) == {*ORIGINAL, *wanted}


# -- set_labels ---------------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_set_labels_refused_without_proof(client: Client, state: SandboxState) -> None:
    result = await client.call_tool("set_labels", {"conversation_id": 7, "labels": ["billing"]})
    text = assert_refused(result, "not confirmed", "shipping, urgent, vip", "expected_labels", "confirm=true")
    assert "add_labels" in text
    assert writes(state) == []
    assert labels_of(state) == ORIGINAL


@pytest.mark.anyio
async def test_set_labels_with_matching_expected_labels(client: Client, state: SandboxState) -> None:
    result = await client.call_tool(
        "set_labels",
        {"conversation_id": 7, "labels": ["billing", "vip"], "expected_labels": ["VIP", "urgent", "shipping"]},
    )
    change = structured(result)
    assert_compact(result)
    assert change["written"] is True
    assert change["before"] == ORIGINAL
    assert change["after"] == ["billing", "vip"]
    assert change["added"] == ["billing"]
    assert change["removed"] == ["shipping", "urgent"]
    assert labels_of(state) == ["billing", "vip"]
    assert label_posts(state) == [{"labels": ["billing", "vip"]}]


@pytest.mark.anyio
async def test_set_labels_with_stale_expected_labels(client: Client, state: SandboxState) -> None:
    result = await client.call_tool(
        "set_labels", {"conversation_id": 7, "labels": ["billing"], "expected_labels": ["shipping"]}
    )
    assert_refused(result, "not what you expected", "current [shipping, urgent, vip]", "add_labels")
    assert writes(state) == []
    assert labels_of(state) == ORIGINAL


@pytest.mark.anyio
async def test_set_labels_with_confirm(client: Client, state: SandboxState) -> None:
    change = structured(
        await client.call_tool("set_labels", {"conversation_id": 7, "labels": ["refund"], "confirm": True})
    )
    assert change["written"] is True and change["after"] == ["refund"]
    assert labels_of(state) == ["refund"]


@pytest.mark.anyio
async def test_set_labels_dry_run_writes_nothing(client: Client, state: SandboxState) -> None:
    result = await client.call_tool("set_labels", {"conversation_id": 7, "labels": ["vip", "refund"], "dry_run": True})
    change = structured(result)
    assert change["dry_run"] is True and change["written"] is False
    assert change["before"] == ORIGINAL
    assert change["after"] == ["vip", "refund"]
    assert change["added"] == ["refund"]
    assert change["removed"] == ["shipping", "urgent"]
    text = text_of(result)
    assert "would change" in text and "removed: shipping, urgent" in text and "added: refund" in text
    assert writes(state) == []


@pytest.mark.anyio
async def test_set_labels_unchanged_writes_nothing(client: Client, state: SandboxState) -> None:
    change = structured(
        await client.call_tool(
            "set_labels", {"conversation_id": 7, "labels": ["vip", "urgent", "shipping"], "confirm": True}
        )
    )
    assert change["written"] is False
    assert writes(state) == []


@pytest.mark.anyio
async def test_clearing_all_labels_needs_the_same_proof(client: Client, state: SandboxState) -> None:
    refused = await client.call_tool("set_labels", {"conversation_id": 7, "labels": []})
    assert_refused(refused, "not confirmed", "remove [shipping, urgent, vip]")
    stale = await client.call_tool("set_labels", {"conversation_id": 7, "labels": [], "expected_labels": []})
    assert_refused(stale, "not what you expected")
    assert writes(state) == []

    cleared = structured(
        await client.call_tool("set_labels", {"conversation_id": 7, "labels": [], "expected_labels": ORIGINAL})
    )
    assert cleared["written"] is True and cleared["after"] == []
    assert labels_of(state) == []
    assert label_posts(state) == [{"labels": []}]


@pytest.mark.anyio
@pytest.mark.parametrize("labels", [["vip"], []])
async def test_set_labels_elicitation_accepted(state: SandboxState, mode: str, labels: list[str]) -> None:
    asker = Asker("accept")
    async with connect(make_server(state), mode, elicitation=asker) as client:
        change = structured(await client.call_tool("set_labels", {"conversation_id": 7, "labels": labels}))
    assert change["written"] is True
    assert labels_of(state) == labels
    assert len(asker.questions) == 1
    assert "Now: [shipping, urgent, vip]" in asker.questions[0]


@pytest.mark.anyio
@pytest.mark.parametrize("answer", ["decline", "cancel"])
@pytest.mark.parametrize("labels", [["vip"], []])
async def test_set_labels_elicitation_declined(state: SandboxState, mode: str, answer: str, labels: list[str]) -> None:
    asker = Asker(answer)
    async with connect(make_server(state), mode, elicitation=asker) as client:
        result = await client.call_tool("set_labels", {"conversation_id": 7, "labels": labels})
        assert_refused(result, "not confirmed", "expected_labels")
        assert len(asker.questions) == 1
        # With proof, nothing is asked.
        proven = await client.call_tool(
            "set_labels", {"conversation_id": 7, "labels": labels, "expected_labels": ORIGINAL}
        )
        assert structured(proven)["written"] is True
    assert len(asker.questions) == 1
    assert label_posts(state) == [{"labels": labels}]


@pytest.mark.anyio
async def test_elicitation_is_not_used_for_refused_labels(state: SandboxState, mode: str) -> None:
    asker = Asker("accept")
    async with connect(make_server(state), mode, elicitation=asker) as client:
        result = await client.call_tool("set_labels", {"conversation_id": 7, "labels": ["billng"]})
    assert_refused(result, "did you mean billing")
    assert asker.questions == []
    assert writes(state) == []


@pytest.mark.anyio
async def test_chatwoot_errors_while_asking_are_explained(state: SandboxState, mode: str) -> None:
    # The confirmation question reads Chatwoot first; a failure there must read like any other tool error.
    asker = Asker("accept")
    async with connect(make_server(state), mode, elicitation=asker) as client:
        missing = await client.call_tool("set_labels", {"conversation_id": 9999, "labels": ["vip"]})
        assert missing.is_error
        assert "could not find that record" in text_of(missing)
        state.inject_fault(403, times=10, method="GET", path_contains="/labels")
        failing = await client.call_tool("set_labels", {"conversation_id": 7, "labels": ["vip"]})
        assert failing.is_error
        assert text_of(failing).startswith("Chatwoot does not allow this action")
    assert asker.questions == []
    assert writes(state) == []


def slow_labels(app: ASGIApp) -> ASGIApp:
    """The sandbox, with every label request taking 50 ms (so that unserialised writers would overlap)."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == LABELS_PATH:
            await anyio.sleep(0.05)
        await app(scope, receive, send)

    return wrapped


@pytest.mark.anyio
async def test_set_labels_takes_the_same_lock_as_add_labels(state: SandboxState) -> None:
    """A replace, then an add started while it runs: the add waits, reads the replaced set and keeps it."""
    server = make_server(state, make_settings(CHATWOOT_MCP_ALLOW_NEW_LABELS="1"), wrap_app=slow_labels)
    async with connect(server, "auto") as client:
        added = None

        async def replace() -> None:
            await client.call_tool("set_labels", {"conversation_id": CONVERSATION, "labels": ["x"], "confirm": True})

        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                group.start_soon(replace)
                await anyio.sleep(0.02)  # the replace holds the lock and is reading
                added = await client.call_tool("add_labels", {"conversation_id": CONVERSATION, "labels": ["tag"]})
    assert added is not None and structured(added)["before"] == ["x"]
    assert labels_of(state) == ["x", "tag"]
