"""What a reply is built from, read from the sender's text: questions and requests, the
facts to repeat, and the greeting in the sender's register."""

from __future__ import annotations

from datetime import date

import pytest

from agent.questions import read_questions
from agent.recap import read_facts
from agent.salutation import greeting
from core.models import Address, BodyText, Mail


def qs(text: str) -> list[str]:
    return [q.text for q in read_questions(text)]


def test_german_and_english_questions_requests_and_lists() -> None:
    text = ("Guten Tag Frau Brenner,\n\nwir planen einen Umzug. Könnten Sie uns ein Angebot "
            "schicken. Bitte nennen Sie auch den Preis für das Stimmen.\n"
            "Folgende Punkte sind noch offen:\n- Lieferzeit\n- Anzahlung\n\n"
            "Ich freue mich auf Ihre Antwort.\n\nViele Grüße\nJens Vogel")
    assert qs(text) == ["Könnten Sie uns ein Angebot schicken.",
                        "Bitte nennen Sie auch den Preis für das Stimmen.",
                        "Lieferzeit", "Anzahlung"]
    english = ("Hi Jana,\n\nSend me your price list. I was wondering whether you work on "
               "Saturdays. Could you call me tomorrow? Let me know if you need anything else."
               "\n\nCheers,\nTom")
    found = read_questions(english)
    assert [q.text for q in found] == ["Send me your price list.",
                                       "I was wondering whether you work on Saturdays.",
                                       "Could you call me tomorrow?"]
    assert [q.wants_time for q in found] == [False, False, True]


@pytest.mark.parametrize(("sentence", "wants"), [
    ("Wann hätten Sie Zeit, vorbeizukommen?", True),
    ("Können Sie sich das vor Ort ansehen? Eine Besichtigung wäre gut.", True),
    ("Kannst du es nächste Woche stimmen?", True),
    ("Wann ist der Stuhl fertig?", False),
    ("Kann ich beim nächsten Termin bar bezahlen?", False),
    ("How long will the delivery take?", False),
    ("Could you come by on Thursday to look at it?", True),
])
def test_which_questions_ask_for_a_time(sentence: str, wants: bool) -> None:
    found = read_questions(sentence)
    assert found and found[-1].wants_time is wants


def test_facts_as_the_sender_wrote_them() -> None:
    text = ("Ihre Rechnung Nr. 2026-0412 über 145 € habe ich erhalten. Wir brauchen 3 Klaviere "
            "gestimmt, bitte bis 18.12., und am 19.12. um 19 Uhr ist das Konzert.")
    facts = [(f.kind, f.text) for f in read_facts(text, date(2026, 12, 1), "de")]
    assert ("reference", "2026-0412") in facts
    assert ("deadline", "bis 18. Dezember 2026") in facts
    assert ("date", "19. Dezember 2026") in facts
    assert ("amount", "145 €") in facts and ("quantity", "3 Klaviere") in facts
    assert ("time", "19:00 Uhr") in facts
    stay = read_facts("We would like to stay from 3 July to 10 July.", date(2026, 12, 1), "en")
    assert [(f.kind, f.text) for f in stay] == [("range", "from 3 July 2027 to 10 July 2027")]


def mail(name: str, text: str, signature: str = "") -> Mail:
    email = "x@example.org"
    return Mail(sender=Address(name=name, email=email), body=BodyText(new=text, full=text,
                                                                      signature=signature))


def genders(first: str) -> str | None:
    return {"Matthias": "m", "Petra": "f", "Emma": "f", "Daniel": "m"}.get(first)


@pytest.mark.parametrize(("name", "text", "signature", "language", "informal", "expected"), [
    ("Matthias Körner", "Sehr geehrte Frau Brenner,\n\nwas kostet das?",
     "Mit freundlichen Grüßen\nDr. Matthias Körner", "de", False,
     "Sehr geehrter Herr Dr. Körner,"),
    ("Petra Wilms", "Guten Tag Frau Brenner,\n\nbitte ein Angebot.", "", "de", False,
     "Guten Tag Frau Wilms,"),
    ("Lukas Frei", "Hallo Jana,\n\nkannst du kommen?", "Liebe Grüße\nLukas", "de", True,
     "Hallo Lukas,"),
    ("Kim Sommer", "Guten Tag,\n\nwas kostet das?", "", "de", False, "Guten Tag Kim Sommer,"),
    ("", "Guten Tag,\n\nwas kostet das?", "Mit freundlichen Grüßen\nErbengemeinschaft Roth",
     "de", False, "Guten Tag,"),
    ("Dr Emma Hughes", "Dear Ms Brenner,\n\ncould you tune it?", "", "en", False,
     "Dear Dr Hughes,"),
    ("Daniel Fischer", "Dear Ms Brenner,\n\nis it covered?", "", "en", False,
     "Dear Mr Fischer,"),
    ("Tom Becker", "Hi Jana,\n\ndoes it cost extra?", "Cheers,\nTom", "en", False, "Hi Tom,"),
    ("Musikschule Sonnenklang", "Guten Tag Frau Brenner,\n\nbitte.",
     "Freundliche Grüße\nPetra Wilms\nMusikschule Sonnenklang", "de", False,
     "Guten Tag Frau Wilms,"),
])
def test_greeting_in_the_senders_register(name: str, text: str, signature: str,
                                          language: str, informal: bool,
                                          expected: str) -> None:
    assert greeting(mail(name, text, signature), language, informal, genders) == expected
