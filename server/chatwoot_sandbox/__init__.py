"""chatwoot_sandbox: an in-process, Chatwoot-compatible API server with a deterministic demo support queue.

It copies how the real Rails server behaves (response shapes, error bodies, counts, paging, the quirks of
toggle_status, assignments and labels), not what the swagger claims; see `shared/docs/chatwoot-api.md`.

    app = create_app()                      # demo data; or create_app(SandboxState.empty())
    transport = httpx2.ASGITransport(app=app)

Tests can inspect `state.requests` (the latest 10,000 by default, a `RequestLog` that indexes and slices like a
list), plan failures with `state.inject_fault(...)`, and read or change the records directly
(`state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID)`). `chatwoot_sandbox.serving` serves it on a real
socket (`python -m chatwoot_sandbox`, `loopback_server(state)`).

People sign in with `POST /auth/sign_in` as the web app does: every demo user's password is DEMO_PASSWORD
(ADMIN_EMAIL, AGENT_EMAIL, ...); MFA_EMAIL has MFA on and takes MFA_CODE (or, once, MFA_BACKUP_CODE).

Account webhooks (`/webhooks`, administrators only) receive the events the sandbox's writes fire, signed as Chatwoot
signs them. To deliver them in-process instead of over the network, and to wait for them:

    webhook = add_webhook(state, DEMO_ACCOUNT_ID, "http://mcp.local/webhooks/chatwoot")   # webhook.secret
    state.outbox.transport = httpx2.ASGITransport(app=receiver_app)
    await state.webhooks_idle()
"""

from chatwoot_sandbox.app import create_app
from chatwoot_sandbox.seed import (
    ADMIN_EMAIL,
    ADMIN_TOKEN,
    ADMIN_USER_ID,
    AGENT_BOT_ID,
    AGENT_EMAIL,
    AGENT_TOKEN,
    AGENT_USER_ID,
    API_INBOX_ID,
    BLOCKED_CONTACT_CONVERSATION_ID,
    BLOCKED_CONTACT_ID,
    BOT_TOKEN,
    CSAT_CONVERSATION_ID,
    DEMO_ACCOUNT_ID,
    DEMO_PASSWORD,
    EMAIL_CONVERSATION_ID,
    EMAIL_ONLY_CONTACT_ID,
    IDENTIFIER_CONTACT_ID,
    INVOICE_PDF_CONVERSATION_ID,
    LONG_CONVERSATION_ID,
    MFA_BACKUP_CODE,
    MFA_CODE,
    MFA_EMAIL,
    MFA_USER_ID,
    PROMPT_INJECTION_CONVERSATION_ID,
    SCREENSHOT_CONVERSATION_ID,
    SECOND_ACCOUNT_ID,
    SNOOZED_CONVERSATION_ID,
    SNOOZED_WITHOUT_TIME_CONVERSATION_ID,
    TEAM_VISIBLE_CONVERSATION_ID,
    VIP_CONTACT_ID,
    VISITOR_CONTACT_ID,
    VOICE_NOTE_CONVERSATION_ID,
)
from chatwoot_sandbox.state import Fault, RecordedRequest, RequestLog, SandboxState
from chatwoot_sandbox.webhook_delivery import Delivery, Outbox
from chatwoot_sandbox.webhooks import WebhookInvalid, add_webhook

__all__ = [
    "ADMIN_EMAIL",
    "ADMIN_TOKEN",
    "ADMIN_USER_ID",
    "AGENT_BOT_ID",
    "AGENT_EMAIL",
    "AGENT_TOKEN",
    "AGENT_USER_ID",
    "API_INBOX_ID",
    "BLOCKED_CONTACT_CONVERSATION_ID",
    "BLOCKED_CONTACT_ID",
    "BOT_TOKEN",
    "CSAT_CONVERSATION_ID",
    "DEMO_ACCOUNT_ID",
    "DEMO_PASSWORD",
    "EMAIL_CONVERSATION_ID",
    "EMAIL_ONLY_CONTACT_ID",
    "IDENTIFIER_CONTACT_ID",
    "INVOICE_PDF_CONVERSATION_ID",
    "LONG_CONVERSATION_ID",
    "MFA_BACKUP_CODE",
    "MFA_CODE",
    "MFA_EMAIL",
    "MFA_USER_ID",
    "PROMPT_INJECTION_CONVERSATION_ID",
    "SCREENSHOT_CONVERSATION_ID",
    "SECOND_ACCOUNT_ID",
    "SNOOZED_CONVERSATION_ID",
    "SNOOZED_WITHOUT_TIME_CONVERSATION_ID",
    "TEAM_VISIBLE_CONVERSATION_ID",
    "VIP_CONTACT_ID",
    "VISITOR_CONTACT_ID",
    "VOICE_NOTE_CONVERSATION_ID",
    "Delivery",
    "Fault",
    "Outbox",
    "RecordedRequest",
    "RequestLog",
    "SandboxState",
    "WebhookInvalid",
    "add_webhook",
    "create_app",
]
