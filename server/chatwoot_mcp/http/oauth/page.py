"""The consent page as HTML: one self-contained document (no script, no external asset), light and dark.

Everything this page did not write itself (the client's name, its redirect URI, the Chatwoot URL, an email the
user typed) is escaped. The page names who asks, where the answer goes, and what each permission allows, so a
support agent can decide at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

__all__ = ["ConsentView", "render_code_page", "render_consent_page", "render_message_page"]

_STYLE = """
:root{color-scheme:light dark;--bg:#f5f6f8;--card:#fff;--text:#1c2434;--muted:#5b6576;--line:#d9dde5;
--field:#8c95a3;--accent:#1f6feb;--accent-text:#fff;--warn-bg:#fdecea;--warn:#a4262c;--code:#eef1f5}
@media (prefers-color-scheme:dark){:root{--bg:#12151b;--card:#1b2029;--text:#e6e9ef;--muted:#9aa4b5;
--line:#2e3542;--field:#5f6a7d;--accent:#4c8dff;--accent-text:#0b1220;--warn-bg:#3a1d1f;--warn:#ff9a9f;--code:#252b36}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--text);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:34rem;margin:2.5rem auto;padding:0 1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1.5rem}
h1{font-size:1.25rem;margin:0 0 .25rem}.server{color:var(--muted);margin:0 0 1.25rem;font-size:.9rem}
.server .app{display:block;word-break:break-all}
.where{background:var(--code);border:1px solid var(--line);border-radius:6px;padding:.4rem .6rem;
font-family:ui-monospace,monospace;font-size:.85rem;word-break:break-all;margin:.25rem 0 1rem}
fieldset{border:1px solid var(--line);border-radius:8px;margin:0 0 1rem;padding:.75rem 1rem}
legend{font-weight:600;padding:0 .25rem}label.scope{display:flex;gap:.6rem;align-items:flex-start;margin:.4rem 0}
label.scope input{margin-top:.3rem;accent-color:var(--accent)}.scope b{display:block}
.scope .words{color:var(--muted);font-size:.9rem}
label.field{display:block;margin:.5rem 0 .2rem;font-weight:600;font-size:.9rem}
input[type=text],input[type=email],input[type=password]{width:100%;padding:.55rem .6rem;border:1px solid var(--field);
border-radius:6px;background:var(--bg);color:var(--text);font:inherit}
input.secret{-webkit-text-security:disc}
.or{color:var(--muted);text-align:center;margin:.75rem 0;font-size:.9rem}
.hint{color:var(--muted);font-size:.85rem;margin:.25rem 0 0}
.error{background:var(--warn-bg);color:var(--warn);border-radius:8px;padding:.6rem .8rem;margin:0 0 1rem}
.actions{display:flex;flex-direction:row-reverse;gap:.75rem;justify-content:flex-start;margin-top:1.25rem}
button{font:inherit;font-weight:600;border-radius:8px;padding:.55rem 1.2rem;cursor:pointer;
border:1px solid var(--field);background:transparent;color:var(--text)}
button.allow{background:var(--accent);color:var(--accent-text);border-color:var(--accent)}
""".strip()


_ACTIONS = (
    # Allow comes first in the document, so Enter in a field means Allow (the first submit button is the
    # form's default); the row is reversed on screen to keep Cancel on the left.
    '<div class="actions"><button class="allow" type="submit" name="action" value="allow">Allow</button>'
    '<button type="submit" name="action" value="cancel">Cancel</button></div></form>'
)


@dataclass(frozen=True)
class ConsentView:
    """What a consent page shows; every string here is escaped when rendered."""

    request_id: str
    csrf: str
    client_name: str
    client_id: str
    redirect_uri: str
    chatwoot_url: str
    scopes: dict[str, str]
    """Scope -> plain words, for the scopes the client asked for."""
    checked: frozenset[str]
    email: str = ""
    error: str | None = None


def _document(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta name="referrer" content="no-referrer"><title>{escape(title)}</title><style>{_STYLE}</style></head>'
        f'<body><main><div class="card">{body}</div></main></body></html>'
    )


def _heading(view: ConsentView) -> str:
    named = escape(view.client_name)
    # The name is whatever the client chose; its ID (a URL, for a client ID metadata document) goes with it.
    identity = (
        "" if view.client_name == view.client_id else f'<span class="app">App ID: {escape(view.client_id)}</span>'
    )
    return (
        f"<h1>{named} wants to work in your Chatwoot</h1>"
        f'<p class="server">{identity}chatwoot-mcp, for the Chatwoot at <b>{escape(view.chatwoot_url)}</b></p>'
        "<div>If you allow it, you are sent back to:</div>"
        f'<div class="where" id="redirect-uri">{escape(view.redirect_uri)}</div>'
    )


def _hidden(view: ConsentView) -> str:
    return (
        f'<input type="hidden" name="request" value="{escape(view.request_id)}">'
        f'<input type="hidden" name="csrf" value="{escape(view.csrf)}">'
    )


def _error(view: ConsentView) -> str:
    return f'<div class="error" role="alert">{escape(view.error)}</div>' if view.error else ""


def render_consent_page(view: ConsentView, action: str) -> str:
    scopes = "".join(
        f'<label class="scope"><input type="checkbox" name="scope" value="{escape(scope)}"'
        f"{' checked' if scope in view.checked else ''}><span><b>{escape(scope)}</b>"
        f'<span class="words">{escape(words)}</span></span></label>'
        for scope, words in view.scopes.items()
    )
    body = (
        _heading(view)
        + _error(view)
        + f'<form method="post" action="{escape(action)}" autocomplete="off">'
        + _hidden(view)
        + f"<fieldset><legend>It may</legend>{scopes}"
        + '<p class="hint">Untick what you do not want to allow.</p></fieldset>'
        + "<fieldset><legend>Sign in to Chatwoot</legend>"
        + '<label class="field" for="token">Your access token</label>'
        + '<input type="text" class="secret" id="token" name="token" autocomplete="off" autocapitalize="off" '
        + 'spellcheck="false">'
        + '<p class="hint">In Chatwoot: your avatar, Profile settings, Access token.</p>'
        + '<div class="or">or</div>'
        + '<label class="field" for="email">Email</label>'
        + f'<input type="email" id="email" name="email" autocomplete="username" value="{escape(view.email)}">'
        + '<label class="field" for="password">Password</label>'
        + '<input type="password" id="password" name="password" autocomplete="current-password">'
        + '<p class="hint">Sent to Chatwoot once to sign in; never stored.</p></fieldset>'
        + _ACTIONS
    )
    return _document(f"Allow {view.client_name}?", body)


def render_code_page(view: ConsentView, action: str) -> str:
    body = (
        _heading(view)
        + _error(view)
        + f'<form method="post" action="{escape(action)}" autocomplete="off">'
        + _hidden(view)
        + "".join(f'<input type="hidden" name="scope" value="{escape(scope)}">' for scope in sorted(view.checked))
        + "<fieldset><legend>Two-factor authentication</legend>"
        + '<label class="field" for="code">The code from your authenticator app</label>'
        + '<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code">'
        + '<p class="hint">A backup code works too.</p></fieldset>'
        + _ACTIONS
    )
    return _document("Two-factor authentication", body)


def render_message_page(title: str, message: str) -> str:
    return _document(title, f"<h1>{escape(title)}</h1><p>{escape(message)}</p>")
