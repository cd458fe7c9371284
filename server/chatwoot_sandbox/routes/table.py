"""The route table: every endpoint's methods, path and handler, in the order the app matches them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.responses import Response

from chatwoot_sandbox.context import Context
from chatwoot_sandbox.routes.auth import sign_in, sign_out
from chatwoot_sandbox.routes.bulk_actions import bulk_actions
from chatwoot_sandbox.routes.canned_responses import list_canned_responses
from chatwoot_sandbox.routes.contacts import (
    contact_conversations,
    filter_contacts,
    list_contact_labels,
    list_contacts,
    replace_contact_labels,
    search_contacts_endpoint,
    show_contact,
)
from chatwoot_sandbox.routes.conversations import (
    conversations_meta,
    create_assignment,
    create_conversation,
    filter_conversations,
    list_conversation_attachments,
    list_conversations,
    search_conversations,
    show_conversation,
    toggle_priority,
    toggle_status,
    update_conversation,
    update_custom_attributes,
)
from chatwoot_sandbox.routes.directory import list_agents, list_inboxes, list_labels, list_teams, show_profile
from chatwoot_sandbox.routes.drafts import destroy_draft, show_draft, update_draft
from chatwoot_sandbox.routes.help_center import list_articles, list_portals, search_articles, show_article, show_portal
from chatwoot_sandbox.routes.labels import list_conversation_labels, replace_conversation_labels
from chatwoot_sandbox.routes.macros import (
    create_macro,
    delete_macro,
    execute_macro,
    list_macros,
    show_macro,
    update_macro,
)
from chatwoot_sandbox.routes.messages import create_message, list_messages
from chatwoot_sandbox.routes.participants import (
    add_participants,
    list_participants,
    remove_participants,
    replace_participants,
)
from chatwoot_sandbox.routes.reports import (
    live_conversation_metrics,
    live_grouped_metrics,
    report_summary,
    summary_by,
    summary_by_label,
)
from chatwoot_sandbox.routes.webhooks import create_webhook, delete_webhook, list_webhooks, update_webhook

Handler = Callable[[Context], Response]


@dataclass(frozen=True)
class Endpoint:
    methods: tuple[str, ...]
    path: str
    handler: Handler
    bots_allowed: bool = False
    """Whether an AgentBot token may call it (`BOT_ACCESSIBLE_ENDPOINTS`)."""
    signs_in: bool = False
    """devise_token_auth's own endpoints: no caller is authenticated first, the handler reads the credentials."""


ACCOUNT = "/api/v1/accounts/{account_id}"
CONVERSATION = ACCOUNT + "/conversations/{conversation_id}"
CONTACT = ACCOUNT + "/contacts/{contact_id}"
MACRO = ACCOUNT + "/macros/{macro_id}"
REPORTS = "/api/v2/accounts/{account_id}"

ENDPOINTS: list[Endpoint] = [
    Endpoint(("POST",), "/auth/sign_in", sign_in, signs_in=True),
    Endpoint(("DELETE",), "/auth/sign_out", sign_out, signs_in=True),
    Endpoint(("GET",), "/api/v1/profile", show_profile),
    Endpoint(("GET",), ACCOUNT + "/agents", list_agents),
    Endpoint(("GET",), ACCOUNT + "/teams", list_teams),
    Endpoint(("GET",), ACCOUNT + "/inboxes", list_inboxes),
    Endpoint(("GET",), ACCOUNT + "/labels", list_labels),
    Endpoint(("GET",), ACCOUNT + "/conversations/meta", conversations_meta),
    Endpoint(("GET",), ACCOUNT + "/conversations/search", search_conversations),
    Endpoint(("POST",), ACCOUNT + "/conversations/filter", filter_conversations),
    Endpoint(("GET",), ACCOUNT + "/conversations", list_conversations),
    Endpoint(("POST",), ACCOUNT + "/conversations", create_conversation, bots_allowed=True),
    Endpoint(("GET",), CONVERSATION, show_conversation),
    Endpoint(("PATCH", "PUT"), CONVERSATION, update_conversation, bots_allowed=True),
    Endpoint(("POST",), CONVERSATION + "/toggle_status", toggle_status, bots_allowed=True),
    Endpoint(("POST",), CONVERSATION + "/toggle_priority", toggle_priority, bots_allowed=True),
    Endpoint(("POST",), CONVERSATION + "/custom_attributes", update_custom_attributes, bots_allowed=True),
    Endpoint(("POST",), CONVERSATION + "/assignments", create_assignment, bots_allowed=True),
    Endpoint(("GET",), CONVERSATION + "/labels", list_conversation_labels),
    Endpoint(("POST",), CONVERSATION + "/labels", replace_conversation_labels),
    Endpoint(("GET",), CONVERSATION + "/messages", list_messages),
    Endpoint(("GET",), CONVERSATION + "/attachments", list_conversation_attachments),
    Endpoint(("POST",), CONVERSATION + "/messages", create_message, bots_allowed=True),
    Endpoint(("GET",), CONVERSATION + "/participants", list_participants),
    Endpoint(("POST",), CONVERSATION + "/participants", add_participants),
    Endpoint(("PATCH", "PUT"), CONVERSATION + "/participants", replace_participants),
    Endpoint(("DELETE",), CONVERSATION + "/participants", remove_participants),
    Endpoint(("GET",), CONVERSATION + "/draft_messages", show_draft),
    Endpoint(("PATCH", "PUT"), CONVERSATION + "/draft_messages", update_draft),
    Endpoint(("DELETE",), CONVERSATION + "/draft_messages", destroy_draft),
    Endpoint(("GET",), ACCOUNT + "/canned_responses", list_canned_responses),
    Endpoint(("GET",), ACCOUNT + "/portals", list_portals),
    Endpoint(("GET",), ACCOUNT + "/portals/{portal_slug}", show_portal),
    Endpoint(("GET",), ACCOUNT + "/portals/{portal_slug}/articles", list_articles),
    Endpoint(("GET",), ACCOUNT + "/portals/{portal_slug}/articles/{article_id}", show_article),
    Endpoint(("GET",), ACCOUNT + "/search/articles", search_articles),
    Endpoint(("GET",), ACCOUNT + "/contacts", list_contacts),
    Endpoint(("GET",), ACCOUNT + "/contacts/search", search_contacts_endpoint),
    Endpoint(("POST",), ACCOUNT + "/contacts/filter", filter_contacts),
    Endpoint(("GET",), CONTACT, show_contact),
    Endpoint(("GET",), CONTACT + "/conversations", contact_conversations),
    Endpoint(("GET",), CONTACT + "/labels", list_contact_labels),
    Endpoint(("POST",), CONTACT + "/labels", replace_contact_labels),
    Endpoint(("GET",), ACCOUNT + "/macros", list_macros),
    Endpoint(("POST",), ACCOUNT + "/macros", create_macro),
    Endpoint(("GET",), MACRO, show_macro),
    Endpoint(("PATCH", "PUT"), MACRO, update_macro),
    Endpoint(("DELETE",), MACRO, delete_macro),
    Endpoint(("POST",), MACRO + "/execute", execute_macro),
    Endpoint(("POST",), ACCOUNT + "/bulk_actions", bulk_actions),
    Endpoint(("GET",), ACCOUNT + "/webhooks", list_webhooks),
    Endpoint(("POST",), ACCOUNT + "/webhooks", create_webhook),
    Endpoint(("PATCH", "PUT"), ACCOUNT + "/webhooks/{webhook_id}", update_webhook),
    Endpoint(("DELETE",), ACCOUNT + "/webhooks/{webhook_id}", delete_webhook),
    Endpoint(("GET",), REPORTS + "/live_reports/conversation_metrics", live_conversation_metrics),
    Endpoint(("GET",), REPORTS + "/live_reports/grouped_conversation_metrics", live_grouped_metrics),
    Endpoint(("GET",), REPORTS + "/reports/summary", report_summary),
    Endpoint(("GET",), REPORTS + "/summary_reports/agent", summary_by("agent")),
    Endpoint(("GET",), REPORTS + "/summary_reports/team", summary_by("team")),
    Endpoint(("GET",), REPORTS + "/summary_reports/inbox", summary_by("inbox")),
    Endpoint(("GET",), REPORTS + "/summary_reports/label", summary_by_label),
]
