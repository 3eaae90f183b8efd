"""One IMAP connection from the `imap:` config: TLS as configured, login, errors mapped.

Every network or protocol failure becomes `MailboxUnavailable`, so callers handle one
exception and retry with backoff.
"""

from __future__ import annotations

import contextlib
import imaplib
import ssl
from collections.abc import Callable
from typing import TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from core.config import Imap
from tools.mailbox import MailboxUnavailable

T = TypeVar("T")
TIMEOUT = 60.0
# socket errors, TLS errors, timeouts (OSError); a dropped connection (abort); a server that
# answers NO/BAD or garbage (IMAPClientError is imaplib.IMAP4.error)
NETWORK_ERRORS: tuple[type[BaseException], ...] = (OSError, imaplib.IMAP4.abort,
                                                   IMAPClientError, EOFError)


def default_port(cfg: Imap) -> int:
    return cfg.port or (993 if cfg.tls is True else 143)


def connect(cfg: Imap, timeout: float = TIMEOUT) -> IMAPClient:
    """A logged-in client; raises MailboxUnavailable with a one-line reason."""
    where = f"{cfg.host}:{default_port(cfg)}"
    # loading the CA store costs more than a login on loopback: only when TLS is used
    context = ssl.create_default_context() if cfg.tls else None
    try:
        client = IMAPClient(cfg.host, port=default_port(cfg), ssl=cfg.tls is True,
                            ssl_context=context if cfg.tls is True else None, timeout=timeout)
    except NETWORK_ERRORS as exc:
        raise MailboxUnavailable(f"cannot connect to IMAP server {where}: {exc}") from exc
    try:
        if cfg.tls == "starttls":
            client.starttls(context)
        client.login(cfg.username, cfg.password)
    except LoginError as exc:
        _quietly(client.shutdown)
        raise MailboxUnavailable(f"IMAP login as {cfg.username} at {where} refused: "
                                 f"{_text(exc)}") from exc
    except NETWORK_ERRORS as exc:
        _quietly(client.shutdown)
        raise MailboxUnavailable(f"IMAP server {where}: {_text(exc)}") from exc
    return client


def guarded(what: str, fn: Callable[[], T]) -> T:
    """Run one IMAP operation; network and protocol errors become MailboxUnavailable."""
    try:
        return fn()
    except NETWORK_ERRORS as exc:
        raise MailboxUnavailable(f"IMAP {what} failed: {_text(exc)}") from exc


def _text(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.replace("\r", " ").replace("\n", " ")[:300]


def _quietly(fn: Callable[[], object]) -> None:
    with contextlib.suppress(Exception):  # closing a broken connection may fail in any way
        fn()


def shutdown(client: IMAPClient | None) -> None:
    """Drop a connection without a goodbye (it may be broken already)."""
    if client is not None:
        _quietly(client.shutdown)


def close(client: IMAPClient | None) -> None:
    """Log out if possible; a dead connection is just dropped."""
    if client is None:
        return
    try:
        client.logout()
    except Exception:
        _quietly(client.shutdown)
