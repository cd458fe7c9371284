"""A conversation's messages: read them page by page, write replies and private notes, with files or without."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

from chatwoot_client._request import APIRequest, Operation
from chatwoot_client.resources._base import AsyncResource, SyncResource, docs_from, path_id
from chatwoot_client.types import Message, MessageFile

__all__ = ["AsyncMessagesResource", "MessagesResource"]

_CREATE_FIELDS = frozenset({"content_type", "content_attributes", "echo_id", "template_params"})


def _path(account_id: int, conversation_id: int) -> str:
    account = path_id("account_id", account_id)
    return f"/api/v1/accounts/{account}/conversations/{path_id('conversation_id', conversation_id)}/messages"


def list_op(
    account_id: int, conversation_id: int, before: int | None, after: int | None, filter_internal_messages: bool
) -> Operation[list[Message]]:
    params = {"before": before, "after": after, "filter_internal_messages": filter_internal_messages or None}
    body = yield APIRequest("GET", _path(account_id, conversation_id), params)
    return [Message.model_validate(item) for item in body["payload"]]


def create_op(
    account_id: int,
    conversation_id: int,
    content: str,
    message_type: str,
    private: bool,
    attachments: Sequence[MessageFile | tuple[str, bytes, str]] | None,
    fields: dict[str, Any],
) -> Operation[Message]:
    unknown = set(fields) - _CREATE_FIELDS
    if unknown:
        raise TypeError(f"create() got unsupported fields {sorted(unknown)}; supported: {sorted(_CREATE_FIELDS)}")
    path = _path(account_id, conversation_id)
    if attachments:
        request = APIRequest(
            "POST",
            path,
            form=_form(content, message_type, private, fields),
            files=[("attachments[]", _part(file)) for file in attachments],
            idempotent=False,
        )
    else:
        body = {"content": content, "message_type": message_type, "private": private} | fields
        request = APIRequest("POST", path, json=body, idempotent=False)
    created = yield request
    return Message.model_validate(created)


def _part(file: MessageFile | tuple[str, bytes, str]) -> tuple[str, bytes, str]:
    """One `attachments[]` part: (filename, bytes, content type)."""
    if isinstance(file, MessageFile):
        return file.filename, file.content, file.content_type
    if isinstance(file, tuple) and len(file) == 3:
        filename, content, content_type = file
        if isinstance(filename, str) and isinstance(content, bytes) and isinstance(content_type, str):
            return filename, content, content_type
    raise TypeError("an attachment is a MessageFile or a (filename, bytes, content type) tuple")


def _form(content: str, message_type: str, private: bool, fields: dict[str, Any]) -> dict[str, str]:
    """The ordinary fields of a multipart create, as Rails reads them (booleans as "true"/"false", an object as
    JSON: `content_attributes` may be a JSON string)."""
    if "template_params" in fields:
        raise TypeError("template_params cannot be sent with attachments (a multipart body has no nested objects)")
    form = {"content": content, "message_type": message_type, "private": "true" if private else "false"}
    for key, value in fields.items():
        if value is not None:
            form[key] = value if isinstance(value, str) else json.dumps(value)
    return form


class AsyncMessagesResource(AsyncResource):
    """Messages of a conversation (async)."""

    async def list(
        self,
        account_id: int,
        conversation_id: int,
        before: int | None = None,
        after: int | None = None,
        filter_internal_messages: bool = False,
    ) -> list[Message]:
        """List messages, oldest first: the latest 20, or 20 before `before`, or up to 100 after `after`.

        Parameters
        ----------
        account_id
            The account ID.
        conversation_id
            The conversation's display id.
        before
            Only messages older than this message id (the 20 just before it).
        after
            Only messages newer than this message id (up to 100).
        filter_internal_messages
            Leave out private notes and activity messages.
        """
        return await self._client.run(list_op(account_id, conversation_id, before, after, filter_internal_messages))

    async def create(
        self,
        account_id: int,
        conversation_id: int,
        content: str,
        message_type: Literal["outgoing", "incoming"] = "outgoing",
        private: bool = False,
        attachments: Sequence[MessageFile | tuple[str, bytes, str]] | None = None,
        **kwargs: Any,
    ) -> Message:
        """Post a message. Outgoing and not private, it is sent to the customer. Never retried once sent.

        Parameters
        ----------
        account_id
            The account ID.
        conversation_id
            The conversation's display id.
        content
            The message text.
        message_type
            "outgoing" (from you) or "incoming" (as the contact; API inboxes only).
        private
            True for a private note that only agents see.
        attachments
            Files to attach, each a MessageFile or (filename, bytes, content type); sent as multipart/form-data
            (`attachments[]` parts), without them as JSON.
        """
        return await self._client.run(
            create_op(account_id, conversation_id, content, message_type, private, attachments, kwargs)
        )


class MessagesResource(SyncResource):
    """Messages of a conversation."""

    @docs_from(AsyncMessagesResource.list)
    def list(
        self,
        account_id: int,
        conversation_id: int,
        before: int | None = None,
        after: int | None = None,
        filter_internal_messages: bool = False,
    ) -> list[Message]:
        return self._client.run(list_op(account_id, conversation_id, before, after, filter_internal_messages))

    @docs_from(AsyncMessagesResource.create)
    def create(
        self,
        account_id: int,
        conversation_id: int,
        content: str,
        message_type: Literal["outgoing", "incoming"] = "outgoing",
        private: bool = False,
        attachments: Sequence[MessageFile | tuple[str, bytes, str]] | None = None,
        **kwargs: Any,
    ) -> Message:
        return self._client.run(
            create_op(account_id, conversation_id, content, message_type, private, attachments, kwargs)
        )
