"""What the examples share: how to start chatwoot-mcp, and the scripted model's one triage step.

Each example wires the same two things into its framework:

- `server_command()`: the stdio command that starts chatwoot-mcp. By default the server from this checkout on its
  demo sandbox (`uv run --project .. chatwoot-mcp --sandbox`); set `CHATWOOT_MCP_COMMAND` to run another one, e.g.
  `CHATWOOT_MCP_COMMAND="uvx chatwoot-mcp"` with `CHATWOOT_BASE_URL`, `CHATWOOT_API_TOKEN` and
  `CHATWOOT_ACCOUNT_ID` set for a real Chatwoot. The server-side filters are flags on that command: `--toolsets`
  always, `--read-only` when asked.
- `next_step()`: a scripted stand-in for an LLM, so the examples run offline with no API key. It reads the
  unassigned queue, labels the first conversation "urgent" and leaves a private note on it, then answers with
  what the server said. With no write tool offered (read-only) it stops after reading. Swap in a real model and
  the wiring stays the same.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shlex
import sys
from collections.abc import Callable, Collection, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "NOTE",
    "REPOSITORY",
    "SERVER_TOOLSETS",
    "STARTUP_TIMEOUT",
    "TRIAGE_TOOLS",
    "Call",
    "next_step",
    "run_from_command_line",
    "server_command",
    "server_env",
    "tool_text",
]

REPOSITORY = Path(__file__).resolve().parent.parent

# Server-side filter: chatwoot-mcp lists only these toolsets (and, with --read-only, only their read tools).
SERVER_TOOLSETS = "conversations,messages,labels"
# Client-side filter: of what the server lists, the agent is shown only these tools.
TRIAGE_TOOLS = ("list_conversations", "add_labels", "add_private_note")

# Seconds to wait for the server to start and answer `initialize`: `uv run` may first sync the server's environment,
# and a busy machine is slow to import; the frameworks' own defaults (5 s) are too short for that.
STARTUP_TIMEOUT = 60.0

NOTE = "Triage: labelled urgent by the triage agent; please pick this up today."


@dataclass(frozen=True)
class Call:
    """A tool call the scripted model makes."""

    tool: str
    arguments: dict[str, Any] = field(default_factory=dict)


def server_command(*, read_only: bool = False) -> list[str]:
    """The command (program first) that starts chatwoot-mcp over stdio, with the example's filters as flags."""
    words = shlex.split(os.environ.get("CHATWOOT_MCP_COMMAND", ""))
    if not words:
        words = ["uv", "run", "--project", str(REPOSITORY), "--frozen", "--quiet", "chatwoot-mcp", "--sandbox"]
    words += ["--toolsets", SERVER_TOOLSETS]
    if read_only:
        words.append("--read-only")
    return words


def server_env() -> dict[str, str]:
    """The server's environment: ours, so that CHATWOOT_* settings reach it (MCP clients pass only a few by default)."""
    return dict(os.environ)


def tool_text(output: Any) -> str:
    """The text of a tool's result, from the shapes the frameworks hand back.

    That is plain text, MCP content blocks (as objects or JSON), or the structured result (as JSON).
    """
    if isinstance(output, list):
        return "\n".join(tool_text(part) for part in output)
    if isinstance(output, dict):
        return (
            str(output["text"])
            if output.get("type") in ("text", "input_text")
            else json.dumps(output, ensure_ascii=False)
        )
    text = str(output)
    try:
        decoded = json.loads(text)
    except ValueError:
        return text
    return tool_text(decoded) if isinstance(decoded, dict | list) else text


def next_step(tools: Collection[str], results: Sequence[str]) -> Call | str:
    """The scripted model's next move: a tool call, or its final answer.

    `tools` are the names of the tools the agent was offered; `results` the texts of the tool results so far.
    """
    if "list_conversations" not in tools:
        return "No list_conversations tool is offered: nothing to triage."
    if not results:
        return Call("list_conversations", {"status": "open", "assignee_type": "unassigned"})
    found = re.search(r'(?:#|"id": )(\d+)', results[0])  # "#14 open ..." as text, {"id": 14, ...} structured
    if found is None:
        return "The queue has no unassigned open conversation: nothing to triage."
    target = int(found.group(1))
    if not {"add_labels", "add_private_note"} <= set(tools):
        return f"Read-only: #{target} is first in the queue, but no write tool is offered, so nothing was changed."
    if len(results) == 1:
        return Call("add_labels", {"conversation_id": target, "labels": ["urgent"]})
    if len(results) == 2:
        return Call("add_private_note", {"conversation_id": target, "content": NOTE})
    return f"Triaged #{target}.\n{results[1]}\n{results[2]}"


def run_from_command_line(triage: Callable[..., Coroutine[Any, Any, str]], description: str | None) -> None:
    """An example's command line: `[--read-only]`, then the agent's final answer on stdout (or why there is none)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--read-only", action="store_true", help="start the server with --read-only")
    read_only = parser.parse_args().read_only
    try:
        answer = asyncio.run(triage(read_only=read_only))
    except Exception as error:  # each framework has its own kinds for a server that cannot start or answer
        while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
            error = error.exceptions[0]
        sys.exit(
            f"error: the triage through `{shlex.join(server_command(read_only=read_only))}` failed: "
            f"{type(error).__name__}: {error}\nDoes that command start chatwoot-mcp on its own? "
            "Set CHATWOOT_MCP_COMMAND to one that does."
        )
    print(answer)
