"""The reply composer of the conversation view (MCP Apps): "the click is the confirmation, and only a click can
confirm".

get_conversation may carry a reply the model proposes (`draft`); a host that shows apps puts it in the view's
composer, where the person edits it and sends it with a click. The click calls `app_send_reply` with the one-time
token the view got when it rendered the conversation (`chatwoot_mcp.apps.tokens`): the token is bound to the user,
the account, the conversation, the newest message at render and the exact text shown, so a token for another text,
conversation or user, or for a conversation that got a new message since, is refused, saying what changed. Editing
the text trades the token for one bound to the new text (`app_review_reply`). A model never sees a token (it travels
in the result's `_meta`), so it cannot send through the app's tool; a model sends with send_reply, which asks the
user itself.

The send takes the same path as send_reply (`guards.replies.deliver_reply`: the duplicate window, one post, the
read-back after a lost answer), without send_reply's question: the click already answered it.
"""

from __future__ import annotations

from collections.abc import Sequence

from mcp.server.mcpserver import Context

from chatwoot_client.types import Message
from chatwoot_mcp.apps.tokens import Binding, issue, take, text_digest
from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.edges.errors import Refusal
from chatwoot_mcp.edges.untrusted import clean_name
from chatwoot_mcp.guards.replies import deliver_reply
from chatwoot_mcp.views.apps import ReviewedReply, SendResult
from chatwoot_mcp.views.base import iso
from chatwoot_mcp.views.conversations import ConversationDetail

__all__ = ["app_review_reply", "app_send_reply", "binding_for", "get_conversation", "may_send", "newest_spoken"]

NOT_SENT = "Nothing was sent."


async def get_conversation(
    tools: ToolContext, account_id: int, conversation_id: int, draft: str | None = None
) -> ConversationDetail:
    """Get one conversation: contact, assignee, team, labels, last message.

    Parameters
    ----------
    conversation_id
        The conversation.
    draft
        A reply you propose; in hosts that show apps the person sees it in a composer and sends it with a click;
        nothing is sent by this tool.
    """
    detail = ConversationDetail.of(await tools.client.conversations.get(account_id, conversation_id))
    detail.draft = draft
    return detail


def newest_spoken(messages: Sequence[Message]) -> Message | None:
    """The newest message a person wrote to the other side (the customer's, or an agent's reply): what a reply
    answers. Private notes and activity do not count, so adding a note from the view does not void its Send."""
    spoken = [m for m in messages if not m.private and not m.is_activity]
    return max(spoken, key=lambda message: message.id, default=None)


def may_send(tools: ToolContext, ctx: Context | None) -> str | None:
    """Why this request could not click Send (app_send_reply hidden to it), or None if it could."""
    if ctx is None:
        return "no request to send for"
    from chatwoot_mcp.surface.request_view import request_view
    from chatwoot_mcp.surface.visibility import refusal

    settings = getattr(ctx.mcp_server, "chatwoot_settings", tools.settings)
    refused = refusal(settings, request_view(ctx.request_context), "app_send_reply")
    return None if refused is None else refused.split(": ", 1)[-1].rstrip(".")


async def _user(tools: ToolContext) -> str:
    identity = await tools.who()
    # Without a profile (Chatwoot cannot say), every request of this server acts with its one token anyway.
    return f"user:{identity.user_id}" if identity is not None else "the server's token"


async def binding_for(
    tools: ToolContext, account_id: int, conversation_id: int, newest_message_id: int | None, digest: str
) -> Binding:
    """What a token minted now for this request confirms."""
    return Binding(await _user(tools), account_id, conversation_id, newest_message_id, digest)


async def _checked(
    tools: ToolContext, account_id: int, conversation_id: int, content: str, token: str, nothing: str
) -> Binding:
    """The token's binding, once it is known to be for this user, account, conversation and text (it is spent
    either way)."""
    binding = await take(tools.state, token, nothing)
    changed = []
    if binding.user != await _user(tools):
        changed.append("it was issued to another Chatwoot user")
    if binding.account_id != account_id:
        changed.append(f"it was issued for account {binding.account_id}, not {account_id}")
    if binding.conversation_id != conversation_id:
        changed.append(f"it was issued for conversation #{binding.conversation_id}, not #{conversation_id}")
    if not changed and binding.text_sha256 != text_digest(content):
        changed.append("the text differs from the text the view showed when it was issued")
    if changed:
        raise Refusal(f"This confirmation does not match the reply: {'; '.join(changed)}. {nothing} Open the "
                      "conversation in the view again and send from there.")  # fmt: skip
    return binding


async def app_review_reply(
    tools: ToolContext, account_id: int, conversation_id: int, content: str, token: str
) -> ReviewedReply:
    """The person edited the reply in the view: confirm the new text (the app calls this, not the model).

    Parameters
    ----------
    conversation_id
        The conversation.
    content
        The text now in the composer.
    token
        The view's current confirmation.
    """
    nothing = "Nothing was confirmed; nothing was sent."
    binding = await _checked_review(tools, account_id, conversation_id, token, nothing)
    renewed = Binding(binding.user, account_id, conversation_id, binding.newest_message_id, text_digest(content))
    view = ReviewedReply(conversation_id=conversation_id, content=content)
    view.compose((await issue(tools.state, renewed)).meta())
    return view


async def _checked_review(
    tools: ToolContext, account_id: int, conversation_id: int, token: str, nothing: str
) -> Binding:
    """Like `_checked`, for a new text: the user, account and conversation must match, the text may not."""
    binding = await take(tools.state, token, nothing)
    if binding.user != await _user(tools) or (binding.account_id, binding.conversation_id) != (
        account_id,
        conversation_id,
    ):
        raise Refusal(f"This confirmation was issued for another user or conversation. {nothing}")
    return binding


async def app_send_reply(
    tools: ToolContext, account_id: int, conversation_id: int, content: str, token: str
) -> SendResult:
    """SEND the reply shown in the view to the customer: the person clicked Send (the app calls this, not the model).

    Parameters
    ----------
    conversation_id
        The conversation.
    content
        Exact text the customer gets (the text the view showed).
    token
        The view's one-time confirmation.
    """
    binding = await _checked(tools, account_id, conversation_id, content, token, NOT_SENT)

    async def unchanged() -> None:
        # Under the conversation's write lock: nobody posts between this look and the send but Chatwoot's customer.
        latest = newest_spoken(await tools.client.messages.list(account_id, conversation_id))
        if latest is not None and (binding.newest_message_id is None or latest.id > binding.newest_message_id):
            who = "the customer" if latest.is_incoming else "an agent"
            name = f" ({clean_name(latest.sender.name)})" if latest.sender is not None and latest.sender.name else ""
            at = f" at {iso(latest.created_at)}" if latest.created_at is not None else ""
            raise Refusal(
                f"A new message arrived in #{conversation_id} since the view was shown: message {latest.id} from "
                f"{who}{name}{at}. {NOT_SENT} Read it in the view (it shows the conversation again) before sending."
            )

    posted = await deliver_reply(
        tools, account_id, conversation_id, content, (), unchanged,
        duplicate_hint="The conversation in the view shows it.",
    )  # fmt: skip
    return SendResult(conversation_id=conversation_id, message_id=posted.message.id, answer_lost=posted.answer_lost)
