"""What the OAuth server refuses, each case checked to issue nothing and write nothing: forged or replayed codes,
wrong verifiers, unregistered redirects, CSRF-less forms, reused state, wrong sign-ins, expired, rotated-out and
revoked tokens, tokens for another resource, calls beyond the granted scopes, and client documents pointing inward.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from chatwoot_mcp.http.oauth.client_documents import ClientDocuments
from chatwoot_sandbox import AGENT_EMAIL, AGENT_TOKEN, DEMO_PASSWORD, MFA_CODE, MFA_EMAIL, SandboxState

from .oauth_support import LIST, Browser, OAuthServer, RawClient, oauth_server, pkce, read_form

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def raw(
    state: SandboxState | None = None, port: int | None = None, env: dict[str, str] | None = None
) -> AsyncIterator[tuple[OAuthServer, RawClient]]:
    server_of = oauth_server(state or SandboxState.demo(), port=port, env=env)
    async with server_of as server, httpx2.AsyncClient(timeout=20) as http:
        client = RawClient(server, http)
        await client.register()
        yield server, client


def writes(state: SandboxState) -> int:
    return len(state.writes)


async def test_a_wrong_verifier_gets_nothing_and_the_code_still_works_once() -> None:
    async with raw() as (_, client):
        verifier, challenge = pkce()
        code = (await client.consent({"token": AGENT_TOKEN}, challenge)).result().code
        wrong = await client.exchange(code, pkce()[0])
        assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
        assert "access_token" not in wrong.text
        assert (await client.exchange(code, verifier)).status_code == 200


async def test_a_replayed_code_is_refused_and_revokes_what_it_issued() -> None:
    async with raw() as (_, client):
        verifier, challenge = pkce()
        code = (await client.consent({"token": AGENT_TOKEN}, challenge)).result().code
        first = await client.exchange(code, verifier)
        assert first.status_code == 200
        access = first.json()["access_token"]
        assert (await client.mcp(access)).status_code == 200
        replay = await client.exchange(code, verifier)
        assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
        assert (await client.mcp(access)).status_code == 401, "the token the code issued is revoked"
        refreshed = await client.token(grant_type="refresh_token", refresh_token=first.json()["refresh_token"])
        assert refreshed.status_code == 400


async def test_an_unregistered_redirect_is_refused_without_redirecting() -> None:
    async with raw() as (_, client):
        _, challenge = pkce()
        url = client.authorize_url(challenge).replace("33418%2Fcallback", "33418%2Fevil")
        answer = await client.http.get(url)
        assert answer.status_code == 400 and "location" not in answer.headers


async def test_a_consent_form_without_its_csrf_token_issues_nothing() -> None:
    state = SandboxState.demo()
    async with raw(state) as (_, client), httpx2.AsyncClient() as browser:
        _, challenge = pkce()
        page = await browser.get(client.authorize_url(challenge), follow_redirects=True)
        form = dict(read_form(page.text).fields)
        base = {"request": form["request"], "scope": "chatwoot:read", "token": AGENT_TOKEN, "action": "allow"}
        forged = await browser.post(f"{client.server.base}/oauth/consent", data={**base, "csrf": "forged"})
        missing = await browser.post(f"{client.server.base}/oauth/consent", data=base)
        # The right token in the form, but from a browser without the cookie (a cross-site submission).
        async with httpx2.AsyncClient() as elsewhere:
            foreign = await elsewhere.post(f"{client.server.base}/oauth/consent", data={**base, "csrf": form["csrf"]})
        for answer in (forged, missing, foreign):
            assert answer.status_code == 403 and "location" not in answer.headers
        # The real page still works afterwards: nothing was spent by the forgeries.
        done = await browser.post(f"{client.server.base}/oauth/consent", data={**base, "csrf": form["csrf"]})
        assert done.status_code == 303 and "code=" in done.headers["location"]
        again = await browser.post(f"{client.server.base}/oauth/consent", data={**base, "csrf": form["csrf"]})
        assert again.status_code == 400 and "location" not in again.headers, "a consent completes once"


async def test_a_reused_state_is_refused() -> None:
    async with raw() as (_, client):
        _, challenge = pkce()
        first = await client.consent({"token": AGENT_TOKEN}, challenge, state="same-state")
        assert first.landed and "code=" in first.landed
        answer = await client.http.get(client.authorize_url(pkce()[1], state="same-state"))
        assert answer.status_code == 302
        query = parse_qs(urlsplit(answer.headers["location"]).query)
        assert query["error"] == ["invalid_request"] and "code" not in query
        assert query["iss"] == [client.server.base], "error redirects name the issuer too (RFC 9207)"


async def test_a_wrong_chatwoot_token_shows_the_page_again_and_issues_nothing() -> None:
    state = SandboxState.demo()
    async with raw(state) as (_, client):
        _, challenge = pkce()
        browser = await client.consent({"token": "not-the-right-token"}, challenge)
        assert browser.landed is None
        answer = browser.pages[-1]
        assert answer.status_code == 400 and "did not accept that access token" in answer.text
        assert "not-the-right-token" not in answer.text
        assert writes(state) == 0


async def test_five_failed_sign_ins_end_the_request() -> None:
    async with raw() as (_, client), httpx2.AsyncClient() as browser:
        _, challenge = pkce()
        page = await browser.get(client.authorize_url(challenge), follow_redirects=True)
        fields = dict(read_form(page.text).fields)
        answers = [
            await browser.post(
                f"{client.server.base}/oauth/consent",
                data={**fields, "scope": "chatwoot:read", "token": f"wrong-{n}", "action": "allow"},
            )
            for n in range(5)
        ]
        assert [a.status_code for a in answers] == [400] * 5 and "Too many tries" in answers[-1].text
        late = await browser.post(
            f"{client.server.base}/oauth/consent",
            data={**fields, "scope": "chatwoot:read", "token": AGENT_TOKEN, "action": "allow"},
        )
        assert late.status_code == 400 and "location" not in late.headers


async def test_expired_rotated_and_revoked_tokens_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    async with raw() as (_, client):
        tokens = await client.signed_in({"token": AGENT_TOKEN})
        access, refresh = tokens["access_token"], tokens["refresh_token"]
        rotated = await client.token(grant_type="refresh_token", refresh_token=refresh)
        assert rotated.status_code == 200
        new_access, new_refresh = rotated.json()["access_token"], rotated.json()["refresh_token"]
        assert new_refresh != refresh and (await client.mcp(new_access)).status_code == 200
        # The old refresh token, used again: refused, and the whole grant with it (a stolen token's use is found).
        reused = await client.token(grant_type="refresh_token", refresh_token=refresh)
        assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
        assert (await client.mcp(new_access)).status_code == 401
        assert (await client.token(grant_type="refresh_token", refresh_token=new_refresh)).status_code == 400
        assert (await client.mcp(access)).status_code == 401

        # Revocation (a public client: no secret) ends the grant at once.
        tokens = await client.signed_in({"token": AGENT_TOKEN})
        assert (await client.mcp(tokens["access_token"])).status_code == 200
        revoked = await client.http.post(
            f"{client.server.base}/revoke", data={"client_id": client.client_id, "token": tokens["refresh_token"]}
        )
        assert revoked.status_code == 200
        assert (await client.mcp(tokens["access_token"])).status_code == 401

        # Expiry: an hour later the access token is refused (its refresh token still works).
        tokens = await client.signed_in({"token": AGENT_TOKEN})
        real_time = time.time
        monkeypatch.setattr(time, "time", lambda: real_time() + 3700)
        expired = await client.mcp(tokens["access_token"])
        assert expired.status_code == 401 and 'error="invalid_token"' in expired.headers["www-authenticate"]


async def test_a_token_minted_for_another_resource_is_refused() -> None:
    """Two servers sharing one state (same Chatwoot): a token of one is no good at the other."""
    from .redis_support import redis_server

    key = "k" * 40
    with redis_server() as redis:
        shared = {"CHATWOOT_MCP_STATE": redis.url, "CHATWOOT_MCP_STATE_KEY": key}
        state = SandboxState.demo()
        async with raw(state, env=shared) as (_, first), raw(state, env=shared) as (second, _):
            tokens = await first.signed_in({"token": AGENT_TOKEN})
            answer = await RawClient(second, first.http).mcp(tokens["access_token"])
            assert answer.status_code == 401 and "another resource" in answer.text


async def test_a_call_beyond_the_granted_scopes_is_403_naming_the_scope() -> None:
    state = SandboxState.demo()
    async with raw(state) as (_, client):
        tokens = await client.signed_in({"token": AGENT_TOKEN}, scope="chatwoot:read")
        assert tokens["scope"] == "chatwoot:read"
        call = {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "add_private_note", "arguments": {"conversation_id": 1, "content": "x"}},
        }
        # 2026-07-28: the tool is named in headers; 2025: the server reads it from the body.
        modern = await client.mcp(
            tokens["access_token"], call, **{"Mcp-Method": "tools/call", "Mcp-Name": "add_private_note"}
        )
        legacy = await client.mcp(tokens["access_token"], call, **{"MCP-Protocol-Version": "2025-11-25"})
        for answer in (modern, legacy):
            assert answer.status_code == 403, answer.text
            challenge = answer.headers["www-authenticate"]
            assert 'error="insufficient_scope"' in challenge and 'scope="chatwoot:read chatwoot:write"' in challenge
        assert writes(state) == 0


async def test_a_client_document_pointing_inward_is_refused_before_any_connection() -> None:
    async with raw() as (_, client):
        for client_id in ("https://127.0.0.1/client.json", "https://10.1.2.3/client.json", "https://[::1]/c.json"):
            _, challenge = pkce()
            client.client_id = client_id
            answer = await client.http.get(client.authorize_url(challenge))
            assert answer.status_code == 400 and "location" not in answer.headers, client_id
        refused = await ClientDocuments().client("https://localhost/client.json")
        assert refused is None


async def test_a_client_document_on_a_public_host_describes_the_client() -> None:
    """The document fetch runs its checks on a fake network (a public address), then the flow completes."""
    url = "https://host.example/oauth/client.json"
    document = {"client_id": url, "client_name": "Document Host", "redirect_uris": ["http://127.0.0.1:33418/callback"]}
    seen: list[httpx2.Request] = []

    def network(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json=document)

    documents = ClientDocuments(transport=httpx2.MockTransport(network))

    async def public(host: str, port: int) -> str:
        return "93.184.215.14"

    documents._address = public  # type: ignore[method-assign]  # no DNS here: the host "resolves" publicly
    async with oauth_server(SandboxState.demo(), documents=documents) as server, httpx2.AsyncClient() as http:
        client = RawClient(server, http, client_id=url)
        verifier, challenge = pkce()
        browser = await client.consent({"token": AGENT_TOKEN}, challenge)
        assert "Document Host" in browser.pages[0].text
        assert (await client.exchange(browser.result().code, verifier)).status_code == 200
        assert [(r.url.host, r.url.path) for r in seen] == [("93.184.215.14", "/oauth/client.json")]
        assert seen[0].headers["host"] == "host.example"


async def test_cancel_sends_access_denied_and_issues_nothing() -> None:
    async with raw() as (_, client):
        _, challenge = pkce()
        browser = await client.consent({"token": AGENT_TOKEN}, challenge, browser={"action": "cancel"})
        query = parse_qs(urlsplit(browser.landed or "").query)
        assert query["error"] == ["access_denied"] and "code" not in query and query["iss"] == [client.server.base]


def test_browser_helper_reads_checkboxes() -> None:
    form = read_form(
        '<form action="/x"><input type="checkbox" name="scope" value="a" checked><input type="checkbox" '
        'name="scope" value="b"><input type="hidden" name="h" value="1"></form>'
    )
    assert form.fields == [("scope", "a"), ("h", "1")] and form.checkboxes == ["a", "b"]
    assert Browser({}).action == "allow"


async def test_two_replicas_share_grants_and_redis_holds_no_usable_token() -> None:
    """A token issued by one replica works on the other; a dump of Redis shows no token of any kind."""
    import redis as redis_sync

    from .conftest import free_port
    from .redis_support import redis_server

    state = SandboxState.demo()
    port = free_port()
    public = f"http://127.0.0.1:{port}"  # the first replica's address is the public one: both replicas' issuer
    with redis_server() as redis:
        shared = {
            "CHATWOOT_MCP_STATE": redis.url,
            "CHATWOOT_MCP_STATE_KEY": "r" * 48,
            "CHATWOOT_MCP_PUBLIC_URL": public,
        }
        async with raw(state, port, env=shared) as (_, first), raw(state, env=shared) as (second_server, _):
            tokens = await first.signed_in({"token": AGENT_TOKEN})
            other = RawClient(second_server, first.http, client_id=first.client_id)
            assert (await other.mcp(tokens["access_token"])).status_code == 200
            rotated = await other.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
            assert rotated.status_code == 200, rotated.text
            assert (await first.mcp(rotated.json()["access_token"])).status_code == 200

            dump = redis_sync.Redis.from_url(redis.url)
            values = b"".join(key + (dump.dump(key) or b"") for key in dump.scan_iter(count=1000))
            dump.close()
            secrets = [AGENT_TOKEN, tokens["access_token"], tokens["refresh_token"], rotated.json()["access_token"]]
            assert values and not [s for s in secrets if s.encode() in values]


async def test_email_and_password_sign_in_keeps_no_password_and_leaves_no_chatwoot_session() -> None:
    state = SandboxState.demo()
    async with raw(state) as (_, client):
        tokens = await client.signed_in({"email": AGENT_EMAIL, "password": DEMO_PASSWORD})
        assert (await client.mcp(tokens["access_token"])).status_code == 200
        sign_ins = [r for r in state.requests if r.path.startswith("/auth/")]
        assert [(r.method, r.path) for r in sign_ins] == [("POST", "/auth/sign_in"), ("DELETE", "/auth/sign_out")]
        assert state.sessions == {}, "the session the sign-in made was signed out"


async def test_a_wrong_password_shows_the_page_again_and_issues_nothing() -> None:
    state = SandboxState.demo()
    async with raw(state) as (_, client):
        _, challenge = pkce()
        browser = await client.consent({"email": AGENT_EMAIL, "password": "not-her-password"}, challenge)
        assert browser.landed is None
        page = browser.pages[-1]
        assert page.status_code == 400 and "did not accept that email and password" in page.text
        assert "not-her-password" not in page.text and AGENT_EMAIL in page.text, "the email stays filled in"


async def test_two_factor_sign_in_asks_for_the_code_and_a_wrong_code_issues_nothing() -> None:
    async with raw() as (_, client):
        verifier, challenge = pkce()
        wrong = await client.consent({"email": MFA_EMAIL, "password": DEMO_PASSWORD, "code": "000000"}, challenge)
        assert wrong.landed is None
        assert "authenticator app" in wrong.pages[0].text or "authenticator app" in wrong.pages[1].text
        assert wrong.pages[-1].status_code == 400 and "code is not right" in wrong.pages[-1].text

        verifier, challenge = pkce()
        right = await client.consent({"email": MFA_EMAIL, "password": DEMO_PASSWORD, "code": MFA_CODE}, challenge)
        tokens = (await client.exchange(right.result().code, verifier)).json()
        assert (await client.mcp(tokens["access_token"])).status_code == 200


async def test_a_reset_chatwoot_token_ends_the_grant_so_the_host_signs_in_again() -> None:
    """The user resets their access token in Chatwoot: the next call is refused by Chatwoot, and the request after
    it gets 401 invalid_token (the host's cue to run the flow again) instead of more refused calls."""
    state = SandboxState.demo()
    async with raw(state) as (_, client):
        tokens = await client.signed_in({"token": AGENT_TOKEN})
        access = tokens["access_token"]

        def call(name: str, arguments: dict[str, object]) -> dict[str, object]:
            return {**LIST, "method": "tools/call", "params": {**LIST["params"], "name": name, "arguments": arguments}}

        listing = call("list_conversations", {"account_id": 1})
        headers = {"Mcp-Method": "tools/call", "Mcp-Name": "list_conversations"}
        assert (await client.mcp(access, listing, **headers)).status_code == 200
        agent = next(user for user in state.users.values() if user.access_token == AGENT_TOKEN)
        agent.access_token = "reset-in-chatwoot-0001"
        refused = await client.mcp(access, listing, **headers)
        assert refused.status_code == 200 and "refused" in refused.text  # Chatwoot's 401, told as a tool error
        after = await client.mcp(access)
        assert after.status_code == 401 and 'error="invalid_token"' in after.headers["www-authenticate"]
        assert "sign in again" in after.text
        again = await client.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
        assert again.status_code == 400, "the grant is gone: refreshing does not bring it back"


async def test_no_password_or_token_reaches_a_log_and_the_audit_log_names_the_user(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    audit = tmp_path / "audit.jsonl"
    state = SandboxState.demo()
    async with raw(state, env={"CHATWOOT_MCP_AUDIT_LOG": str(audit)}) as (_, client):
        tokens = await client.signed_in({"email": AGENT_EMAIL, "password": DEMO_PASSWORD})
        conversation = next(c.display_id for c in state.account_conversations(1) if c.inbox_id == 1)
        note = {
            **LIST,
            "method": "tools/call",
            "params": {
                **LIST["params"],
                "name": "add_private_note",
                "arguments": {"account_id": 1, "conversation_id": conversation, "content": "audited"},
            },
        }
        headers = {"Mcp-Method": "tools/call", "Mcp-Name": "add_private_note"}
        assert (await client.mcp(tokens["access_token"], note, **headers)).status_code == 200
    logged = "\n".join(record.getMessage() for record in caplog.records) + audit.read_text()
    for secret in (DEMO_PASSWORD, AGENT_TOKEN, tokens["access_token"], tokens["refresh_token"]):
        assert secret not in logged
    entry = json.loads(audit.read_text().splitlines()[-1])
    assert entry["tool"] == "add_private_note" and "Priya" in json.dumps(entry["user"]), entry


async def test_the_oauth_endpoints_refuse_a_foreign_host_name_like_mcp() -> None:
    """DNS-rebinding protection covers the OAuth endpoints too: a page whose own name now points at this server
    (Host: its name) reaches neither /mcp nor the metadata, registration or consent."""
    async with raw() as (server, client):
        foreign = {"Host": "rebound.example"}
        for method, path in (
            ("GET", "/.well-known/oauth-authorization-server"),
            ("GET", "/.well-known/oauth-protected-resource/mcp"),
            ("POST", "/register"),
            ("GET", "/authorize"),
            ("GET", "/oauth/consent?request=x"),
            ("POST", "/token"),
        ):
            answer = await client.http.request(method, server.base + path, headers=foreign)
            assert answer.status_code == 421, (path, answer.status_code)
        own = await client.http.get(server.base + "/.well-known/oauth-authorization-server")
        assert own.status_code == 200
