"""`chatwoot-mcp webhooks register | list | delete` against the sandbox: the secret printed once as the line to
configure, the API token never printed, and clear refusals (agent token, bad or taken URL, unknown events)."""

from __future__ import annotations

import contextlib
import io
import logging
import os
from collections.abc import Callable, Iterator

import httpx2
import pytest

from chatwoot_mcp.cli import main
from chatwoot_mcp.launch import sandbox as embedded
from chatwoot_sandbox import ADMIN_TOKEN, AGENT_TOKEN, DEMO_ACCOUNT_ID, SandboxState, create_app

URL = "https://mcp.example.com/webhooks/chatwoot"
FEED_EVENTS = ["conversation_created", "conversation_status_changed", "conversation_updated", "message_created"]
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def state(monkeypatch: pytest.MonkeyPatch) -> SandboxState:
    """One sandbox shared by every `--sandbox` run of the test (each run would otherwise get a fresh one)."""
    world = SandboxState.empty()
    app = create_app(world)
    monkeypatch.setattr(
        embedded, "sandbox_http_client", lambda: httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app))
    )
    return world


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, state: SandboxState) -> Iterator[Run]:
    """`run(*args, token=...)`: `chatwoot-mcp webhooks ARGS --sandbox` in this process -> (code, stdout, stderr)."""
    for name in list(os.environ):
        if name.startswith("CHATWOOT_"):
            monkeypatch.delenv(name)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level

    def invoke(*args: str, token: str = ADMIN_TOKEN) -> tuple[int, str, str]:
        monkeypatch.setenv("CHATWOOT_API_TOKEN", token)
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(["webhooks", *args, "--sandbox"])
        out, err = stdout.getvalue(), stderr.getvalue()
        assert token not in out and token not in err, "the API token was printed"
        assert "Traceback" not in err
        return code, out, err

    try:
        yield invoke
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def test_register_creates_the_feed_webhook_and_prints_the_secret_once(run: Run, state: SandboxState) -> None:
    code, out, err = run("register", "--url", URL)
    assert code == 0, err
    [webhook] = state.webhooks.values()
    assert (webhook.account_id, webhook.url, webhook.name) == (DEMO_ACCOUNT_ID, URL, "chatwoot-mcp")
    assert webhook.subscriptions == FEED_EVENTS
    assert out.count(webhook.secret) == 1 and err.count(webhook.secret) == 0
    assert f"CHATWOOT_MCP_WEBHOOK_SECRET={webhook.secret}\n" in out
    assert err == ""  # an https URL at the receiver's path: nothing to warn about

    code, listed, _ = run("list")
    assert code == 0 and webhook.secret not in listed
    assert URL in listed and f"{webhook.secret[:4]}…" in listed and "message_created" in listed

    code, out, _ = run("delete", str(webhook.id))
    assert code == 0 and state.webhooks == {} and f"Deleted webhook {webhook.id}" in out


def test_register_with_chosen_events_and_the_warnings_of_a_local_url(run: Run, state: SandboxState) -> None:
    code, _, err = run(
        "register", "--url", "http://127.0.0.1:8000/hook", "--events", "message_created, contact_updated"
    )
    assert code == 0
    [webhook] = state.webhooks.values()
    assert webhook.subscriptions == ["message_created", "contact_updated"]
    assert "/webhooks/chatwoot" in err and "not https" in err and "SAFE_FETCH_ALLOW_PRIVATE_NETWORK" in err


def test_an_agent_token_is_refused_with_what_to_do(run: Run, state: SandboxState) -> None:
    code, out, err = run("register", "--url", URL, token=AGENT_TOKEN)
    assert code == 1 and out == "" and state.webhooks == {}
    assert "401" in err and "administrator" in err and "CHATWOOT_API_TOKEN" in err
    assert run("list", token=AGENT_TOKEN)[0] == 1


@pytest.mark.parametrize("url", ["not a url", "mcp.example.com/webhooks/chatwoot", "ftp://mcp.example.com/x"])
def test_an_invalid_url_is_refused_before_chatwoot_is_asked(run: Run, state: SandboxState, url: str) -> None:
    code, out, err = run("register", "--url", url)
    assert code == 2 and out == "" and "--url must be an absolute http(s) URL" in err
    assert state.requests == []


def test_a_taken_url_is_chatwoots_422_with_a_pointer_to_list(run: Run, state: SandboxState) -> None:
    assert run("register", "--url", URL)[0] == 0
    code, out, err = run("register", "--url", URL)
    assert code == 1 and out == ""
    assert "422" in err and "Url has already been taken" in err and "webhooks list" in err
    assert len(state.webhooks) == 1


def test_unknown_events_and_unknown_ids_are_refused(run: Run, state: SandboxState) -> None:
    code, _, err = run("register", "--url", URL, "--events", "message_created,typing")
    assert code == 2 and "typing is not a Chatwoot webhook event" in err and state.webhooks == {}
    code, _, err = run("delete", "99")
    assert code == 1 and "404" in err
