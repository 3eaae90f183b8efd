"""The owner forwards mail in every client's format: the agent acts on the inner message."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from core.models import Action, TriageOutcome

TriageFn = Callable[[str], TriageOutcome]

CASES = [
    # file, client format, inner sender, language, inner subject
    ("gmail-de.eml", "gmail", "k.brandt@brandt-druck.de", "de", "Rechnung 2026-311"),
    ("gmail-en.eml", "gmail", "emily@hartandstone.co.uk", "en", "Quote for a logo?"),
    ("outlook-de.eml", "outlook", "h.sommer@sommer-immobilien.de", "de", "Reklamation Broschüre"),
    ("outlook-en-old.eml", "outlook", "accounts@pixelfarm.io", "en",
     "Invoice INV-8812 overdue"),
    ("apple-de.eml", "apple", "jonas@richter-architekten.de", "de", "Kaffee nächste Woche?"),
    ("apple-en.eml", "apple", "olivia.grant@grantstudio.com", "en", "Your Instagram post"),
    ("thunderbird-de.eml", "thunderbird", "service@webhost-beispiel.de", "de", "Domain läuft ab"),
    ("thunderbird-en.eml", "thunderbird", "team@designsummit.example", "en",
     "Conference travel"),
    ("rfc822-attached-de.eml", "rfc822", "martina@lang-catering.de", "de",
     "Speisekarte neu gestalten"),
]


@pytest.mark.parametrize(("name", "fmt", "sender", "language", "subject"), CASES)
def test_owner_forward_acts_on_inner_message(run_triage: TriageFn, name: str, fmt: str,
                                             sender: str, language: str, subject: str) -> None:
    out = run_triage(f"forwarded/{name}")
    assert out.view.owner_forwarded
    assert out.view.parsed.forward_format == fmt
    assert out.view.mail.sender is not None and out.view.mail.sender.email == sender
    assert out.view.language == language
    assert out.view.mail.subject == subject
    result = out.to_json()
    assert result["message_id"] == out.view.parsed.outer.message_id  # the mail as received


def test_inner_reply_goes_to_inner_reply_to(run_triage: TriageFn) -> None:
    out = run_triage("forwarded/rfc822-attached-de.eml")
    assert out.decision.action is Action.draft  # the owner's note asks for a draft
    assert out.decision.draft is not None
    assert out.decision.draft.to == ["buero@lang-catering.de"]  # Reply-To of the inner mail
    assert out.decision.draft.subject == "AW: Speisekarte neu gestalten"
    assert out.decision.draft.in_reply_to == "<inner-rfc822@lang-catering.de>"
    assert out.view.owner_note.startswith("Bitte Entwurf")


def test_owner_note_names_the_assistant(run_triage: TriageFn) -> None:
    out = run_triage("forwarded/gmail-de.eml")  # "Bitte an Lena geben"
    assert out.decision.action is Action.route and out.decision.assignee == "lena"
    assert "Lena" in out.explanation


def test_english_forward_draft_is_english(run_triage: TriageFn) -> None:
    out = run_triage("forwarded/gmail-en.eml")  # "Can you draft a reply?"
    assert out.decision.action is Action.draft
    assert out.decision.draft is not None
    assert out.decision.draft.language == "en"
    assert out.decision.draft.subject == "Re: Quote for a logo?"
    assert out.decision.draft.to == ["emily@hartandstone.co.uk"]
    assert "Viele Grüße" not in out.decision.draft.body  # the closing follows the language
    assert "Best regards" in out.decision.draft.body


def test_forward_from_a_stranger_is_their_own_mail(run_triage: TriageFn) -> None:
    out = run_triage("forwarded/stranger-forward.eml")
    assert not out.view.owner_forwarded
    assert out.view.mail.sender is not None
    assert out.view.mail.sender.email == "peter@neumann-it.de"
    assert out.view.owner_note == ""
    # the forwarded "owner" text asks for an urgent transfer: only the owner may decide
    assert out.decision.action is Action.notify
    assert all(p.type in {"notify_owner"} for p in out.decision.planned_actions)
