"""The contacts endpoints' raw shapes: paging meta of both kinds, blank and bad search input, contact_inboxes."""

from __future__ import annotations

import httpx2
import pytest

from chatwoot_sandbox import AGENT_TOKEN, DEMO_ACCOUNT_ID, VIP_CONTACT_ID, VISITOR_CONTACT_ID, SandboxState

pytestmark = pytest.mark.anyio

CONTACTS = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/contacts"


async def test_index_meta_counts_the_total_and_echoes_page_as_sent(client: httpx2.AsyncClient) -> None:
    plain = (await client.get(CONTACTS)).json()
    paged = (await client.get(CONTACTS, params={"page": "2"})).json()

    assert plain["meta"]["current_page"] == 1 and paged["meta"]["current_page"] == "2"
    assert plain["meta"]["count"] == paged["meta"]["count"] > 15
    assert len(plain["payload"]) == 15
    assert VISITOR_CONTACT_ID not in {c["id"] for c in plain["payload"] + paged["payload"]}


async def test_search_meta_is_the_page_and_has_more(client: httpx2.AsyncClient) -> None:
    body = (await client.get(f"{CONTACTS}/search", params={"q": "@", "page": "1"})).json()
    assert body["meta"] == {"count": 15, "current_page": "1", "has_more": True}


async def test_blank_search_is_200_empty_unless_switched_to_422(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    response = await client.get(f"{CONTACTS}/search", params={"q": "  "})
    assert response.status_code == 200
    assert response.json() == {"meta": {"count": None, "current_page": 1, "has_more": None}, "payload": []}
    state.blank_contact_search_is_422 = True
    response = await client.get(f"{CONTACTS}/search")
    assert response.status_code == 422
    assert response.json() == {"error": "Specify search string with parameter q"}


async def test_search_page_below_one_is_a_500(client: httpx2.AsyncClient) -> None:
    assert (await client.get(f"{CONTACTS}/search", params={"q": "a", "page": "0"})).status_code == 500


async def test_contact_inboxes_only_with_the_exact_string_true(client: httpx2.AsyncClient) -> None:
    default = (await client.get(f"{CONTACTS}/{VIP_CONTACT_ID}")).json()["payload"]
    off = (await client.get(f"{CONTACTS}/{VIP_CONTACT_ID}", params={"include_contact_inboxes": "1"})).json()
    assert default["contact_inboxes"] and set(default["contact_inboxes"][0]) == {"source_id", "inbox"}
    assert "contact_inboxes" not in off["payload"]


async def test_labels_post_without_labels_clears_them_for_agents_too(client: httpx2.AsyncClient) -> None:
    response = await client.post(
        f"{CONTACTS}/{VIP_CONTACT_ID}/labels", json={}, headers={"api_access_token": AGENT_TOKEN}
    )
    assert response.json() == {"payload": []}


async def test_filter_without_payload_is_a_500_and_values_are_required(client: httpx2.AsyncClient) -> None:
    assert (await client.post(f"{CONTACTS}/filter", json={})).status_code == 500
    empty = [{"attribute_key": "country_code", "filter_operator": "equal_to", "values": [], "query_operator": None}]
    response = await client.post(f"{CONTACTS}/filter", json={"payload": empty})
    assert response.status_code == 422
    assert response.json() == {"error": "Invalid value. The values provided for country_code are invalid"}


async def test_canned_responses_are_a_bare_array_of_iso_records(client: httpx2.AsyncClient) -> None:
    body = (
        await client.get(f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/canned_responses", params={"search": "thanks"})
    ).json()
    assert isinstance(body, list) and body[0]["short_code"] == "thanks"
    assert list(body[0]) == ["id", "account_id", "short_code", "content", "created_at", "updated_at"]
    assert body[0]["created_at"].endswith(".000Z")


async def test_participants_patch_replaces_and_missing_user_ids_is_a_500(client: httpx2.AsyncClient) -> None:
    path = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations/7/participants"
    replaced = await client.patch(path, json={"user_ids": [2, 3]})
    assert [a["id"] for a in replaced.json()] == [2, 3]
    assert (await client.post(path, json={})).status_code == 500
    deleted = await client.request("DELETE", path, json={"user_ids": [2]})
    assert deleted.status_code == 200 and deleted.content == b""


async def test_unknown_portal_slug_is_a_500_on_show_and_a_404_on_articles(client: httpx2.AsyncClient) -> None:
    base = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/portals"
    assert (await client.get(f"{base}/nope")).status_code == 500
    assert (await client.get(f"{base}/nope/articles")).status_code == 404
    shown = (await client.get(f"{base}/acme-help")).json()
    assert shown["meta"]["published_count"] == 3 and shown["meta"]["draft_articles_count"] == 1
    listed = (await client.get(base)).json()
    assert listed["meta"] == {"current_page": 1, "portals_count": 2}


async def test_participants_post_with_string_ids_echoes_even_present_ones(client: httpx2.AsyncClient) -> None:
    path = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations/7/participants"
    echoed = await client.post(path, json={"user_ids": ["5", "2"]})
    assert [a["id"] for a in echoed.json()] == [5, 2]
    listed = await client.get(path)
    assert [a["id"] for a in listed.json()] == [1, 5, 2]
