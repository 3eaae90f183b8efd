"""Rule 2's credential check: real requests for codes are caught in both languages; the
ordinary mail that merely names a PIN (a booking, a bank's standard warning, "pin it")
still reaches the assistant it belongs to."""

from __future__ import annotations

import pytest

from agent.parse.mime import parse_message
from agent.risks import find_risks
from core.models import Mail, RawMessage, Risk


def mail(body: str, subject: str = "Info") -> Mail:
    raw = (f"From: Absender <info@example.org>\nTo: anna@beispiel-design.de\n"
           f"Subject: {subject}\nMIME-Version: 1.0\n"
           f"Content-Type: text/plain; charset=utf-8\n\n{body}\n").encode()
    return parse_message(RawMessage(ref="t", data=raw)).outer


# Written for these tests (dev-style): no line comes from a measurement set.
@pytest.mark.parametrize("body", [
    "Ihr Online-Banking-Zugang läuft heute ab. Bitte geben Sie Ihre PIN und eine TAN auf der "
    "folgenden Seite ein, um ihn zu verlängern.",
    "Your storage quota is full. Please verify your password here within 12 hours or new "
    "mail will be rejected.",
    "Könnten Sie mir bitte den Bestätigungscode aus der SMS weiterleiten, die eben bei Ihnen "
    "angekommen ist?",
    "Our staff will never ask for your password on the phone.\nTo avoid losing access, "
    "confirm your login details at https://example.org/account-check",
])
def test_requests_for_codes_are_caught(body: str) -> None:
    assert Risk.credentials in find_risks(mail(body))


@pytest.mark.parametrize("body", [
    "Gutschrift: 480,00 EUR von Tischlerei Brandt.\n\nUnsere Mitarbeiter fragen Sie niemals "
    "nach PIN, TAN oder Passwort.\n\nDiese Nachricht wurde automatisch erstellt.",
    "Thanks for booking with us.\nBooking reference: 7731-0042\nDoor PIN: 5170\n"
    "Arrival: Friday, 11 December 2026",
    "Great photo of the workshop! Mind if we pin it to the top of our community page and "
    "tag you?",
])
def test_mail_that_only_names_a_code_is_not_a_request(body: str) -> None:
    assert Risk.credentials not in find_risks(mail(body))
