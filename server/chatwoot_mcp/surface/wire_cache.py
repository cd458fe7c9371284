"""tools/list answered from the checked-in tool_schemas/, so that start-up does no schema work.

Registering a tool with the SDK builds a pydantic model of its arguments and a JSON schema of its result: about
4 ms a tool, most of the server's own start-up. The wire form of every tool is already generated from the code and
checked in (tool_schemas/, for the default single-account configuration, shipped inside the wheel), and the drift
check (`chatwoot-mcp schemas --check`, a test) keeps it equal to what the code would build. So a server in that
configuration lists tools from those files and builds each tool's models on its first call. Any other
configuration (an account allowlist adds an `account_id` parameter) builds everything at start, as before.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from mcp.types import Tool as WireTool

__all__ = ["wire_tools"]

_PACKAGED = Path(__file__).resolve().parents[1] / "tool_schemas"
"""Where an installed wheel carries the files (pyproject's force-include); a plain path, as importlib.resources
would only add imports and lookups to start-up."""
_CHECKOUT = Path(__file__).resolve().parents[3] / "tool_schemas"
"""Where the files are in a source checkout."""


@cache
def wire_tools() -> dict[str, WireTool]:
    """{tool name: its checked-in wire form}; empty when the files are not there."""
    directory = _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT
    if not directory.is_dir():
        return {}
    tools = {}
    for path in sorted(directory.glob("*.json")):
        tool = WireTool.model_validate(json.loads(path.read_text(encoding="utf-8")))
        tools[tool.name] = tool
    return tools
