"""The account's people and places: the caller's profile, agents, teams, inboxes and labels."""

from __future__ import annotations

from pydantic import Field

from chatwoot_client.types._base import ChatwootModel

__all__ = ["Agent", "AgentBot", "Inbox", "Label", "Profile", "ProfileAccount", "Team"]


class ProfileAccount(ChatwootModel):
    """An account the token's user belongs to, with the user's role there."""

    id: int
    name: str | None = None
    role: str | None = None


class Profile(ChatwootModel):
    """The user the API token belongs to.

    Chatwoot echoes the user's secrets here; they are kept out of `repr()` and `model_dump()`.
    """

    id: int
    name: str | None = None
    email: str | None = None
    role: str | None = None
    accounts: list[ProfileAccount] = Field(default_factory=list)
    access_token: str | None = Field(default=None, exclude=True, repr=False)
    pubsub_token: str | None = Field(default=None, exclude=True, repr=False)


class Agent(ChatwootModel):
    """A user of the account (role "agent" or "administrator")."""

    id: int
    name: str
    email: str | None = None
    available_name: str | None = None
    role: str | None = None
    availability_status: str | None = None
    confirmed: bool | None = None


class AgentBot(ChatwootModel):
    """An agent bot a conversation can be assigned to."""

    id: int
    name: str
    description: str | None = None


class Team(ChatwootModel):
    """A team of agents."""

    id: int
    name: str
    description: str | None = None
    allow_auto_assign: bool | None = None


class Inbox(ChatwootModel):
    """A channel conversations arrive through (website chat, email, API, WhatsApp...)."""

    id: int
    name: str
    channel_type: str | None = None


class Label(ChatwootModel):
    """A label defined in the account (conversations may carry labels that are not defined, too)."""

    id: int | None = None
    title: str
    description: str | None = None
    color: str | None = None
    show_on_sidebar: bool | None = None
