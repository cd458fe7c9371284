"""One triage step with LangChain: chatwoot-mcp's tools through langchain-mcp-adapters, a scripted chat model.

    uv run --project examples python examples/langchain_triage.py [--read-only]

For a real model, pass e.g. "anthropic:claude-sonnet-4-5" to `create_agent` instead of `ScriptedChatModel()`
(with that provider's langchain package and API key).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import uuid4

from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_mcp_adapters.client import MultiServerMCPClient
from langchain_mcp_adapters.tools import load_mcp_tools
from pydantic import Field

from triage_script import TRIAGE_TOOLS, Call, next_step, run_from_command_line, server_command, server_env, tool_text


class ScriptedChatModel(BaseChatModel):
    """Stands in for the LLM: the same scripted triage step as the other examples (triage_script.next_step)."""

    tool_names: list[str] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:
        return self.model_copy(update={"tool_names": [convert_to_openai_tool(t)["function"]["name"] for t in tools]})

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        results = [tool_text(message.content) for message in messages if isinstance(message, ToolMessage)]
        step = next_step(self.tool_names, results)
        if isinstance(step, Call):
            call = {"name": step.tool, "args": step.arguments, "id": f"call_{uuid4().hex}", "type": "tool_call"}
            reply = AIMessage(content="", tool_calls=[call])
        else:
            reply = AIMessage(content=step)
        return ChatResult(generations=[ChatGeneration(message=reply)])


async def triage(*, read_only: bool = False) -> str:
    """Run the agent once over chatwoot-mcp (filtered by toolset on the server, by name here); its final answer."""
    program, *args = server_command(read_only=read_only)
    client = MultiServerMCPClient(
        {"chatwoot": {"transport": "stdio", "command": program, "args": args, "env": server_env()}}
    )
    # One session for the whole run: `client.get_tools()` would start a new server for every tool call.
    async with client.session("chatwoot") as session:
        tools = [tool for tool in await load_mcp_tools(session) if tool.name in TRIAGE_TOOLS]
        agent = create_agent(
            ScriptedChatModel(),
            tools,
            system_prompt="Triage the unassigned queue: label the first conversation and leave a private note.",
        )
        state = await agent.ainvoke({"messages": [{"role": "user", "content": "Triage the unassigned queue."}]})
    return str(state["messages"][-1].content)


if __name__ == "__main__":
    run_from_command_line(triage, __doc__)
