"""The demo help centers: two portals in account 1 with published, draft and archived articles."""

from __future__ import annotations

from chatwoot_sandbox.records import Article, Category, Portal
from chatwoot_sandbox.tables import Tables

HELP_PORTAL_SLUG = "acme-help"
DEVELOPER_PORTAL_SLUG = "acme-developers"
PASSWORD_ARTICLE_ID = 1
"""Published, in the help portal's Account category: "Reset your password"."""
DRAFT_ARTICLE_ID = 4
"""A draft in the help portal (found by /search/articles, which includes drafts)."""

_PORTALS = (
    (1, "Acme Help", HELP_PORTAL_SLUG, "How can we help?", "Acme Help Center"),
    (2, "Acme Developers", DEVELOPER_PORTAL_SLUG, "Build on Acme", "Acme Developer Docs"),
)
_CATEGORIES = (
    (1, 1, "Account", "account", "🔐"),
    (2, 1, "Billing", "billing", "💳"),
    (3, 2, "API", "api", "🧩"),
)
_PASSWORD = """## Reset your password

1. Open **Settings → Security**.
2. Choose **Reset password** and check your inbox for the link.
3. The link is valid for **1 hour**; ask for a new one if it expired.

If you signed up with Google, reset the password of your Google account instead."""
_REFUND = """## Refunds

We refund annual plans within **30 days** of purchase, in full. Monthly plans are not refunded, but you can cancel
at any time and keep access until the end of the period.

Refunds reach your card within 5-10 business days."""
_INVOICE = """## Download an invoice

Invoices are under **Settings → Billing → Invoices**. Each one is a PDF; the company name and VAT number come from
your billing profile, so update it before the next invoice is issued."""
_DRAFT = """## Two-factor authentication (draft)

Two-factor authentication with an authenticator app is coming soon. Until then, use a strong password."""
_OLD_PRICING = """## Pricing 2024

The 2024 plans were Starter, Team and Business. They were replaced by Free, Pro and Enterprise."""
_API_AUTH = """## Authenticate API requests

Send your access token in the `api_access_token` header. Tokens are per user; rotate one under **Profile →
Access token**. Requests without a valid token get `401`."""
_WEBHOOKS = """## Webhooks

Webhooks POST a JSON event to your URL for every new message and status change. Retries back off for 24 hours."""
_RATE_LIMITS = """## Rate limits (draft)

The API allows 100 contact searches per minute per account."""

# (id, portal, category, title, slug, description, content, status, author, position, views, days ago)
_ARTICLES = (
    (1, 1, 1, "Reset your password", "reset-your-password", "How to reset", _PASSWORD, "published", 1, 10, 420, 3),
    (2, 1, 2, "Refund policy", "refund-policy", "When we refund", _REFUND, "published", 2, 20, 310, 5),
    (3, 1, 2, "Download an invoice", "download-an-invoice", "Invoices as PDF", _INVOICE, "published", 2, 30, 95, 9),
    (4, 1, 1, "Two-factor authentication", "two-factor-authentication", "2FA", _DRAFT, "draft", 1, 40, 0, 1),
    (5, 1, 2, "Pricing 2024", "pricing-2024", "Old plans", _OLD_PRICING, "archived", 1, 50, 12, 200),
    (6, 2, 3, "Authenticate API requests", "authenticate-api-requests", "Tokens", _API_AUTH, "published", 1, 10, 77, 4),
    (7, 2, 3, "Webhooks", "webhooks", "Events to your URL", _WEBHOOKS, "published", 3, 20, 51, 6),
    (8, 2, 3, "Rate limits", "rate-limits", "API limits", _RATE_LIMITS, "draft", 3, 30, 0, 2),
)


def add_help_center(state: Tables, account_id: int, now: float, day: float) -> None:
    for portal_id, name, slug, header, title in _PORTALS:
        state.portals[portal_id] = Portal(portal_id, account_id, name, slug, header, "https://acme.example", title)
    for category_id, portal_id, name, slug, icon in _CATEGORIES:
        state.categories[category_id] = Category(category_id, portal_id, name, slug, icon=icon, position=category_id)
    for row in _ARTICLES:
        article_id, portal_id, category_id, title, slug, description, content, status, author, position, views, ago = (
            row
        )
        updated = now - ago * day
        state.articles[article_id] = Article(
            id=article_id,
            account_id=account_id,
            portal_id=portal_id,
            category_id=category_id,
            title=title,
            slug=f"{int(updated) - 86400 * 30}-{slug}",
            content=content,
            description=description,
            status=status,
            author_id=author,
            created_at=updated - 30 * day,
            updated_at=updated,
            position=position,
            views=views,
        )
