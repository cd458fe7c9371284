"""The labelling automation against the server on its demo sandbox over stdio: a conversation created while it
waits on list_events gets the label; the ones that were there before it started do not.

With stdio there are no webhooks, so the feed polls (every 10 s, driven by the waiting list_events call): the
test takes that long.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from mcp import ClientSession
from mcp.client.stdio import stdio_client

from label_new_conversations import call, label_new_conversations, server_parameters
from triage_script import STARTUP_TIMEOUT


async def labelled_ids(session: ClientSession) -> set[int]:
    page = await call(session, "list_conversations", {"status": "all", "labels": ["onboarding"]})
    assert page.get("next_page") is None, page
    return {conversation["id"] for conversation in page["conversations"]}


def test_a_new_conversation_is_labelled_and_old_ones_are_left_alone() -> None:
    async def scenario() -> None:
        async with (
            stdio_client(server_parameters()) as (read, write),
            ClientSession(read, write, read_timeout_seconds=timedelta(seconds=STARTUP_TIMEOUT)) as session,
        ):
            await session.initialize()
            before = await labelled_ids(session)
            automation = asyncio.create_task(
                label_new_conversations(session, "onboarding", wait_seconds=15, rounds=4, stop_after=1)
            )
            await asyncio.sleep(1.0)  # it has read where the feed stands, and waits
            created = await call(session, "create_conversation", {"inbox_id": 1, "contact_id": 1})
            new_id = created["id"]
            assert await asyncio.wait_for(automation, timeout=90) == [new_id]
            conversation = await call(session, "get_conversation", {"conversation_id": new_id})
            assert "onboarding" in conversation["labels"]
            assert await labelled_ids(session) == before | {new_id}  # and no other conversation was touched

    asyncio.run(scenario())
