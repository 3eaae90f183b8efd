"""Handing one mail to the SMTP server from the `smtp:` config, with an honest result.

`send()` returns only when the server accepted the mail (250 after DATA). Otherwise:
- `NotSent`: the server cannot have accepted it (refused before or at DATA, or answered an
  error after it) — `temporary` says whether trying later makes sense;
- `DeliveryUnknown`: the connection broke while the mail was being transferred or before
  the server's answer: it may have been delivered, so it must never be sent again by itself.
"""

from __future__ import annotations

import logging
import smtplib
import ssl

from core.config import Smtp
from tools.compose import OutMail

log = logging.getLogger(__name__)
TIMEOUT = 60.0


class NotSent(Exception):
    def __init__(self, reason: str, temporary: bool) -> None:
        super().__init__(reason)
        self.temporary = temporary


class DeliveryUnknown(Exception):
    pass


def default_port(cfg: Smtp) -> int:
    return cfg.port or {True: 465, "starttls": 587}.get(cfg.tls, 25)


def _reply(code: int, text: bytes | str) -> str:
    body = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(body.split())}"[:300]


class SmtpSender:
    def __init__(self, cfg: Smtp, timeout: float = TIMEOUT) -> None:
        self.cfg = cfg
        self.timeout = timeout

    def _connect(self) -> smtplib.SMTP:
        cfg, context = self.cfg, ssl.create_default_context()
        conn: smtplib.SMTP
        if cfg.tls is True:
            conn = smtplib.SMTP_SSL(cfg.host, default_port(cfg), timeout=self.timeout,
                                    context=context)
        else:
            conn = smtplib.SMTP(cfg.host, default_port(cfg), timeout=self.timeout)
        try:
            conn.ehlo()
            if cfg.tls == "starttls":
                conn.starttls(context=context)
                conn.ehlo()
            if cfg.username:
                conn.login(cfg.username, cfg.password or "")
        except BaseException:
            _close(conn)
            raise
        return conn

    def send(self, mail: OutMail) -> str:
        """The server's answer to DATA when it accepted the mail; see the module doc."""
        where = f"{self.cfg.host}:{default_port(self.cfg)}"
        try:
            conn = self._connect()
        except smtplib.SMTPAuthenticationError as exc:
            raise NotSent(f"SMTP login at {where} refused: {_reply(exc.smtp_code, exc.smtp_error)}",
                          temporary=True) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise NotSent(f"cannot reach SMTP server {where}: {exc}", temporary=True) from exc
        try:
            self._envelope(conn, mail)
            return self._data(conn, mail)
        finally:
            _close(conn)

    @staticmethod
    def _envelope(conn: smtplib.SMTP, mail: OutMail) -> None:
        try:
            code, text = conn.mail(mail.mail_from)
            if code != 250:
                raise NotSent(f"MAIL FROM refused: {_reply(code, text)}", temporary=code < 500)
            for rcpt in mail.rcpt:
                code, text = conn.rcpt(rcpt)
                if code not in (250, 251):  # all or nobody: never a partial delivery
                    raise NotSent(f"RCPT TO {rcpt} refused: {_reply(code, text)}",
                                  temporary=code < 500)
        except (OSError, smtplib.SMTPException) as exc:  # no DATA yet: nothing was delivered
            raise NotSent(f"SMTP connection lost before DATA: {exc}", temporary=True) from exc

    @staticmethod
    def _data(conn: smtplib.SMTP, mail: OutMail) -> str:
        try:
            code, text = conn.data(mail.data)
        except smtplib.SMTPDataError as exc:  # DATA itself refused: no content was sent
            raise NotSent(f"DATA refused: {_reply(exc.smtp_code, exc.smtp_error)}",
                          temporary=exc.smtp_code < 500) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryUnknown(f"connection lost during DATA: {exc}") from exc
        if code != 250:
            raise NotSent(f"mail refused: {_reply(code, text)}", temporary=400 <= code < 500)
        return _reply(code, text)


def _close(conn: smtplib.SMTP) -> None:
    try:
        conn.quit()
    except Exception:  # the answer is known already; a broken QUIT changes nothing
        conn.close()
