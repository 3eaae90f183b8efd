"""The bank accounts (IBANs) senders used: read by the risk check through `Deps.ibans`,
written with each processed message's results."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.models import Mail, TriageOutcome
from tools.store.db import Database
from tools.store.models import BankAccountRow

FREEMAIL = frozenset({
    "gmail.com", "googlemail.com", "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "gmx.com",
    "web.de", "outlook.com", "outlook.de", "hotmail.com", "hotmail.de", "live.com", "live.de",
    "yahoo.com", "yahoo.de", "t-online.de", "icloud.com", "me.com", "mac.com", "aol.com",
    "mail.com", "mail.de", "proton.me", "protonmail.com", "freenet.de", "posteo.de",
    "mailbox.org", "arcor.de", "orange.fr", "free.fr", "laposte.net", "libero.it", "wp.pl",
    "o2.pl", "onet.pl", "interia.pl", "ziggo.nl", "kpnmail.nl", "zoho.com", "yandex.com",
})


def company_of(mail: Mail) -> str | None:
    """The sender's company, by domain; None for free-mail addresses (shared by strangers)."""
    if mail.sender is None:
        return None
    domain = mail.sender.domain
    return None if domain in FREEMAIL else domain


class Accounts:
    def __init__(self, db: Database) -> None:
        self.db = db

    def known(self, mail: Mail) -> list[str]:
        """IBANs this sender, or anyone of their company, named before."""
        if mail.sender is None:
            return []
        company = company_of(mail)
        with self.db.session() as s:
            who = BankAccountRow.sender == mail.sender.key
            if company:
                who = or_(who, BankAccountRow.company == company)
            rows = s.scalars(select(BankAccountRow.iban).where(who)
                             .order_by(BankAccountRow.id).limit(50))
            return list(dict.fromkeys(rows))


def record(s: Session, message_row: int, outcome: TriageOutcome) -> None:
    """Remember the IBANs of a processed message (inside the caller's transaction)."""
    mail = outcome.view.mail
    if mail.sender is None or not outcome.view.ibans:
        return
    key = mail.sender.key
    have = set(s.scalars(select(BankAccountRow.iban).where(BankAccountRow.sender == key)))
    for iban in outcome.view.ibans:
        if iban not in have:
            s.add(BankAccountRow(sender=key, company=company_of(mail), iban=iban,
                                 message_id=message_row))
