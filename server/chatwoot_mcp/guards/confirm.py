"""Asking the user before a destructive write: MCP elicitation when the client offers it, else `confirm=true`."""

from __future__ import annotations

from mcp.server.mcpserver import AcceptedElicitation, Context, ElicitationResult
from pydantic import BaseModel, Field

__all__ = ["Confirmation", "is_confirmed", "supports_elicitation"]


class Confirmation(BaseModel):
    """The user's answer to a confirmation question."""

    confirm: bool = Field(description="Go ahead")


def supports_elicitation(ctx: Context) -> bool:
    """Whether the connected client can show the user a form question (declared form elicitation)."""
    capabilities = ctx.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


def is_confirmed(answer: ElicitationResult[Confirmation]) -> bool:
    """True only for an accepted answer that says yes."""
    return isinstance(answer, AcceptedElicitation) and answer.data.confirm
