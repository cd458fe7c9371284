"""Edge cases found in review: booleans as ids, blank removals, secrets inside logged tracebacks."""

from __future__ import annotations

import logging

import pytest
from mcp import Client

from chatwoot_mcp.cli import RedactingFilter
from chatwoot_sandbox import SandboxState
from tests.server.conftest import assert_refused, writes


@pytest.mark.anyio
async def test_a_boolean_is_not_a_conversation_id(client: Client, state: SandboxState) -> None:
    result = await client.call_tool("get_conversation", {"conversation_id": True})
    assert result.is_error
    assert not any(r.path.endswith("/conversations/1") for r in state.requests)


@pytest.mark.anyio
async def test_removing_only_blank_labels_is_refused(client: Client, state: SandboxState) -> None:
    result = await client.call_tool("remove_labels", {"conversation_id": 7, "labels": ["  ", ""]})
    assert_refused(result, "No labels given")
    assert writes(state) == []


def test_secrets_in_logged_tracebacks_are_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    record_filter = RedactingFilter(["tok-CANARY-77"])
    logger = logging.getLogger("chatwoot_mcp.test")
    logger.addFilter(record_filter)
    try:
        with caplog.at_level(logging.ERROR, logger="chatwoot_mcp.test"):
            try:
                raise RuntimeError("request with token tok-CANARY-77 failed")
            except RuntimeError:
                logger.exception("call failed for tok-CANARY-77")
    finally:
        logger.removeFilter(record_filter)
    assert caplog.records, "the failure was logged"
    assert "tok-CANARY-77" not in caplog.text
    assert "[redacted]" in caplog.text
