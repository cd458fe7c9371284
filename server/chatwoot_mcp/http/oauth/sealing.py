"""The Chatwoot token a user signed in with, encrypted at rest: AES-256-GCM under a key derived from the state key.

A dump of the shared state (Redis) yields sealed tokens that are useless without CHATWOOT_MCP_STATE_KEY. Each
sealed token is bound to the grant it belongs to (associated data), so it cannot be moved into another user's
record. Several state keys rotate: the first seals, every one opens.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["Sealer", "SealingError", "token_hash"]

_INFO = b"chatwoot-mcp/oauth/chatwoot-token/v1"
"""Domain separation: the same state key also seals the SDK's request state, under another derived key."""
_VERSION = "v1"


class SealingError(Exception):
    """A sealed token that no configured key opens (a rotated-out key, or a record tampered with)."""


def token_hash(token: str) -> str:
    """How a token of ours is stored and looked up: its SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _derive(secret: bytes) -> AESGCM:
    return AESGCM(HKDF(algorithm=SHA256(), length=32, salt=None, info=_INFO).derive(secret))


@dataclass
class Sealer:
    """Seals with the first key, opens with any (key rotation)."""

    secrets: tuple[bytes, ...]
    _keys: list[tuple[bytes, AESGCM]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.secrets:
            raise ValueError("a Sealer needs at least one key")
        self._keys = [(hashlib.sha256(secret).digest()[:4], _derive(secret)) for secret in self.secrets]

    @classmethod
    def from_state_keys(cls, keys: tuple[str, ...]) -> Sealer:
        """From CHATWOOT_MCP_STATE_KEY's keys; with none, a key of this process's own (in-process state only)."""
        return cls(tuple(key.encode() for key in keys) or (os.urandom(32),))

    def seal(self, plaintext: str, bound_to: str) -> str:
        kid, key = self._keys[0]
        nonce = os.urandom(12)
        sealed = key.encrypt(nonce, plaintext.encode(), f"{_VERSION}|{bound_to}".encode())
        return f"{_VERSION}.{base64.urlsafe_b64encode(kid + nonce + sealed).decode()}"

    def open(self, sealed: str, bound_to: str) -> str:
        version, _, body = sealed.partition(".")
        try:
            raw = base64.urlsafe_b64decode(body.encode())
        except ValueError:
            raise SealingError("not a sealed token") from None
        if version != _VERSION or len(raw) < 16 + 16:
            raise SealingError("not a sealed token")
        kid, nonce, ciphertext = raw[:4], raw[4:16], raw[16:]
        for key_id, key in self._keys:
            if key_id == kid:
                try:
                    return key.decrypt(nonce, ciphertext, f"{_VERSION}|{bound_to}".encode()).decode()
                except InvalidTag:
                    break
        raise SealingError("no configured state key opens this token")
