"""What every model shares: tolerance for fields Chatwoot adds, and its many ways of writing a time.

Chatwoot writes times as int seconds, float seconds (`updated_at`), ISO strings with milliseconds (`snoozed_until`,
`push_event_data.updated_at`) and 0 for "never" (`nil.to_i`). Ruby and PostgreSQL hold years Python cannot
(PostgreSQL: 4713 BC to 294276 AD; Ruby writes them `-0001-...`, `10000-...`), so a time outside Python's years
1..9999 reads as None on its field and is kept, exactly as sent, in the model's `raw_times`. One odd record
therefore never makes a list or a read fail. A value that is not a time at all (a boolean, "tomorrow") is still a
validation error: that is not something Chatwoot sends.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, ModelWrapValidatorHandler, PrivateAttr, model_validator

__all__ = ["ChatwootModel", "TimeOutOfRange", "Timestamp", "parse_time"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_SECONDS_DIGITS = 40
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_ISO = re.compile(
    r"(?P<year>[+-]?[0-9]{4,})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"(?:[T ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]+))?)?)?"
    r"\s*(?P<zone>Z|UTC|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)


class TimeOutOfRange(ValueError):
    """A well-formed time that Python's datetime cannot hold (a year outside 1..9999)."""


def parse_time(value: Any) -> datetime | None:
    """A time in any of Chatwoot's encodings as an aware datetime (UTC from the server's forms), or None when unset.

    Raises TimeOutOfRange for a time Python cannot represent, and ValueError for a value that is not a time.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("a timestamp cannot be a boolean")
    if isinstance(value, int | float):
        return _from_unix_seconds(value)
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if not isinstance(value, str):
        raise ValueError(f"a timestamp cannot be a {type(value).__name__}")
    text = value.strip()
    if _NUMBER.fullmatch(text):
        if len(text) > _MAX_SECONDS_DIGITS:  # far beyond year 9999 (and too long for int() to read)
            raise TimeOutOfRange("outside the years 1..9999")
        return _from_unix_seconds(int(text) if text.lstrip("+-").isdigit() else float(text))
    match = _ISO.fullmatch(text)
    if match is None:
        raise ValueError("not a time Chatwoot writes (unix seconds or ISO 8601)")
    return _from_iso_parts(match)


def _from_unix_seconds(seconds: float) -> datetime | None:
    if seconds == 0:  # nil.to_i: never set
        return None
    if isinstance(seconds, float) and not math.isfinite(seconds):
        raise TimeOutOfRange("not a finite number of seconds")
    try:
        return _EPOCH + timedelta(seconds=seconds)
    except OverflowError:
        raise TimeOutOfRange("outside the years 1..9999") from None


def _from_iso_parts(match: re.Match[str]) -> datetime:
    parts = match.groupdict()
    year = int(parts["year"])
    if not 1 <= year <= 9999:
        raise TimeOutOfRange("outside the years 1..9999")
    micro = int((parts["fraction"] or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(
            year,
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            micro,
            tzinfo=_zone(parts["zone"]),
        )
    except ValueError:
        raise ValueError("not a calendar date and time") from None
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:00:00-05:00 is in the year 10000 in UTC
        raise TimeOutOfRange("outside the years 1..9999") from None


def _zone(text: str | None) -> timezone:
    if text in (None, "Z", "UTC"):
        return UTC
    digits = text[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    return timezone(-offset if text[0] == "-" else offset)


def _to_datetime(value: Any) -> datetime | None:
    try:
        return parse_time(value)
    except TimeOutOfRange:
        return None  # kept in the model's raw_times


Timestamp = Annotated[datetime | None, BeforeValidator(_to_datetime)]
"""A point in time from any of Chatwoot's encodings; None when unset (0 or null) or when Python cannot hold it."""


class ChatwootModel(BaseModel):
    """Base model: unknown fields are kept, so a newer Chatwoot never breaks parsing.

    `raw_times` holds, by field name and exactly as the server sent them, the times that read as None because
    Python cannot represent them (e.g. `{"snoozed_until": "10000-01-01T00:00:00.000Z"}`); usually it is empty.
    """

    # defer_build: validators are built on a model's first use, not at import (start-up time of every program
    # that imports the client, most of which use a few models).
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    _raw_times: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def raw_times(self) -> dict[str, Any]:
        """Times the server sent that Python cannot represent (their fields read None), by field name."""
        return dict(self._raw_times)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_unrepresentable_times(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        model = handler(data)
        if isinstance(data, dict):
            kept = {
                name: data[key]
                for name, key in _time_fields(cls)
                # Only a time that read as None can have been out of range: valid ones are not parsed twice.
                if key in data and getattr(model, name, None) is None and _out_of_range(data[key])
            }
            if kept:
                model._raw_times = kept
        return model


@cache
def _time_fields(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """(field name, key in the input) of every Timestamp field of `model`."""
    return tuple(
        (name, info.alias or name)
        for name, info in model.model_fields.items()
        if any(getattr(meta, "func", None) is _to_datetime for meta in info.metadata)
    )


def _out_of_range(value: Any) -> bool:
    try:
        parse_time(value)
    except TimeOutOfRange:
        return True
    except ValueError:
        return False
    return False
