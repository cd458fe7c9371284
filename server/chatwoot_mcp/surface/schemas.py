"""tool_schemas/: one JSON file per tool, its wire form, so every change to a tool's contract shows in review."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chatwoot_mcp.config import Settings

__all__ = ["REFERENCE_SETTINGS", "SCHEMA_DIR", "check_schemas", "outside_checkout", "render_schemas", "write_schemas"]

SCHEMA_DIR = Path("tool_schemas")
REGENERATE = "uv run chatwoot-mcp schemas --write"

REFERENCE_SETTINGS = Settings(base_url="https://chatwoot.example", api_token="unused", account_ids=(1,))
"""The default single-account configuration the checked-in schemas describe."""


def outside_checkout(directory: Path = Path()) -> str | None:
    """Why `schemas` cannot run in `directory` (it is not a source checkout of chatwoot-mcp), or None if it can.

    An installed wheel has no tool_schemas/ to check or write beside it: the command belongs to development.
    """
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file() and 'name = "chatwoot-mcp"' in pyproject.read_text(encoding="utf-8"):
        return None
    return (
        f"`chatwoot-mcp schemas` is a development command: it checks or rewrites tool_schemas/ in a source checkout "
        f"of chatwoot-mcp, and {directory.resolve()} is not one. Run it from the checkout's root, e.g. "
        "`uv run chatwoot-mcp schemas --check`; the installed server needs nothing from it."
    )


async def render_schemas(settings: Settings = REFERENCE_SETTINGS) -> dict[str, str]:
    """{file name: content} for every tool (those of dynamic toolsets too), as a client sees them in tools/list.

    Built from the code, never from the files themselves (which also serve as the server's listing cache).
    """
    from dataclasses import replace

    from mcp import Client
    from mcp.client.extension import advertise

    from chatwoot_mcp.apps.extension import APP_MIME_TYPE, EXTENSION_ID
    from chatwoot_mcp.server import create_server

    tools = {}
    # The dynamic-toolsets tools are listed to sessions only (2025-era handshake): see surface.toolsets. The app-only
    # tools are listed to clients that support MCP Apps only. The files hold what every client is shown: no `_meta`
    # (the `_meta.ui` a client with apps sees follows from the rows, `ToolSpec.ui_meta`).
    apps = [advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})]
    for configuration, mode, extensions in (
        (settings, "auto", []),
        (replace(settings, dynamic_toolsets=True), "legacy", []),
        (settings, "auto", apps),
    ):
        async with Client(
            create_server(configuration, listing_cache=False), mode=mode, extensions=extensions
        ) as client:
            tools |= {tool.name: tool for tool in (await client.list_tools()).tools}
    files = {}
    for tool in tools.values():
        wire: dict[str, Any] = tool.model_dump(mode="json", by_alias=True, exclude_none=True)
        keys = ("name", "title", "description", "inputSchema", "outputSchema", "annotations")
        wanted = {k: wire[k] for k in keys if k in wire}  # a tool may declare no output schema (ToolSpec.output_schema)
        files[f"{tool.name}.json"] = json.dumps(wanted, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return files


async def write_schemas(directory: Path = SCHEMA_DIR) -> list[str]:
    """Rewrite `directory` to match the code; returns the files written or removed."""
    files = await render_schemas()
    directory.mkdir(exist_ok=True)
    changed = []
    for path in directory.glob("*.json"):
        if path.name not in files:
            path.unlink()
            changed.append(f"removed {path.name}")
    for name, content in files.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
            changed.append(f"wrote {name}")
    return changed


async def check_schemas(directory: Path = SCHEMA_DIR) -> list[str]:
    """Every difference between `directory` and the code, as readable lines (empty when they match)."""
    files = await render_schemas()
    on_disk = {p.name for p in directory.glob("*.json")} if directory.exists() else set()
    problems = [f"{name}: no such tool any more (orphan file)" for name in sorted(on_disk - files.keys())]
    for name, content in sorted(files.items()):
        path = directory / name
        if not path.exists():
            problems.append(f"{name}: missing")
        elif path.read_text(encoding="utf-8") != content:
            problems.append(f"{name}: differs from the code")
    if problems:
        problems.append(f"Regenerate with: {REGENERATE}")
    return problems
