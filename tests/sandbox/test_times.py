"""Times as Rails reads and writes them, at every year the database holds, and the 500s beyond.

toggle_status reads `snoozed_until` with `DateTime.strptime(x.to_s, '%s')`: an optional `-` and any number of
digits at the start; strptime ignores what follows. Ruby holds any year; PostgreSQL's `timestamp` holds 4714 BC to
294276 AD and refuses the rest, so such a snooze fails with a 500 and the save rolls back. Rails writes times with
`%FT%T.%3N` + `Z`, where `%Y` pads to four digits and signs negative (astronomical) years.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from chatwoot_sandbox import DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID, SNOOZED_CONVERSATION_ID, SandboxState
from chatwoot_sandbox.render import iso_ms

pytestmark = pytest.mark.anyio

CONVERSATIONS = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations"

PG_MAX = 9_224_318_015_999  # 294276-12-31T23:59:59Z, the last second PostgreSQL's timestamp holds
PG_MIN = -210_866_803_200  # 4714-11-24 BC 00:00, Julian day 0


def url(display_id: int, suffix: str = "") -> str:
    return f"{CONVERSATIONS}/{display_id}{suffix}"


async def show(client: httpx2.AsyncClient, display_id: int) -> Any:
    response = await client.get(url(display_id))
    assert response.status_code == 200
    return response.json()


def assert_rails_500(response: httpx2.Response) -> None:
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")


def _seconds(year: int, month: int = 1, day: int = 1) -> int:
    return int(datetime(year, month, day, tzinfo=UTC).timestamp())


@pytest.mark.parametrize(
    ("seconds", "rendered"),
    [
        (1739400123.456789, "2025-02-12T22:42:03.456Z"),
        (0, "1970-01-01T00:00:00.000Z"),
        (-0.5, "1969-12-31T23:59:59.500Z"),
        (_seconds(18), "0018-01-01T00:00:00.000Z"),
        (_seconds(1), "0001-01-01T00:00:00.000Z"),
        (_seconds(1) - 1, "0000-12-31T23:59:59.000Z"),  # 1 BC is Ruby's year 0
        (_seconds(1) - 366 * 86400, "0000-01-01T00:00:00.000Z"),  # 1 BC was a leap year
        (_seconds(1) - (366 + 365) * 86400, "-0001-01-01T00:00:00.000Z"),  # 2 BC
        (_seconds(9999, 12, 31) + 86399.9999, "9999-12-31T23:59:59.999Z"),
        (_seconds(9999, 12, 31) + 86400, "10000-01-01T00:00:00.000Z"),
        (PG_MAX, "294276-12-31T23:59:59.000Z"),
        (PG_MIN, "-4713-11-24T00:00:00.000Z"),
        (None, None),
    ],
)
def test_times_render_as_rails_writes_them(seconds: float | None, rendered: str | None) -> None:
    assert iso_ms(seconds) == rendered


def test_every_year_python_knows_renders_as_datetime_does() -> None:
    for year in [*range(1, 2101, 7), 9999]:
        for month, day in [(1, 1), (2, 28), (2, 29), (3, 1), (12, 31)]:
            if month == 2 and day == 29 and (year % 4 or (year % 100 == 0 and year % 400)):
                continue
            seconds = _seconds(year, month, day) + 13 * 3600 + 14 * 60 + 15.5  # .5: exact in binary
            assert iso_ms(seconds) == f"{year:04d}-{month:02d}-{day:02d}T13:14:15.500Z"


async def _snooze(client: httpx2.AsyncClient, until: object, display_id: int = LONG_CONVERSATION_ID) -> httpx2.Response:
    return await client.post(url(display_id, "/toggle_status"), json={"status": "snoozed", "snoozed_until": until})


@pytest.mark.parametrize(
    ("until", "rendered"),
    [
        (_seconds(18), "0018-01-01T00:00:00.000Z"),
        (str(_seconds(1) - (366 + 365) * 86400), "-0001-01-01T00:00:00.000Z"),
        (_seconds(9999, 12, 31) + 86400, "10000-01-01T00:00:00.000Z"),
        (str(PG_MAX), "294276-12-31T23:59:59.000Z"),
        (PG_MIN, "-4713-11-24T00:00:00.000Z"),
        (0, "1970-01-01T00:00:00.000Z"),  # "0" is a time to Ruby (only nil and false are absent)
        ("1796112000.9", "2026-12-01T08:00:00.000Z"),  # strptime ignores what follows the digits
        (1796112000.9, "2026-12-01T08:00:00.000Z"),  # a JSON float's to_s is "1796112000.9"
        ("1796112000 tomorrow", "2026-12-01T08:00:00.000Z"),
        (1e20, "1970-01-01T00:00:01.000Z"),  # to_s is "1.0e+20"
        ("-1", "1969-12-31T23:59:59.000Z"),
    ],
)
async def test_a_snooze_at_any_year_the_database_holds_is_stored_and_rendered_like_rails(
    client: httpx2.AsyncClient, until: object, rendered: str
) -> None:
    response = await _snooze(client, until)

    assert response.status_code == 200
    assert response.json()["payload"]["snoozed_until"] == rendered
    assert (await show(client, LONG_CONVERSATION_ID))["snoozed_until"] == rendered
    listed = await client.get(CONVERSATIONS, params={"status": "snoozed"})
    assert rendered in [c["snoozed_until"] for c in listed.json()["data"]["payload"]]
    assert (await client.get(url(LONG_CONVERSATION_ID, "/messages"))).status_code == 200


@pytest.mark.parametrize(
    "until",
    [
        pytest.param(PG_MAX + 1, id="after-294276"),
        pytest.param(PG_MIN - 1, id="before-4714BC"),
        pytest.param(2**63, id="2**63"),
        pytest.param(-(2**63), id="-2**63"),
        pytest.param(str(10**40), id="10**40-string"),
        pytest.param("9" * 5000, id="5000-digits"),
    ],
)
async def test_a_snooze_the_database_cannot_hold_is_a_500_and_stores_nothing(
    client: httpx2.AsyncClient, state: SandboxState, until: object
) -> None:
    conversation = state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID)
    before = (conversation.status, conversation.snoozed_until, len(conversation.messages), conversation.assignee_id)

    assert_rails_500(await _snooze(client, until))

    after = (conversation.status, conversation.snoozed_until, len(conversation.messages), conversation.assignee_id)
    assert after == before
    assert (await client.get(url(LONG_CONVERSATION_ID))).status_code == 200


@pytest.mark.parametrize(
    "until", ["+1796112000", " 1796112000", ".5", "²", "", "tomorrow", "-", True, {"at": 1}, [1796112000]]
)
async def test_a_snooze_strptime_cannot_read_is_a_500_and_stores_nothing(
    client: httpx2.AsyncClient, state: SandboxState, until: object
) -> None:
    conversation = state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID)
    before = (conversation.status, conversation.snoozed_until, len(conversation.messages))

    assert_rails_500(await _snooze(client, until))

    assert (conversation.status, conversation.snoozed_until, len(conversation.messages)) == before


async def test_an_unstorable_time_is_harmless_when_the_status_is_not_a_snooze(client: httpx2.AsyncClient) -> None:
    # before_save clears snoozed_until unless snoozed, so the database never sees it.
    response = await client.post(
        url(SNOOZED_CONVERSATION_ID, "/toggle_status"), json={"status": "open", "snoozed_until": 2**63}
    )
    assert response.status_code == 200
    assert response.json()["payload"] == {
        "success": True,
        "conversation_id": SNOOZED_CONVERSATION_ID,
        "current_status": "open",
        "snoozed_until": None,
    }


@pytest.mark.parametrize("until", [None, False])
async def test_a_null_or_false_snoozed_until_is_absent(client: httpx2.AsyncClient, until: object) -> None:
    response = await _snooze(client, until, SNOOZED_CONVERSATION_ID)
    assert response.json()["payload"]["snoozed_until"] == "2026-11-27T09:00:00.000Z"  # untouched


async def test_creating_a_conversation_snoozed_beyond_the_database_is_a_500(
    client: httpx2.AsyncClient, state: SandboxState
) -> None:
    before = len(state.conversations)
    body = {"inbox_id": 1, "contact_id": 5, "status": "snoozed", "snoozed_until": PG_MAX + 1}
    assert_rails_500(await client.post(CONVERSATIONS, json=body))
    assert len(state.conversations) == before

    response = await client.post(CONVERSATIONS, json=body | {"snoozed_until": PG_MAX})
    assert response.json()["snoozed_until"] == "294276-12-31T23:59:59.000Z"


# -- numbers no time, id or page can have ----------------------------------------------------------------------

HUGE = "9" * 5000


def _days_before(days: object) -> dict[str, object]:
    condition = {"attribute_key": "created_at", "filter_operator": "days_before", "values": [days]}
    return {"payload": [condition | {"query_operator": None}]}


async def test_days_before_beyond_year_1_is_a_500_like_the_database_and_never_a_crash(
    client: httpx2.AsyncClient,
) -> None:
    assert_rails_500(await client.post(f"{CONVERSATIONS}/filter", json=_days_before(10**12)))
    assert_rails_500(await client.post(f"{CONVERSATIONS}/filter", json=_days_before(HUGE)))
    everything = await client.post(f"{CONVERSATIONS}/filter", json=_days_before(-(10**12)))
    assert everything.status_code == 200 and everything.json()["meta"]["all_count"] > 0


@pytest.mark.parametrize(
    "path",
    [
        f"{CONVERSATIONS}?updated_within={10**400}",
        f"{CONVERSATIONS}?updated_within={HUGE}",
        f"{CONVERSATIONS}?page={HUGE}",
        f"{CONVERSATIONS}/{HUGE}",
        f"{CONVERSATIONS}/{LONG_CONVERSATION_ID}/messages?before={HUGE}",
        f"{CONVERSATIONS}/{LONG_CONVERSATION_ID}/messages?after=-{HUGE}",
        f"/api/v1/accounts/{HUGE}/conversations",
    ],
    ids=["updated_within-10**400", "updated_within-5000-digits", "page", "id", "before", "after", "account"],
)
async def test_numbers_too_long_for_any_record_never_crash_the_sandbox(client: httpx2.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code in (200, 404)
    assert response.headers["content-type"].startswith("application/json")
