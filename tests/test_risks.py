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


@pytest.mark.parametrize("body", [
    "Ihr Postfach wird gesperrt. Bitte bestätigen Sie Ihre PIN und TAN unter folgendem Link.",
    "To keep your mailbox, please confirm your password within 24 hours.",
    "Schicken Sie mir bitte kurz den Bestätigungscode, den Sie gerade per SMS bekommen haben.",
    "We never ask for your password by email.\nTo keep your account active, confirm your "
    "login here: https://example.org/verify",
])
def test_requests_for_codes_are_caught(body: str) -> None:
    assert Risk.credentials in find_risks(mail(body))


@pytest.mark.parametrize("body", [
    "Zahlungseingang: 1.250,00 EUR von Morgenrot GmbH.\n\nWir fragen Sie niemals nach PIN, "
    "TAN oder Passwort.\n\nDiese E-Mail wurde automatisch versendet, bitte antworten Sie nicht.",
    "Your booking is confirmed.\nConfirmation number: 4418.220.917\nPIN code: 2604\n"
    "Check-in: Wednesday, 2 December 2026",
    "Loved your reel! Would you share it to our Instagram story with a tag, and maybe pin "
    "it to your profile?",
])
def test_mail_that_only_names_a_code_is_not_a_request(body: str) -> None:
    assert Risk.credentials not in find_risks(mail(body))
