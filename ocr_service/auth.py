"""API keys and roles (contract section 4).

A key reads `cdk_<id>_<secret>`: the id finds the row, the secret is checked against a salted
SHA-256 kept at rest (the secret itself is never stored and is shown once, when created).

The API keeps keys it verified in a `KeyCache` for a few seconds (`CLEARDOCKET_KEY_CACHE_SECONDS`),
so a request with a known key costs no database query; a key revoked elsewhere (the command line,
another process) stops working in this process when its entry expires, at most that many seconds later.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from cachetools import TTLCache
from sqlalchemy.orm import Session

from ocr_service.storage import repo

ROLES = ("uploader", "reviewer", "reader", "admin")


class Action(StrEnum):
    """What a request wants to do; each route names one."""

    CREATE_BATCH = "create_batch"
    READ_BATCH = "read_batch"
    READ_DOCUMENT = "read_document"
    READ_PAGES = "read_pages"
    READ_CASE = "read_case"
    REVIEW_QUEUE = "review_queue"
    CORRECT_CASE = "correct_case"
    EXPORT = "export"
    READ_AUDIT = "read_audit"
    MANAGE_KEYS = "manage_keys"


#: Who may do what (admin may do everything). Contract section 5's table, plus page images for reviewers.
PERMISSIONS: dict[Action, frozenset[str]] = {
    Action.CREATE_BATCH: frozenset({"uploader"}),
    Action.READ_BATCH: frozenset({"uploader", "reader"}),
    Action.READ_DOCUMENT: frozenset({"uploader", "reviewer", "reader"}),
    Action.READ_PAGES: frozenset({"reviewer"}),
    Action.READ_CASE: frozenset({"reviewer", "reader"}),
    Action.REVIEW_QUEUE: frozenset({"reviewer"}),
    Action.CORRECT_CASE: frozenset({"reviewer"}),
    Action.EXPORT: frozenset({"reader"}),
    Action.READ_AUDIT: frozenset(),
    Action.MANAGE_KEYS: frozenset(),
}

_TOKEN_RE = re.compile(r"^cdk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller, as known from a valid key."""

    key_id: str
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class NewKey:
    principal: Principal
    token: str  # shown once


def allowed(role: str, action: Action) -> bool:
    return role == "admin" or role in PERMISSIONS[action]


def _hash(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def create_key(s: Session, *, role: str, name: str, created_by: str | None = None) -> NewKey:
    """Make a key; the returned token is the only copy of its secret."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    name = name.strip()
    if not name:
        raise ValueError("a key needs a name")
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    repo.create_key(s, key_id=key_id, name=name, role=role, salt=salt, secret_hash=_hash(salt, secret),
                    created_by=created_by, now=_now())
    return NewKey(Principal(key_id, name, role), f"cdk_{key_id}_{secret}")


def authenticate(s: Session, token: str | None) -> Principal | None:
    """The principal of a valid, unrevoked key; None otherwise (constant-time secret check)."""
    m = _TOKEN_RE.match(token or "")
    if not m:
        return None
    key_id, secret = m.groups()
    row = repo.get_key(s, key_id=key_id)
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.secret_hash, _hash(row.salt, secret)):
        return None
    return Principal(row.id, row.name, row.role)


class KeyCache:
    """Principals of recently verified tokens, for `ttl_s` seconds (0: no cache); thread-safe.

    Entries are keyed by the SHA-256 of the whole token, so the cache holds no usable secret; only
    valid keys are kept (a bad token is checked against the database every time).
    """

    def __init__(self, ttl_s: float, *, maxsize: int = 4096, clock: Callable[[], float] = time.monotonic):
        self.ttl_s = ttl_s
        self._entries: TTLCache[bytes, Principal] | None = (
            TTLCache(maxsize=maxsize, ttl=ttl_s, timer=clock) if ttl_s > 0 else None)
        self._lock = threading.Lock()

    @staticmethod
    def _token_key(token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()

    def get(self, token: str) -> Principal | None:
        if self._entries is None:
            return None
        with self._lock:
            return self._entries.get(self._token_key(token))

    def put(self, token: str, who: Principal) -> None:
        if self._entries is not None:
            with self._lock:
                self._entries[self._token_key(token)] = who

    def forget(self, key_id: str) -> None:
        """Drop a key at once (it was revoked through this process)."""
        if self._entries is not None:
            with self._lock:
                for k in [k for k, who in self._entries.items() if who.key_id == key_id]:
                    del self._entries[k]
