"""Who may use the web UI and the API (CONTRACT §6): the owner's password hash, browser
sessions, API tokens. Only hashes are stored: a leaked database holds no usable secret."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update

from tools.store.db import Database
from tools.store.models import AuditRow, OwnerRow, SessionRow, TokenRow

TOKEN_PREFIX = "asz_"
PREFIX_CHARS = 12  # stored in plain to find a token for `token revoke PREFIX`


def digest(secret: str) -> str:
    """SHA-256 of a high-entropy random secret (tokens, session ids): enough, and fast."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling: the owner, or one assistant."""

    role: str  # owner | assistant
    assistant_id: str | None = None
    via: str = "token"  # token | session
    session_id: str | None = None  # the stored session's id (for logout, CSRF)
    csrf: str | None = None


@dataclass(frozen=True)
class NewSession:
    token: str  # goes into the cookie, never stored
    csrf: str
    expires_at: datetime


class Access:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- the owner's password --------------------------------------------------------

    def password_hash(self) -> str | None:
        with self.db.session() as s:
            row = s.get(OwnerRow, 1)
            return row.password_hash if row else None

    def set_password_hash(self, value: str) -> None:
        """A new password ends every existing session."""
        with self.db.transaction() as s:
            row = s.get(OwnerRow, 1)
            if row is None:
                s.add(OwnerRow(id=1, password_hash=value))
            else:
                row.password_hash = value
            s.execute(delete(SessionRow))
            s.add(AuditRow(actor="owner", event="password_set", detail={}))

    # --- browser sessions --------------------------------------------------------------

    def open_session(self, hours: float) -> NewSession:
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        expires = self.db.clock() + timedelta(hours=hours)
        with self.db.transaction() as s:
            s.add(SessionRow(id=digest(token), csrf=csrf, expires_at=expires))
            s.add(AuditRow(actor="owner", event="login", detail={}))
        return NewSession(token=token, csrf=csrf, expires_at=expires)

    def session(self, token: str) -> Principal | None:
        now = self.db.clock()
        with self.db.session() as s:
            row = s.get(SessionRow, digest(token))
            if row is None or _aware(row.expires_at) <= now:
                return None
            return Principal(role="owner", via="session", session_id=row.id, csrf=row.csrf)

    def close_session(self, session_id: str) -> None:
        with self.db.transaction() as s:
            s.execute(delete(SessionRow).where(SessionRow.id == session_id))
            s.add(AuditRow(actor="owner", event="logout", detail={}))

    # --- API tokens --------------------------------------------------------------------

    def create_token(self, role: str, assistant_id: str | None = None) -> str:
        """A new token; returned once, only its hash is kept."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.db.transaction() as s:
            s.add(TokenRow(prefix=token[:PREFIX_CHARS], digest=digest(token), role=role,
                           assistant_id=assistant_id))
            s.add(AuditRow(actor="owner", event="token_created",
                           detail={"prefix": token[:PREFIX_CHARS], "role": role,
                                   "assistant": assistant_id}))
        return token

    def revoke(self, prefix: str) -> int:
        """Revoke the one live token starting with `prefix`; returns how many matched
        (0: none, >1: ambiguous — nothing revoked)."""
        start = prefix[:PREFIX_CHARS]  # a longer prefix (or the whole token) is fine too
        with self.db.transaction() as s:
            rows = [r for r in s.scalars(select(TokenRow).where(TokenRow.revoked_at.is_(None)))
                    if r.prefix.startswith(start)]
            if len(rows) == 1:
                rows[0].revoked_at = self.db.clock()
                s.add(AuditRow(actor="owner", event="token_revoked",
                               detail={"prefix": rows[0].prefix}))
            return len(rows)

    def token(self, token: str) -> Principal | None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        with self.db.transaction() as s:
            row = s.scalar(select(TokenRow).where(TokenRow.digest == digest(token)))
            if row is None or row.revoked_at is not None:
                return None
            s.execute(update(TokenRow).where(TokenRow.id == row.id)
                      .values(last_used_at=self.db.clock()))
            return Principal(role=row.role, assistant_id=row.assistant_id)

    def revoke_assistant(self, assistant_id: str) -> int:
        """Every token of an assistant ends at once (they left the network, a team ended)."""
        with self.db.transaction() as s:
            done = s.execute(update(TokenRow).where(TokenRow.assistant_id == assistant_id,
                                                    TokenRow.revoked_at.is_(None))
                             .values(revoked_at=self.db.clock()))
            return int(done.rowcount or 0)  # type: ignore[attr-defined]


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
