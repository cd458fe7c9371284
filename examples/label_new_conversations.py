"""A scripted automation, no LLM: label every new conversation as it arrives.

It connects to chatwoot-mcp with the plain MCP client (`mcp.ClientSession` over stdio), reads where the account's
event feed stands (`list_events`), then loops: wait for new conversations (`list_events(kinds=
["conversation_created"], wait_seconds=25)`), label each one (`add_labels`, which keeps the labels it already
has), and read on from `next_since`. The feed comes from Chatwoot's signed webhooks when the server receives them
(HTTP with a webhook secret), otherwise from polling, which the waiting calls drive: either way this script is the
same.

    uv run python label_new_conversations.py --label triage           # runs until stopped (Ctrl-C)
    uv run python label_new_conversations.py --label triage --rounds 3

By default it starts the server from this checkout on its demo sandbox (`triage_script.server_command`); set
`CHATWOOT_MCP_COMMAND`, and CHATWOOT_* for a real Chatwoot, as for the other examples.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
from datetime import timedelta
from typing import Any

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from triage_script import REPOSITORY, STARTUP_TIMEOUT, server_env

__all__ = ["SERVER_TOOLSETS", "WAIT_SECONDS", "label_new_conversations", "server_parameters"]

SERVER_TOOLSETS = "events,labels,conversations"
"""What the server lists: the event feed, add_labels, and create_conversation (which the demo uses)."""
WAIT_SECONDS = 25
"""How long one list_events call waits for a new conversation (the most the tool allows)."""


def server_parameters() -> StdioServerParameters:
    """The stdio command that starts chatwoot-mcp (this checkout on its sandbox unless CHATWOOT_MCP_COMMAND says)."""
    words = shlex.split(os.environ.get("CHATWOOT_MCP_COMMAND", ""))
    if not words:
        words = ["uv", "run", "--project", str(REPOSITORY), "--frozen", "--quiet", "chatwoot-mcp", "--sandbox"]
    words += ["--toolsets", SERVER_TOOLSETS]
    return StdioServerParameters(command=words[0], args=words[1:], env=server_env())


async def call(session: ClientSession, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """A tool's structured result; a refusal (an error result) raises with the server's words."""
    result = await session.call_tool(tool, arguments, read_timeout_seconds=timedelta(seconds=WAIT_SECONDS + 30))
    text = "\n".join(getattr(block, "text", "") for block in result.content)
    if result.isError:
        raise RuntimeError(f"{tool} refused: {text}")
    if result.structuredContent is not None:
        return result.structuredContent
    return json.loads(text)


async def label_new_conversations(
    session: ClientSession,
    label: str,
    *,
    rounds: int | None = None,
    wait_seconds: int = WAIT_SECONDS,
    stop_after: int | None = None,
) -> list[int]:
    """Label each conversation created from now on with `label`; returns the ids labelled.

    `rounds` bounds the waiting list_events calls, `stop_after` the conversations labelled (None: no bound). A
    conversation whose labelling is refused is reported and skipped: the next event is not held up by it.
    """
    start = await call(session, "list_events", {"kinds": ["conversation_created"]})
    since = start["next_since"]  # from here on: conversations created before the script started are left alone
    labelled: list[int] = []
    done = 0
    while (rounds is None or done < rounds) and (stop_after is None or len(labelled) < stop_after):
        page = await call(
            session,
            "list_events",
            {"since": since, "kinds": ["conversation_created"], "wait_seconds": wait_seconds},
        )
        for event in page["events"]:
            conversation_id = event["conversation_id"]
            try:
                await call(session, "add_labels", {"conversation_id": conversation_id, "labels": [label]})
            except RuntimeError as refused:
                print(f"#{conversation_id}: {refused}")
                continue
            labelled.append(conversation_id)
            print(f"#{conversation_id}: labelled {label}")
        since = page["next_since"]
        done += 1
    return labelled


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--label", default="triage", help="the label to add (it must exist in the account)")
    parser.add_argument("--rounds", type=int, default=None, help="waiting list_events calls before stopping")
    arguments = parser.parse_args()
    async with (
        stdio_client(server_parameters()) as (read, write),
        ClientSession(read, write, read_timeout_seconds=timedelta(seconds=STARTUP_TIMEOUT)) as session,
    ):
        await session.initialize()
        await label_new_conversations(session, arguments.label, rounds=arguments.rounds)


if __name__ == "__main__":
    asyncio.run(main())
