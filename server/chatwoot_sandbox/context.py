"""What a handler gets: the state, the caller, the account, and the request's parameters merged the Rails way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.datastructures import QueryParams

from chatwoot_sandbox.actions import Actor
from chatwoot_sandbox.errors import NOT_AUTHORIZED, not_found, unauthorized
from chatwoot_sandbox.finders import can_see, ruby_to_i
from chatwoot_sandbox.records import Account, Conversation
from chatwoot_sandbox.state import SandboxState

_MISSING = object()


@dataclass
class Context:
    state: SandboxState
    actor: Actor
    account: Account | None
    path_params: dict[str, str]
    query: QueryParams
    body: object
    """The parsed JSON body, or None."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """The request's headers (any case): what the sign-in endpoints read a session from."""

    @property
    def account_id(self) -> int:
        assert self.account is not None, "account-scoped endpoint without an account"
        return self.account.id

    @property
    def now(self) -> float:
        return self.state.clock()

    def has(self, key: str) -> bool:
        """Whether the parameter was sent at all (a JSON null or an empty query value counts as sent)."""
        return self._lookup(key) is not _MISSING

    def param(self, key: str) -> object:
        """A parameter from the JSON body or, failing that, the query string (Rails merges both into `params`)."""
        value = self._lookup(key)
        return None if value is _MISSING else value

    def _lookup(self, key: str) -> object:
        if isinstance(self.body, dict) and key in self.body:
            return self.body[key]
        if key in self.query:
            return self.query[key]
        return _MISSING

    def conversation(self) -> Conversation:
        """The conversation named by the path's display id: 404 if absent, 401 if the caller may not see it."""
        found = self.state.find_conversation(self.account_id, ruby_to_i(self.path_params["conversation_id"]))
        if found is None:
            raise not_found()
        if self.actor.user is not None and not can_see(self.state, self.actor.user.id, found):
            raise unauthorized(NOT_AUTHORIZED)
        return found
