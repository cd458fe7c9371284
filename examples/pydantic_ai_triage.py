"""One triage step with pydantic-ai: chatwoot-mcp as an MCP toolset over stdio, a scripted model, no API key.

    uv run --project examples python examples/pydantic_ai_triage.py [--read-only]

For a real model, replace `FunctionModel(scripted_model)` with e.g. "anthropic:claude-sonnet-4-5" or
"openai:gpt-5" (with pydantic-ai-slim's extra for that provider and its API key).
"""

from __future__ import annotations

from typing import Any

from fastmcp.client.transports import StdioTransport
from pydantic_ai import Agent, RunContext
from pydantic_ai.mcp import MCPToolset
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.tools import ToolDefinition

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


def scripted_model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    """Stands in for the LLM: the same scripted triage step as the other examples (triage_script.next_step)."""
    results = [
        tool_text(part.content)
        for message in messages
        if isinstance(message, ModelRequest)
        for part in message.parts
        if isinstance(part, ToolReturnPart | RetryPromptPart)
    ]
    step = next_step([tool.name for tool in info.function_tools], results)
    if isinstance(step, Call):
        return ModelResponse(parts=[ToolCallPart(step.tool, step.arguments)])
    return ModelResponse(parts=[TextPart(step)])


def only_triage_tools(ctx: RunContext[Any], tool: ToolDefinition) -> bool:
    """Client-side filter: the agent sees only the tools its job needs, whatever else the server lists."""
    return tool.name in TRIAGE_TOOLS


def build_agent(*, read_only: bool = False) -> Agent[None, str]:
    """The agent: chatwoot-mcp (filtered by toolset on the server, by name here) and the scripted model."""
    program, *args = server_command(read_only=read_only)
    chatwoot = MCPToolset(
        StdioTransport(program, args, env=server_env()),
        tool_error_behavior="failed",  # a refusal reaches the model as the server worded it
        init_timeout=STARTUP_TIMEOUT,
    )
    return Agent(
        FunctionModel(scripted_model),
        toolsets=[chatwoot.filtered(only_triage_tools)],
        instructions="Triage the unassigned queue: label the first conversation and leave a private note.",
    )


async def triage(*, read_only: bool = False) -> str:
    """Run the agent once; its final answer."""
    result = await build_agent(read_only=read_only).run("Triage the unassigned queue.")
    return result.output


if __name__ == "__main__":
    run_from_command_line(triage, __doc__)
