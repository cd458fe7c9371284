"""What every model shares: tolerance for fields Chatwoot adds, and its three ways of writing a time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

__all__ = ["ChatwootModel", "Timestamp"]


class ChatwootModel(BaseModel):
    """Base model: unknown fields are kept, so a newer Chatwoot never breaks parsing."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


def _to_datetime(value: Any) -> Any:
    # Chatwoot writes times as int seconds, float seconds (updated_at), ISO strings (snoozed_until,
    # push_event_data.updated_at) and 0 for "never" (nil.to_i): all become an aware datetime or None.
    if value is None or value == 0 or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("a timestamp cannot be a boolean")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str) and value.lstrip("-").replace(".", "", 1).isdigit():
        return _to_datetime(float(value))
    return value


Timestamp = Annotated[datetime | None, BeforeValidator(_to_datetime)]
"""A point in time from any of Chatwoot's encodings; None when unset (the server sends 0 or null)."""
