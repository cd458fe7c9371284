"""Writing into a conversation: private notes freely, customer-visible replies only when confirmed.

A reply reaches the customer and cannot be unsent, so `send_reply` asks the user through MCP elicitation
whenever the client can show a question (even if the model passed confirm=true: the model's own yes is not the
user's); only clients that cannot ask fall back to `confirm=true`. Replies are never retried (the client
does not retry message creation once it may have reached Chatwoot), and the same text to the same
conversation twice within DUPLICATE_WINDOW is refused unless `confirm_duplicate=true`: the usual way a
customer gets a reply twice is a model that retries after a timeout.

A reply may be a canned response named by its short code: it is sent as the team wrote it, and Chatwoot fills
in its placeholders (`canned.py`); the user's preview and the result show the text the customer gets.

Replies and notes may carry files (`files.py` checks them from their bytes before anything is sent); the user's
question names each one. Files are part of what makes a reply "the same": the same text with the same files
(whatever their names or order) twice in the window is a duplicate, but the same words with another file, or with
a file the first one lacked, is a new message the customer has not had.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated

from mcp.server.mcpserver import Context, Elicit, ElicitationResult, Resolve

from chatwoot_client import ChatwootError
from chatwoot_client.types import Conversation, Message, MessageType
from chatwoot_mcp.context import ToolContext, tool_context
from chatwoot_mcp.edges.errors import Refusal, describe_error
from chatwoot_mcp.edges.outcomes import refused_by_chatwoot
from chatwoot_mcp.guards.canned import find_canned_response, preview, same_reply
from chatwoot_mcp.guards.confirm import Confirmation, is_confirmed, supports_elicitation
from chatwoot_mcp.guards.files import CheckedFile, OutgoingFile, check_files, describe_files
from chatwoot_mcp.state import SentReply, StateUnavailable
from chatwoot_mcp.views.base import message_view
from chatwoot_mcp.views.triage import PostedMessage

__all__ = ["DUPLICATE_WINDOW", "add_private_note", "deliver_reply", "normalise_reply", "send_reply", "visible_text"]

DUPLICATE_WINDOW = 600.0
"""Seconds during which the same reply to the same conversation counts as a duplicate."""
CLOCK_SLACK = 120.0
"""How far Chatwoot's clock may be behind ours when matching a message it stored to one we sent."""

PREVIEW_LIMIT = 1500
PREVIEW_TTL = 60.0
"""Seconds a canned reply's preview is kept, for the question asked again when the user's answer arrives."""


def normalise_reply(content: str) -> str:
    """What makes two replies "the same": case and whitespace do not count."""
    return " ".join(content.split()).casefold()


def visible_text(content: str) -> str:
    """`content` without what nobody sees: whitespace, zero-width, bidi and other format characters."""
    return "".join(ch for ch in content if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf"))


def _check_content(content: str, what: str, nothing: str) -> None:
    """Refuse text a person would not see, or that Chatwoot cannot store, before anything is sent."""
    if not visible_text(content):
        raise Refusal(
            f"The {what} has no visible text (only spaces, zero-width or control characters). {nothing} Write the "
            "text the reader should see."
        )
    controls = sorted({f"U+{ord(ch):04X}" for ch in content if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t"})
    if controls:
        raise Refusal(
            f"The {what} contains control characters ({', '.join(controls[:5])}) that Chatwoot cannot store or a "
            f"reader would not see. {nothing} Remove them and call again."
        )


def reply_key(account_id: int, conversation_id: int, content: str, files: Sequence[CheckedFile] = ()) -> str:
    """The duplicate window's key for a reply: its conversation and a hash of its normalised text and of its files'
    bytes (in any order; a reply without files keys as it always did)."""
    identity = normalise_reply(content) + "".join(f"\0{digest}" for digest in sorted(f.digest() for f in files))
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"{account_id}:{conversation_id}:{digest}"


async def _find_posted(
    tools: ToolContext,
    account_id: int,
    conversation_id: int,
    content: str,
    private: bool,
    since: float,
    files: Sequence[CheckedFile],
) -> Message | None:
    """The message we tried to post, if Chatwoot stored it: same text, kind and file sizes, created since `since`.

    Used after an error whose outcome is unknown, to tell "it was posted" from "it was not". None also when
    the check itself fails: then nothing is known.
    """
    try:
        latest = await tools.client.messages.list(account_id, conversation_id)
    except ChatwootError:
        return None
    wanted = normalise_reply(content)
    sizes = sorted(len(file.data) for file in files)
    for message in reversed(latest):
        created = message.created_at.timestamp() if message.created_at is not None else None
        if (
            message.message_type == MessageType.OUTGOING
            and message.private == private
            and same_reply(wanted, normalise_reply(message.content or ""))
            and sorted(item.get("file_size") or 0 for item in message.attachments) == sizes
            and (created is None or created >= since - CLOCK_SLACK)
        ):
            return message
    return None


async def _post(
    tools: ToolContext,
    account_id: int,
    conversation_id: int,
    content: str,
    files: Sequence[CheckedFile],
    *,
    private: bool,
) -> PostedMessage:
    """Post once (the client never retries it after it may have reached Chatwoot) and say what happened.

    When the answer is lost (a timeout, a 5xx or 429 from a proxy, a garbled body), the conversation is read to
    see whether Chatwoot stored it. Raises the client's error when Chatwoot refused it, or when its fate stays
    unknown.
    """
    started = time.time()
    lost: str | None = None
    try:
        uploads = [file.upload() for file in files]
        message = await tools.client.messages.create(
            account_id, conversation_id, content, "outgoing", private=private, attachments=uploads or None
        )
    except ChatwootError as error:
        if refused_by_chatwoot(error):
            raise
        found = await _find_posted(tools, account_id, conversation_id, content, private, started, files)
        if found is None:
            raise
        message, lost = found, describe_error(error)
    return PostedMessage(
        conversation_id=conversation_id,
        message=message_view(message),
        private=message.private,
        reached_customer=not message.private,
        answer_lost=lost,
    )


async def add_private_note(
    tools: ToolContext,
    account_id: int,
    conversation_id: int,
    content: str,
    attachments: list[OutgoingFile] | None = None,
) -> PostedMessage:
    """Add a private note: agents see it, the customer never does.

    Parameters
    ----------
    conversation_id
        The conversation.
    content
        Markdown.
    attachments
        Up to 5 files, 10 MB each: images, PDF, text/CSV, Office docs.
    """
    files = check_files(attachments, "Nothing was written.")
    _check_content(content, "note", "Nothing was written.")
    return await _post(tools, account_id, conversation_id, content, files, private=True)


def _requested_account(ctx: Context) -> int | None:
    """The account the call acts in, read from its raw arguments (a resolver sees only what it names); None if
    the call names one it may not use (the tool refuses that itself)."""
    tools = tool_context(ctx)
    params = ctx.request_context.params or {}
    requested = (params.get("arguments") or {}).get("account_id")
    try:
        return tools.account(requested if isinstance(requested, int) else None)
    except Refusal:
        return None


async def _canned_preview(
    ctx: Context, account_id: int, conversation_id: int, short_code: str
) -> tuple[str, str] | None:
    """The canned response's text, and as the customer will get it; None when it cannot be found or read."""
    tools = tool_context(ctx)
    agent = tools.identity.name if tools.identity is not None else None
    try:
        canned = await find_canned_response(tools, account_id, short_code)
        # The SDK builds the question again when the answer comes back: the second time, no second read.
        user = tools.identity.user_id if tools.identity is not None else ""
        digest = hashlib.sha256(f"{user}|{agent}|{canned.content}".encode()).hexdigest()[:32]
        key = f"preview:{account_id}:{conversation_id}:{digest}"
        shown = await tools.state.cache_get(key)
        if not isinstance(shown, str):
            conversation: Conversation | None = await tools.client.conversations.get(account_id, conversation_id)
            shown = preview(canned.content, conversation, agent)
            await tools.state.cache_set(key, shown, PREVIEW_TTL)
    except (Refusal, ChatwootError):
        return None  # the call itself finds the same problem and says so; nothing is sent
    return canned.content, shown


async def ask_to_send(
    ctx: Context,
    conversation_id: int,
    content: str | None = None,
    canned_response: str | None = None,
    confirm: bool = False,
    confirm_duplicate: bool = False,
    attachments: list[OutgoingFile] | None = None,
) -> Confirmation | Elicit[Confirmation]:
    """Ask the user before a reply goes out, when the client can ask; else pass the caller's `confirm` on."""
    if not supports_elicitation(ctx) or (content is None) == (canned_response is None):
        return Confirmation(confirm=confirm)
    if content is not None and not visible_text(content):
        return Confirmation(confirm=confirm)
    try:
        files = check_files(attachments, "Nothing was sent.")
    except Refusal:
        return Confirmation(confirm=confirm)  # the call refuses the files itself, with the reason
    account_id = _requested_account(ctx)
    if account_id is None:
        return Confirmation(confirm=False)
    shown, source = content, ""
    if canned_response is not None:
        found = await _canned_preview(ctx, account_id, conversation_id, canned_response)
        if found is None:
            return Confirmation(confirm=False)
        content, shown = found
        source = f" (canned response {canned_response.strip()!r}, placeholders as Chatwoot will fill them)"
    assert content is not None and shown is not None
    if not confirm_duplicate:
        tools = tool_context(ctx)
        try:
            sent = await tools.state.get_reply(reply_key(account_id, conversation_id, content, files))
        except StateUnavailable:
            sent = None  # the tool itself refuses the write with the reason
        if sent is not None and sent.certain:
            return Confirmation(confirm=False)  # refused as a duplicate anyway: do not bother the user
    shown = shown if len(shown) <= PREVIEW_LIMIT else shown[:PREVIEW_LIMIT] + "…"
    again = " (the same text was sent recently: it would go out a second time)" if confirm_duplicate else ""
    attached = f"\n\nWith {len(files)} file{'s' if len(files) > 1 else ''}: {describe_files(files)}" if files else ""
    return Elicit(
        f"Send this reply{source} to the CUSTOMER of conversation #{conversation_id}{again}? It cannot be unsent."
        f"\n\n{shown}{attached}",
        Confirmation,
    )


async def send_reply(
    tools: ToolContext,
    account_id: int,
    conversation_id: int,
    content: str | None = None,
    canned_response: str | None = None,
    confirm: bool = False,
    confirm_duplicate: bool = False,
    attachments: list[OutgoingFile] | None = None,
    *,
    confirmation: Annotated[ElicitationResult[Confirmation], Resolve(ask_to_send)],
) -> PostedMessage:
    """SEND a reply to the customer; it cannot be unsent (agent-only text: add_private_note).

    Only user-approved text: the user is asked if the client can, else pass confirm=true. A repeat within 10
    minutes needs confirm_duplicate=true.

    Parameters
    ----------
    conversation_id
        The conversation.
    content
        Exact text the customer gets.
    canned_response
        Instead of content: a short code from list_canned_responses.
    confirm
        The user approved this text.
    confirm_duplicate
        Send it again anyway.
    attachments
        Up to 5 files, 10 MB each: images, PDF, text/CSV, Office docs.
    """
    if (content is None) == (canned_response is None):
        raise Refusal(
            "Pass either content (the text) or canned_response (a short code from list_canned_responses), not "
            f"{'both' if content is not None else 'neither'}. Nothing was sent."
        )
    files = check_files(attachments, "Nothing was sent.")
    if canned_response is not None:
        content = (await find_canned_response(tools, account_id, canned_response)).content
    assert content is not None

    async def confirmed() -> None:
        if not is_confirmed(confirmation):
            shown = f"the exact text and the files ({describe_files(files)})" if files else "the exact text"
            raise Refusal(
                f"send_reply was not confirmed by the user, so the customer of #{conversation_id} got nothing. Nothing "
                f"was sent. Show the user {shown}; only after they approve it, call send_reply again with "
                "confirm=true (or use add_private_note for a note only agents see)."
            )

    posted = await deliver_reply(
        tools, account_id, conversation_id, content, files, confirmed, confirm_duplicate=confirm_duplicate
    )
    if canned_response is not None:
        posted.canned_response = canned_response.strip().lstrip("/")
    return posted


async def deliver_reply(
    tools: ToolContext,
    account_id: int,
    conversation_id: int,
    content: str,
    files: Sequence[CheckedFile],
    confirmed: Callable[[], Awaitable[None]],
    *,
    confirm_duplicate: bool = False,
    duplicate_hint: str = (
        "Check list_messages; if the customer really should get it again, call send_reply with "
        "confirm_duplicate=true (it is still confirmed)."
    ),
) -> PostedMessage:
    """Send a reply that `confirmed` allows (it raises a Refusal otherwise), once: the path every reply to a customer
    takes, whoever confirmed it (the user's answer to send_reply's question, or a click in the app view).

    Under the conversation's write lock: the duplicate window (the same text and files within DUPLICATE_WINDOW is
    refused unless `confirm_duplicate`; an earlier identical reply whose outcome was unknown is looked for first),
    then `confirmed()`, then one post with the read-back that tells a lost answer from a message never stored.
    """
    _check_content(content, "reply", "Nothing was sent.")
    key = reply_key(account_id, conversation_id, content, files)
    async with tools.state.lock(f"conversation:{account_id}:{conversation_id}"):
        sent = await tools.state.get_reply(key)
        if sent is not None and not sent.certain:
            # The last identical reply ended with an unknown outcome: whether it is a duplicate is a fact to read.
            found = await _find_posted(tools, account_id, conversation_id, content, False, sent.at, files)
            if found is None:
                await tools.state.clear_reply(key)
                sent = None
            else:
                sent.certain = True
                await tools.state.put_reply(key, sent, DUPLICATE_WINDOW)
        if sent is not None and not confirm_duplicate:
            ago = time.time() - sent.at
            raise Refusal(
                f"The same reply{' (same text and files)' if files else ''} was already sent to conversation "
                f"#{conversation_id} {_ago(ago)}. Nothing was sent. {duplicate_hint}"
            )
        await confirmed()
        entry = SentReply(at=time.time(), certain=False)
        await tools.state.put_reply(key, entry, DUPLICATE_WINDOW)  # before sending: unreachable state sends nothing
        try:
            posted = await _post(tools, account_id, conversation_id, content, files, private=False)
        except ChatwootError as error:
            if refused_by_chatwoot(error):
                await _forget(tools, key)  # certainly not sent: not a duplicate of anything
            raise
        entry.certain = True
        await _remember(tools, key, entry)
    return posted


async def _remember(tools: ToolContext, key: str, entry: SentReply) -> None:
    """Mark a reply as certainly sent; the reply went out, so a state that fails now must not turn it into an error
    (the entry stays "uncertain", and the next identical reply reads the conversation first)."""
    with contextlib.suppress(StateUnavailable):
        await tools.state.put_reply(key, entry, DUPLICATE_WINDOW)


async def _forget(tools: ToolContext, key: str) -> None:
    with contextlib.suppress(StateUnavailable):  # Chatwoot's refusal is the error to report, not this
        await tools.state.clear_reply(key)


def _ago(seconds: float) -> str:
    """ "just now", "45 seconds ago", "3 minutes ago": how long ago, in plain words."""
    if seconds < 5:
        return "just now"
    if seconds < 90:
        return f"{int(seconds)} seconds ago"
    return f"{round(seconds / 60)} minutes ago"
