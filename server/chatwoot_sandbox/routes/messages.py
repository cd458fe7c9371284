"""A conversation's messages: read a page of them, and write one (`MessageBuilder`), with files or without."""

from __future__ import annotations

import json

from starlette.responses import Response

import chatwoot_sandbox.actions as actions
import chatwoot_sandbox.blobs as blobs
import chatwoot_sandbox.liquid as liquid
import chatwoot_sandbox.render as render
from chatwoot_sandbox.context import Context
from chatwoot_sandbox.errors import unprocessable
from chatwoot_sandbox.finders import find_messages
from chatwoot_sandbox.records import CONTENT_TYPES, INCOMING, MESSAGE_TYPES, OUTGOING, TEMPLATE
from chatwoot_sandbox.routes.common import ok

MAX_CONTENT_LENGTH = 150_000
MAX_ATTACHMENTS = 15
"""`Message::NUMBER_OF_PERMITTED_ATTACHMENTS`."""
ACCEPTABLE_FILE_TYPES = frozenset(
    {
        "text/csv",
        "text/plain",
        "text/rtf",
        "text/xml",
        "application/json",
        "application/pdf",
        "application/xml",
        "application/zip",
        "application/x-7z-compressed",
        "application/vnd.rar",
        "application/x-tar",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/rtf",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/x-pkcs12",
        "application/pkcs12",
    }
)
"""`Attachment::ACCEPTABLE_FILE_TYPES`: what a web-widget inbox takes besides images, video and audio."""
_FALSE_STRINGS = {"", "0", "f", "false", "off", "F", "FALSE", "OFF"}


def _boolean(value: object) -> bool:
    """ActiveModel's boolean cast."""
    if value is None or value is False or value == 0:
        return False
    return not (isinstance(value, str) and value in _FALSE_STRINGS)


def list_messages(ctx: Context) -> Response:
    """conversations/messages#index: meta about the conversation, and a page of messages (see `find_messages`)."""
    conversation = ctx.conversation()
    messages = find_messages(conversation, ctx.query)
    return ok(
        {
            "meta": render.messages_meta(ctx.state, conversation),
            "payload": [render.message(ctx.state, m, conversation) for m in messages],
        }
    )


def create_message(ctx: Context) -> Response:
    """conversations/messages#create (`MessageBuilder`): every failure is a 422 `{"error": message}`."""
    conversation = ctx.conversation()
    inbox = ctx.state.inboxes[conversation.inbox_id]
    message_type = ctx.param("message_type") or "outgoing"
    if message_type == "incoming" and inbox.channel_type != "Channel::Api":
        raise unprocessable("Incoming messages are only allowed in Api inboxes")
    if not isinstance(message_type, str) or message_type not in MESSAGE_TYPES:
        raise unprocessable(f"'{message_type}' is not a valid message_type")
    content_type = ctx.param("content_type") or "text"
    if not isinstance(content_type, str) or content_type not in CONTENT_TYPES:
        raise unprocessable(f"'{content_type}' is not a valid content_type")
    raw_content = ctx.param("content")
    content = None if raw_content is None else str(raw_content)
    if content is not None and len(content) > MAX_CONTENT_LENGTH:
        raise unprocessable(f"Validation failed: Content is too long (maximum is {MAX_CONTENT_LENGTH} characters)")
    type_code = MESSAGE_TYPES[message_type]
    if content and type_code in (OUTGOING, TEMPLATE):
        # Liquidable#process_liquid_in_content: the server fills in {{contact.name}} & co. (see liquid.py).
        content = liquid.render(ctx.state, conversation, content, ctx.actor.user_id)
    if type_code == INCOMING:
        sender: tuple[str, int] | None = ("Contact", conversation.contact_id)
    elif message_type == "activity":
        sender = None
    else:
        sender = ctx.actor.sender
    uploads = _uploads(ctx, inbox.channel_type)
    echo_id = ctx.param("echo_id")
    source_id = ctx.param("source_id")
    message = actions.add_message(
        ctx.state,
        conversation,
        content=content,
        message_type=type_code,
        sender=sender,
        private=_boolean(ctx.param("private")),
        content_type=content_type,
        content_attributes=_content_attributes(ctx.param("content_attributes")),
        echo_id=str(echo_id) if echo_id not in (None, "") else None,
        source_id=str(source_id) if source_id not in (None, "") else None,
    )
    for upload in uploads:
        blobs.attach(ctx.state, conversation, message, upload.filename, upload.content_type, upload.data)
    return ok(render.message(ctx.state, message, conversation))


def _uploads(ctx: Context, channel_type: str) -> list[blobs.Upload]:
    """The `attachments[]` file parts, checked as Chatwoot checks them (all before the message is saved).

    Type and size are validated only for web-widget inboxes (`Attachment#should_validate_file?`); more than
    NUMBER_OF_PERMITTED_ATTACHMENTS is refused in every inbox.
    """
    given = ctx.param("attachments")
    if given is None:
        return []
    if isinstance(given, blobs.Upload):  # `attachments` without `[]`: `UploadedFile#each` is missing
        raise unprocessable("undefined method `each' for an instance of ActionDispatch::Http::UploadedFile")
    uploads = [item for item in given if isinstance(item, blobs.Upload)] if isinstance(given, list) else []
    if len(uploads) > MAX_ATTACHMENTS:
        raise unprocessable("Validation failed: Attachments exceeded maximum allowed")
    if channel_type == "Channel::WebWidget":
        limit = ctx.state.maximum_file_upload_size * 1024 * 1024
        for upload in uploads:
            if len(upload.data) > limit:
                raise unprocessable("Validation failed: Attachments file size is too big")
            if not _acceptable(upload):
                raise unprocessable("Validation failed: Attachments file type not supported")
    return uploads


def _acceptable(upload: blobs.Upload) -> bool:
    """`Attachment#validate_file_content_type`: media, the listed document types, and octet-stream only for
    .pfx/.xml files."""
    kind = upload.content_type
    if kind.startswith(("image/", "video/", "audio/")) or kind in ACCEPTABLE_FILE_TYPES:
        return True
    return kind in ("", "application/octet-stream") and upload.filename.lower().endswith((".pfx", ".xml"))


def _content_attributes(value: object) -> dict[str, object]:
    """`content_attributes` may come as an object or as a JSON string holding one."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}
