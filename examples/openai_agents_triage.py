"""One triage step with the OpenAI Agents SDK: chatwoot-mcp as an MCP server over stdio, a scripted model, no API key.

    uv run --project examples python examples/openai_agents_triage.py [--read-only]

For a real model, drop `model=ScriptedModel()` (the SDK's default OpenAI model, with OPENAI_API_KEY) and
`set_tracing_disabled` (tracing uploads runs to OpenAI).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

from agents import Agent, Model, ModelResponse, Runner, Usage, set_tracing_disabled
from agents.mcp import MCPServerStdio, create_static_tool_filter
from openai.types.responses import ResponseFunctionToolCall, ResponseOutputMessage, ResponseOutputText

from triage_script import (
    STARTUP_TIMEOUT,
    TRIAGE_TOOLS,
    Call,
    next_step,
    run_from_command_line,
    server_command,
    server_env,
    tool_text,
)


class ScriptedModel(Model):
    """Stands in for the LLM: the same scripted triage step as the other examples (triage_script.next_step)."""

    async def get_response(
        self, system_instructions: str | None, input: Any, model_settings: Any, tools: list[Any], *args: Any, **kw: Any
    ) -> ModelResponse:
        items = [] if isinstance(input, str) else input
        results = [tool_text(item["output"]) for item in items if item.get("type") == "function_call_output"]
        step = next_step([tool.name for tool in tools], results)
        if isinstance(step, Call):
            call_id = f"call_{uuid4().hex}"
            output: Any = ResponseFunctionToolCall(
                type="function_call", id=call_id, call_id=call_id, name=step.tool, arguments=json.dumps(step.arguments)
            )
        else:
            text = ResponseOutputText(type="output_text", text=step, annotations=[])
            output = ResponseOutputMessage(
                type="message", id=f"msg_{uuid4().hex}", role="assistant", status="completed", content=[text]
            )
        return ModelResponse(output=[output], usage=Usage(), response_id=None)

    async def stream_response(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        raise NotImplementedError("the scripted model answers Runner.run, not Runner.run_streamed")
        yield  # an async generator, as the interface wants


async def triage(*, read_only: bool = False) -> str:
    """Run the agent once over chatwoot-mcp (filtered by toolset on the server, by name here); its final answer."""
    set_tracing_disabled(True)  # offline: nothing is uploaded
    program, *args = server_command(read_only=read_only)
    async with MCPServerStdio(
        params={"command": program, "args": args, "env": server_env()},
        name="chatwoot",
        tool_filter=create_static_tool_filter(allowed_tool_names=list(TRIAGE_TOOLS)),
        client_session_timeout_seconds=STARTUP_TIMEOUT,
        cache_tools_list=True,
    ) as chatwoot:
        agent = Agent(
            name="triage",
            instructions="Triage the unassigned queue: label the first conversation and leave a private note.",
            model=ScriptedModel(),
            mcp_servers=[chatwoot],
        )
        result = await Runner.run(agent, "Triage the unassigned queue.")
    return str(result.final_output)


if __name__ == "__main__":
    run_from_command_line(triage, __doc__)
