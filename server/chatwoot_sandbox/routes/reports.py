"""Reports (v2): live queue counts, the summary report, and the per-agent/team/inbox/label summaries.

Administrators only (`ReportPolicy#view?`): an agent gets 401. `LiveReportsController` loads the team and the
grouping before it checks that, so an agent sees a 404 (unknown team) or 422 (bad group_by) first. The figures
come from `chatwoot_sandbox.reporting`.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response

import chatwoot_sandbox.reporting as reporting
from chatwoot_sandbox.context import Context
from chatwoot_sandbox.errors import NOT_AUTHORIZED, ServerError, not_found, unauthorized, unprocessable
from chatwoot_sandbox.finders import ruby_to_i
from chatwoot_sandbox.records import Conversation
from chatwoot_sandbox.routes.common import ok

REPORT_TYPES = ("account", "agent", "inbox", "label", "team")


def _check_administrator(ctx: Context) -> None:
    user = ctx.actor.user
    if user is None or user.role_in(ctx.account_id) != "administrator":
        raise unauthorized(NOT_AUTHORIZED)


def _team_conversations(ctx: Context) -> list[Conversation]:
    """`load_conversations`: the account's conversations, or a team's (`account.teams.find`: unknown is 404)."""
    conversations = ctx.state.account_conversations(ctx.account_id)
    raw = ctx.param("team_id")
    if raw is None or raw == "":
        return conversations
    team = ctx.state.teams.get(ruby_to_i(raw))
    if team is None or team.account_id != ctx.account_id:
        raise not_found()
    return [c for c in conversations if c.team_id == team.id]


def live_conversation_metrics(ctx: Context) -> Response:
    """live_reports#conversation_metrics: the queue now, no date range."""
    conversations = _team_conversations(ctx)
    _check_administrator(ctx)
    return ok(reporting.live_metrics(conversations))


def live_grouped_metrics(ctx: Context) -> Response:
    """live_reports#grouped_conversation_metrics: by team_id or assignee_id, else 422 `invalid group_by`."""
    conversations = _team_conversations(ctx)
    group_by = ctx.param("group_by")
    if group_by not in ("team_id", "assignee_id"):
        raise unprocessable("invalid group_by")
    _check_administrator(ctx)
    return ok(reporting.grouped_live_metrics(conversations, str(group_by)))


def _period(ctx: Context) -> reporting.Range:
    return reporting.parse_range(ctx.param("since"), ctx.param("until"))


def report_summary(ctx: Context) -> Response:
    """reports#summary: `type` as `params[:type].to_sym` (missing or unknown: 500), `id` found per type (404)."""
    _check_administrator(ctx)
    kind = ctx.param("type")
    if kind not in REPORT_TYPES:
        raise ServerError("undefined method `to_sym' for nil, or no scope for this type")
    period = _period(ctx)
    conversations = ctx.state.account_conversations(ctx.account_id)
    sender_id = None
    if kind != "account":
        key = ruby_to_i(ctx.param("id"))
        conversations, sender_id = _scope(ctx, str(kind), key, conversations)
    events = [e for c in conversations for e in reporting.events_of(c)]
    if sender_id is not None:
        events = [e for e in events if e.user_id == sender_id]
        conversations = [c for c in conversations if c.assignee_id == sender_id]  # `user.conversations`: assigned
    return ok(reporting.summary(conversations, events, period, sender_id=sender_id))


def _scope(
    ctx: Context, kind: str, key: int, conversations: list[Conversation]
) -> tuple[list[Conversation], int | None]:
    """The conversations of one inbox, team or label, or (for an agent) all of them and the agent's id."""
    state = ctx.state
    if kind == "agent":
        if key not in state.users or ctx.account_id not in state.users[key].memberships:
            raise not_found()
        return conversations, key
    if kind == "inbox":
        inbox = state.inboxes.get(key)
        if inbox is None or inbox.account_id != ctx.account_id:
            raise not_found()
        return [c for c in conversations if c.inbox_id == key], None
    if kind == "team":
        team = state.teams.get(key)
        if team is None or team.account_id != ctx.account_id:
            raise not_found()
        return [c for c in conversations if c.team_id == key], None
    label = state.labels.get(key)  # a numeric label id, not its title
    if label is None or label.account_id != ctx.account_id:
        raise not_found()
    return [c for c in conversations if label.title in c.labels], None


def _by_agent(c: Conversation) -> list[int]:
    return [c.assignee_id] if c.assignee_id is not None else []


def _by_team(c: Conversation) -> list[int]:
    return [c.team_id] if c.team_id is not None else []


def summary_by(kind: str) -> Callable[[Context], Response]:
    """summary_reports#agent, #team, #inbox: one row per account user, team or inbox. Conversations count by their
    current assignee, team or inbox; events by their user (agent) or through their conversation (team, inbox)."""

    def handler(ctx: Context) -> Response:
        _check_administrator(ctx)
        state, account_id = ctx.state, ctx.account_id
        groups: dict[str, tuple[list[int], Callable[[Conversation], list[int]], Callable[[reporting.Event], list[int]]]]
        groups = {
            "agent": (
                [u.id for u in state.account_users(account_id)],
                _by_agent,
                lambda e: [e.user_id] if e.user_id is not None else [],
            ),
            "team": ([t.id for t in state.account_teams(account_id)], _by_team, lambda e: _by_team(e.conversation)),
            "inbox": (
                [i.id for i in state.account_inboxes(account_id)],
                lambda c: [c.inbox_id],
                lambda e: [e.conversation.inbox_id],
            ),
        }
        ids, key_of, event_key = groups[kind]
        keys: list[tuple[int, str | None]] = [(key, None) for key in sorted(ids)]
        conversations = state.account_conversations(account_id)
        return ok(reporting.summary_rows(keys, conversations, key_of, event_key, _period(ctx)))

    handler.__name__ = f"summary_by_{kind}"
    return handler


def summary_by_label(ctx: Context) -> Response:
    """summary_reports#label: one row per label, with its name; averages 0 (not null) when nothing was measured,
    and a missing range means all time (unlike the other summaries)."""
    _check_administrator(ctx)
    labels = sorted(ctx.state.account_labels(ctx.account_id), key=lambda label: label.id)
    ids = {label.title: label.id for label in labels}
    period = _period(ctx) or (float("-inf"), float("inf"))
    return ok(
        reporting.summary_rows(
            [(label.id, label.title) for label in labels],
            ctx.state.account_conversations(ctx.account_id),
            lambda c: [ids[title] for title in c.labels if title in ids],
            lambda e: [ids[title] for title in e.conversation.labels if title in ids],
            period,
            labels=True,
        )
    )
