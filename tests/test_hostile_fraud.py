"""Issue 11, class 5: fraud in its real wording reaches only the owner — bank detail
changes, payment pressure, credential and data requests in seven languages, with look-alike
letters, far apart, in a PDF attachment; a changed IBAN whatever the wording, with both
shown. Ordinary invoices payable on their terms are still routed."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXED_NOW, FIXTURES

from agent.fold import fold
from agent.parse.mime import parse_message
from agent.pipeline import triage
from agent.risks import find_ibans, scan_risks
from core.clock import fixed_clock
from core.config import Workspace
from core.models import BodyText, Category, Classification, Mail, Priority, RawMessage, Risk
from service.deps import default_deps

FRAUD = FIXTURES / "hostile" / "fraud"
EXPECTED = {"bank-change": Risk.bank_details, "payment": Risk.payment_request,
            "credentials": Risk.credentials, "data-request": Risk.data_request}
RISKY = sorted(p for p in FRAUD.glob("*.eml") if p.name.startswith(tuple(EXPECTED)))


def mail_of(path: Path) -> Mail:
    return parse_message(RawMessage(ref=str(path), data=path.read_bytes())).outer


def expected(path: Path) -> Risk:
    return next(r for prefix, r in EXPECTED.items() if path.name.startswith(prefix))


@pytest.mark.parametrize("path", RISKY, ids=lambda p: p.stem)
def test_fraud_is_found_in_every_language_and_form(path: Path) -> None:
    assert expected(path) in scan_risks(mail_of(path)).risks


@pytest.mark.parametrize("name", ["invoice-ordinary-de.eml", "invoice-ordinary-en.eml"])
def test_an_ordinary_invoice_is_no_risk(name: str) -> None:
    scan = scan_risks(mail_of(FRAUD / name))
    assert scan.risks == [] and len(scan.ibans) == 1


@pytest.mark.parametrize("name", ["notice-payment-received-de.eml",
                                  "notice-payment-received-en.eml"])
def test_a_banks_notice_of_a_new_payment_is_no_change_of_bank_details(name: str) -> None:
    """"Ein neuer Zahlungseingang" beside the owner's masked IBAN: the "new" is the payment,
    not the account. (The demo's bank notice was shown as "Achtung: neue Bankverbindung".)"""
    assert scan_risks(mail_of(FRAUD / name)).risks == []


def test_a_new_account_is_still_a_change_however_it_is_named() -> None:
    for text in ("Bitte überweisen Sie auf unser neues Geschäftskonto: DE44 5001 0517 5407 "
                 "3249 31.", "Please pay to our new business account, IBAN GB33 BUKB 2020 "
                 "1555 5555 55.", "Unsere neue IBAN lautet DE44 5001 0517 5407 3249 31, "
                 "bitte die Zahlung dorthin."):
        mail = Mail(body=BodyText(full=text, new=text), language="de")
        assert Risk.bank_details in scan_risks(mail).risks, text


def test_saying_not_to_send_credentials_is_no_request_for_them() -> None:
    """The demo owner's own handover ("Die Zugangsdaten gebe ich Mia selbst, bitte nichts
    direkt an sie schicken") was shown as "jemand fragt nach Zugangsdaten"."""
    def risks(text: str) -> list[Risk]:
        return scan_risks(Mail(body=BodyText(full=text, new=text), language="de")).risks

    assert risks("Die Zugangsdaten gebe ich Mia am Dienstag selbst, bitte nichts direkt an "
                 "sie schicken.") == []
    assert risks("Please do not send the login details by email, I will hand them over.") == []
    # a negation elsewhere in the sentence does not hide the request
    assert Risk.credentials in risks("Schicken Sie uns Ihr Passwort, sonst geht ab morgen "
                                     "nichts mehr.")
    assert Risk.credentials in risks("Send us your password today, or your mailbox will no "
                                     "longer work.")


def test_a_changed_iban_is_a_risk_whatever_the_wording() -> None:
    mail = mail_of(FRAUD / "invoice-next-other-iban-de.eml")
    assert scan_risks(mail).risks == []  # nothing known: an ordinary invoice
    scan = scan_risks(mail, known=["DE89370400440532013000"])
    assert scan.risks == [Risk.bank_details]
    assert scan.new_ibans == ["DE44500105175407324931"]
    assert scan.known_ibans == ["DE89370400440532013000"]


class Invoices:
    def classify(self, view: object) -> Classification:
        return Classification(category=Category.invoice_payment, confidence=0.95,
                              priority=Priority.normal, decided_by="script")


def test_the_owner_sees_both_ibans_and_nothing_is_routed(ws: Workspace) -> None:
    deps = default_deps(ws, classifier=Invoices(), clock=fixed_clock(FIXED_NOW),
                        ibans=lambda mail: ["DE89370400440532013000"])
    path = FRAUD / "invoice-next-other-iban-de.eml"
    out = triage(RawMessage(ref=str(path), data=path.read_bytes()), deps).to_json()
    assert out["action"] == "notify" and out["assignee"] is None
    assert "DE44500105175407324931" in str(out["explanation"])
    assert "DE89370400440532013000" in str(out["explanation"])
    ordinary = FRAUD / "invoice-ordinary-de.eml"  # the known IBAN again: routed as usual
    again = triage(RawMessage(ref=str(ordinary), data=ordinary.read_bytes()), deps).to_json()
    assert again["action"] == "route"


def test_homoglyphs_are_folded_before_matching() -> None:
    assert fold("Bаnkverbindung DЕ89") == "bankverbindung de89"  # Cyrillic а and Е
    assert fold("ＩＢＡＮ Kon\u200bto") == "iban konto"
    assert find_ibans(fold("IBAN: DЕ89 3704 0044 0532 0130 00")) == ["DE89370400440532013000"]


def test_invalid_ibans_are_not_ibans() -> None:
    assert find_ibans("de89 3704 0044 0532 0130 01 und de00 1234 5678 9012 3456 78") == []
