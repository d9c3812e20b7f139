"""Browser sessions for the reviewer's desk: an API key, checked once, becomes a signed cookie.

The cookie holds the key's id, a CSRF token and when it was issued, signed with the server's secret
(itsdangerous). It never holds the key's secret. Every request checks the key again in the database,
so revoking a key ends its sessions at once. Forms carry the CSRF token (a hidden field, or the
`X-CSRF-Token` header for script requests); the sign-in form, before any session, uses a
double-submit token (a cookie and the same value in the form).
"""
from __future__ import annotations

import hmac
import os
import secrets
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SESSION_COOKIE = "cd_session"
SIGNIN_COOKIE = "cd_signin"  # the pre-session CSRF token of the sign-in form
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SECRET_FILE = "web-session.key"


class WebSettings(BaseSettings):
    """The desk's settings (prefix CLEARDOCKET_); the lead may fold them into `ocr_service.settings`."""

    model_config = SettingsConfigDict(env_prefix="CLEARDOCKET_", extra="ignore")

    # Signs session cookies. Unset: a random secret kept in <data_dir>/web-session.key (mode 0600);
    # set it (the same on every API replica) when more than one machine serves the desk.
    session_secret: SecretStr | None = None
    session_hours: float = 8.0  # a session ends this long after sign-in
    cookie_secure: bool | None = None  # None: Secure when the request came over https


@dataclass(frozen=True, slots=True)
class SessionData:
    """What a session cookie says: whose key, the CSRF token of its forms, when it was issued."""

    key_id: str
    csrf: str
    issued: int


def load_secret(settings: WebSettings, data_dir: Path) -> str:
    """The signing secret: the setting, else a random one created once in the data folder."""
    if settings.session_secret is not None and settings.session_secret.get_secret_value():
        return settings.session_secret.get_secret_value()
    path = Path(data_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
            fh.flush()
            os.fsync(fh.fileno())
    for _ in range(50):  # another process may be writing it this instant
        text = path.read_text().strip()
        if text:
            return text
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty: remove it or set CLEARDOCKET_SESSION_SECRET")


class SessionCodec:
    """Signs and reads session cookies (and expires them after `max_age_s`)."""

    def __init__(self, secret: str, max_age_s: float):
        self._s = URLSafeTimedSerializer(secret, salt="cleardocket.web.session")
        self.max_age_s = max_age_s

    def issue(self, key_id: str) -> tuple[str, SessionData]:
        data = SessionData(key_id=key_id, csrf=secrets.token_urlsafe(32), issued=int(time.time()))
        return self._s.dumps({"k": data.key_id, "c": data.csrf, "t": data.issued}), data

    def read(self, cookie: str | None) -> SessionData | None:
        """The session of a cookie, or None when it is missing, forged or expired."""
        if not cookie:
            return None
        try:
            raw = self._s.loads(cookie, max_age=self.max_age_s)
        except BadSignature:  # includes SignatureExpired
            return None
        if not isinstance(raw, dict) or not all(isinstance(raw.get(k), v) for k, v in
                                                (("k", str), ("c", str), ("t", int))):
            return None
        return SessionData(key_id=raw["k"], csrf=raw["c"], issued=raw["t"])


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of a CSRF token; an empty token never matches."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))
