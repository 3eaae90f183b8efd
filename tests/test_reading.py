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


def test_indirect_questions_are_questions_and_courtesies_are_not() -> None:
    text = ("Guten Tag,\n\nwir haben zwei Sessel geerbt. Außerdem wüsste ich gern, ob Sie "
            "auch Leder beziehen. Mich interessiert vor allem der Preis für den Bezug. Über "
            "eine kurze Info zur Lieferzeit würde ich mich freuen.\n\nViele Grüße\nAnn")
    assert qs(text) == ["Außerdem wüsste ich gern, ob Sie auch Leder beziehen.",
                        "Mich interessiert vor allem der Preis für den Bezug.",
                        "Über eine kurze Info zur Lieferzeit würde ich mich freuen."]
    english = ("Hi,\n\nI'd appreciate a rough idea of the cost. I'm curious whether you "
               "deliver. I'd appreciate it. Looking forward to hearing from you.\n\nBest\nTom")
    assert qs(english) == ["I'd appreciate a rough idea of the cost.",
                           "I'm curious whether you deliver."]


@pytest.mark.parametrize(("sentence", "wants"), [
    ("Wann hätten Sie Zeit, vorbeizukommen?", True),
    ("Können Sie sich das vor Ort ansehen? Eine Besichtigung wäre gut.", True),
    ("Kannst du es nächste Woche stimmen?", True),
    ("Wann ist der Stuhl fertig?", False),
    ("Kann ich beim nächsten Termin bar bezahlen?", False),
    ("How long will the delivery take?", False),
    ("Could you come by on Thursday to look at it?", True),
    ("Wäre ein Besuch bei uns nächste Woche möglich?", True),
    ("Können wir ein kurzes Erstgespräch vereinbaren?", True),
    ("Could we book a trial lesson?", True),
    ("Was kostet ein Hausbesuch?", False),
    ("What does a site visit cost?", False),
    ("Ist das Erstgespräch kostenlos?", False),
    ("Könnten Sie vorbeikommen, um sich den Schaden anzusehen und die Kosten abzuschätzen?",
     True),
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
    return {"Matthias": "m", "Petra": "f", "Emma": "f", "Daniel": "m", "Maarten": "m",
            "Zofia": "f", "Till": "m", "Imogen": "f"}.get(first)


@pytest.mark.parametrize(("name", "text", "signature", "language", "informal", "expected"), [
    ("Matthias Körner", "Sehr geehrte Frau Brenner,\n\nwas kostet das?",
     "Mit freundlichen Grüßen\nDr. Matthias Körner", "de", False,
     "Sehr geehrter Herr Dr. Körner,"),
    ("Petra Wilms", "Guten Tag Frau Brenner,\n\nbitte ein Angebot.", "", "de", False,
     "Sehr geehrte Frau Wilms,"),
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
     "Sehr geehrte Frau Wilms,"),
])
def test_greeting_in_the_senders_register(name: str, text: str, signature: str,
                                          language: str, informal: bool,
                                          expected: str) -> None:
    assert greeting(mail(name, text, signature), language, informal, genders) == expected


@pytest.mark.parametrize(("name", "email", "text", "signature", "language", "expected"), [
    # only Dr. and Prof. are said aloud: a Dipl.-Ing. is "Herr Quast"
    ("Till Quast", "j@example.org", "Sehr geehrte Frau Brenner,\n\nbitte ein Angebot.",
     "Mit freundlichen Grüßen\nDipl.-Ing. Till Quast", "de", "Sehr geehrter Herr Quast,"),
    # "Liebe Frau …", "Hallo," or no greeting at all: a business reply says "Sehr geehrte"
    ("Petra Wilms", "p@example.org", "Liebe Frau Brenner,\n\nwie lange dauert das?", "", "de",
     "Sehr geehrte Frau Wilms,"),
    ("Daniel Fischer", "d@example.org", "Hallo,\n\nwas kostet das?\n\nGruß D. Fischer", "", "de",
     "Sehr geehrter Herr Fischer,"),
    # "Hallo Frau Brenner" is answered in kind
    ("Daniel Fischer", "d@example.org", "Hallo Frau Brenner,\n\nbitte ändern.", "", "de",
     "Hallo Herr Fischer,"),
    # a company or a contact form is no person: a neutral greeting
    ("Café Zur Linde", "verwaltung@example.org", "Bitte um ein Angebot.",
     "Café Zur Linde GmbH\nVerwaltung", "de", "Guten Tag,"),
    ("Fjordlys Studio ApS", "office@example.org", "Please send us your prices.",
     "Best regards\nFjordlys Studio ApS", "en", "Hello,"),
    # name particles, and the sender's own honorific in another language
    ("Maarten van Dijk", "p@example.org", "Beste mevrouw Brenner,\n\nis er plaats?", "", "en",
     "Dear Mr van Dijk,"),
    # "With kind regards" closes the mail; the title on the signature counts
    ("Imogen Blake", "f@example.org", "Dear Ms Brenner,\n\ncould you come today?",
     "With kind regards,\nDr Imogen Blake", "en", "Dear Dr Blake,"),
    # "Hello," and a full signature: title and last name, not the first name
    ("Zofia Nowak", "m@example.org", "Hello,\n\ncould you send the invoice to my company?",
     "Best regards,\nZofia Nowak\nProject Manager", "en", "Dear Ms Nowak,"),
    # the name on the closing line itself, from a contact form's noreply sender
    ("Kontaktformular", "noreply@example.org", "Hello, is parking available?\nCheers, Quentin",
     "", "en", "Hello Quentin,"),
    # no opening and only a first name signed: "Hello …", not "Dear …"
    ("Webshop", "noreply@example.org", "Is parking available?\nCheers, Quentin", "", "en",
     "Hello Quentin,"),
    # signed as a company: the line after it is its town, not a name
    ("Fjordlys Studio ApS", "office@example.org", "We need two rooms.",
     "Best regards\nFjordlys Studio ApS\nTromsø, Denmark", "en", "Hello,"),
])
def test_greeting_from_titles_particles_companies_and_closing_lines(
        name: str, email: str, text: str, signature: str, language: str,
        expected: str) -> None:
    m = Mail(sender=Address(name=name, email=email),
             body=BodyText(new=text, full=text, signature=signature))
    assert greeting(m, language, False, genders) == expected


def test_compound_and_whether_questions_are_split() -> None:
    # a German verb-first question after "und", an English auxiliary question after "and"
    assert qs("Was kostet die Reinigung, und liefern Sie die Teppiche auch wieder an?") == [
        "Was kostet die Reinigung?", "Liefern Sie die Teppiche auch wieder an?"]
    assert qs("How long does it take, and should I bring the cushions too?") == [
        "How long does it take?", "Should I bring the cushions too?"]
    # "ob …, ob … und ob …": one question per clause
    assert qs("Bitte teilen Sie mir mit, ob Sie auch Leder färben, ob Sie Rechnungen per "
              "Mail schicken und ob Sie samstags geöffnet haben.") == [
        "Bitte teilen Sie mir mit, ob Sie auch Leder färben.",
        "Ob Sie Rechnungen per Mail schicken.", "Ob Sie samstags geöffnet haben."]


@pytest.mark.parametrize(("sentence", "wants"), [
    ("Habt ihr am Dienstag nachmittags Zeit?", True),
    ("Would Monday morning work for you?", True),
    ("Just tell me which date is best for you.", True),
    ("Wann können Sie die Bank abholen lassen?", True),
    ("Können Sie für eine Beratung zu uns nach Altona kommen?", True),
    ("Could the sessions be scheduled on Tuesday evenings?", True),
    ("Holen Sie die Bank ab oder bringen wir sie?", False),
    ("Is the fabric included in the price?", False),
])
def test_more_ways_of_asking_for_a_time(sentence: str, wants: bool) -> None:
    found = read_questions(sentence)
    assert found and found[-1].wants_time is wants


def test_a_neighbouring_sentence_of_the_same_file_answers_along() -> None:
    from agent.drafts import answer_sentence
    from agent.material import _pick
    from core.ports import Passage, PassageHit

    def hit(n: int, text: str, source: str, score: float) -> PassageHit:
        return PassageHit(Passage(id=f"{source}#{n}", text=text, heading="Garantie",
                                  source=source, language="de"), score)

    # two sentences of the warranty page, nearly as close: the reply names both periods
    hits = [hit(1, "Polsterarbeiten: 2 Jahre.", "garantie.md", 0.902),
            hit(2, "Gestelle und Federkerne: 5 Jahre.", "garantie.md", 0.895),
            hit(3, "Bezahlung per Überweisung.", "zahlung.md", 0.894)]
    text = answer_sentence(_pick(hits, set())[0])
    assert "2 Jahre" in text and "5 Jahre" in text and "Überweisung" not in text
    # another file's sentence does not join, however close
    text = answer_sentence(_pick([hits[0], hits[2]], set())[0])
    assert "2 Jahre" in text and "Überweisung" not in text


def test_a_price_in_the_heading_is_said_with_the_sentence_under_it() -> None:
    from agent.drafts import answer_sentence
    from core.ports import Passage

    p = Passage(id="p#1", text="Wir beziehen Ihren Sessel mit einem Stoff Ihrer Wahl neu und "
                "erneuern dabei die Polsterung.", heading="Sessel neu beziehen – ab 380 €")
    assert answer_sentence((p,)).startswith("Sessel neu beziehen – ab 380 €: Wir beziehen")
    plain = Passage(id="p#2", text="Wir beziehen Ihren Sessel mit einem Stoff Ihrer Wahl neu "
                    "und erneuern dabei die Polsterung.", heading="Sessel")
    assert answer_sentence((plain,)).startswith("Wir beziehen")
