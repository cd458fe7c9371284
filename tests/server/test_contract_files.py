"""Checked-in artefacts that describe the tools must match the code: tool_schemas/ and the README tool table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from chatwoot_mcp.surface.schemas import REGENERATE, check_schemas, render_schemas, write_schemas
from chatwoot_mcp.tools import ALL_TOOLS, apps, toolsets

from .conftest import REPO, lines_between

README_START, README_END = "<!-- tools:start -->", "<!-- tools:end -->"
ROW = re.compile(
    r"^\|\s*`(?P<name>[a-z_]+)`\s*\|\s*(?P<toolset>[^|]*?)\s*\|\s*(?P<title>[^|]*?)\s*\|\s*(?P<kind>[^|]*?)\s*\|$"
)


# -- tool_schemas/ ------------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_tool_schemas_match_the_code() -> None:
    problems = await check_schemas(REPO / "tool_schemas")
    assert not problems, "tool_schemas/ is out of date:\n" + "\n".join(problems)


@pytest.mark.anyio
async def test_schema_check_detects_drift_missing_and_orphans(tmp_path: Path) -> None:
    written = await write_schemas(tmp_path)
    every_tool = [*ALL_TOOLS, *toolsets.TOOLS, *apps.TOOLS]
    assert sorted(written) == sorted(f"wrote {spec.name}.json" for spec in every_tool)
    assert await check_schemas(tmp_path) == []
    assert await write_schemas(tmp_path) == [], "rewriting unchanged schemas changes nothing"

    drifted = tmp_path / "add_labels.json"
    schema = json.loads(drifted.read_text(encoding="utf-8"))
    schema["description"] += " (edited by hand)"
    drifted.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (tmp_path / "set_labels.json").unlink()
    (tmp_path / "old_tool.json").write_text("{}\n", encoding="utf-8")

    problems = await check_schemas(tmp_path)
    assert "add_labels.json: differs from the code" in problems
    assert "set_labels.json: missing" in problems
    assert "old_tool.json: no such tool any more (orphan file)" in problems
    assert problems[-1] == f"Regenerate with: {REGENERATE}"
    assert len(problems) == 4, problems

    assert sorted(await write_schemas(tmp_path)) == [
        "removed old_tool.json",
        "wrote add_labels.json",
        "wrote set_labels.json",
    ]
    assert await check_schemas(tmp_path) == []


@pytest.mark.anyio
async def test_missing_schema_directory_reports_every_tool(tmp_path: Path) -> None:
    problems = await check_schemas(tmp_path / "absent")
    assert len(problems) == len(ALL_TOOLS) + len(toolsets.TOOLS) + len(apps.TOOLS) + 1
    assert all(p.endswith(": missing") for p in problems[:-1])


@pytest.mark.anyio
async def test_rendered_schemas_are_the_wire_form() -> None:
    files = await render_schemas()
    assert set(files) == {f"{spec.name}.json" for spec in [*ALL_TOOLS, *toolsets.TOOLS, *apps.TOOLS]}
    for name, content in files.items():
        tool = json.loads(content)
        assert {"name", "title", "description", "inputSchema", "annotations"} <= tool.keys(), name
        assert "account_id" not in tool["inputSchema"].get("properties", {}), name


# -- README -------------------------------------------------------------------------------------------------------


def expected_kind(read_only: bool, destructive: bool) -> str:
    return "read-only" if read_only else ("destructive" if destructive else "write")


def test_readme_tool_table_matches_the_tools() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    if README_START not in readme:
        pytest.fail(f"README.md has no tool table: add one between {README_START} and {README_END}")
    rows = {}
    for line in lines_between(readme, README_START, README_END):
        match = ROW.match(line.strip())
        if match:
            rows[match["name"]] = match
    table = set(rows)
    code = {spec.name for spec in ALL_TOOLS}
    assert table == code, (
        "README tool table is out of date: "
        f"missing rows {sorted(code - table)}, rows for tools that do not exist {sorted(table - code)}"
    )
    wrong = []
    for spec in ALL_TOOLS:
        row = rows[spec.name]
        if row["toolset"].strip("` ") != spec.toolset:
            wrong.append(f"{spec.name}: toolset {row['toolset']!r}, code says {spec.toolset!r}")
        if row["title"] != spec.title:
            wrong.append(f"{spec.name}: title {row['title']!r}, code says {spec.title!r}")
        kind = expected_kind(spec.read_only, spec.destructive)
        if row["kind"].strip("` ").lower() != kind:
            wrong.append(f"{spec.name}: {row['kind']!r}, code says {kind!r}")
    assert not wrong, "README tool table disagrees with the code:\n" + "\n".join(wrong)


@pytest.mark.anyio
async def test_the_listing_cache_is_what_the_code_builds() -> None:
    """A server lists pinned-account tools from tool_schemas/; building them instead gives the same wire form."""
    from mcp import Client

    from chatwoot_mcp.server import create_server
    from chatwoot_mcp.surface.schemas import REFERENCE_SETTINGS

    listed = {}
    for cache in (True, False):
        async with Client(create_server(REFERENCE_SETTINGS, listing_cache=cache)) as client:
            listed[cache] = [
                t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in (await client.list_tools()).tools
            ]
    assert listed[True] == listed[False]
    async with Client(create_server(REFERENCE_SETTINGS)) as client:
        result = await client.call_tool("list_conversations", {"nonsense": 1})  # built on first call, checked
    assert result.is_error and "`nonsense` is not a parameter" in str(result.content)


def test_every_named_target_and_view_resolves() -> None:
    """Rows name their guards and views by import path (start-up imports none of them): each must resolve to a
    coroutine function of the shape its kind calls, and the result to a View (tool_schemas/ checks the rest)."""
    import inspect

    from chatwoot_mcp.views.base import View

    for spec in [*ALL_TOOLS, *toolsets.TOOLS]:
        assert inspect.iscoroutinefunction(spec.function), f"{spec.name}: {spec.target!r} is not an async function"
        parameters = list(inspect.signature(spec.function).parameters)
        if spec.is_guard:
            assert parameters[:2] == ["tools", "account_id"], f"{spec.name}: a guard takes (tools, account_id, ...)"
        else:
            assert parameters[:2] == ["self", "account_id"], f"{spec.name}: {spec.target!r} is not a client method"
        if spec.view is not None:
            assert spec.view_function is not None and callable(spec.view_function), spec.name
        assert issubclass(spec.output_model, View), spec.name
