"""A short "Hast du Freitag Zeit?" is a scheduling request by rule, whoever asks; an enquiry
about the owner's prices or an invoice is not, even when it names a day."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.classify.rules import certain_category
from agent.parse.mime import parse_message
from agent.view import build_view
from core.config import Workspace
from core.models import Category, RawMessage

RECEIVED = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def rule(ws: Workspace, subject: str, body: str) -> tuple[Category, str] | None:
    data = (f"From: Jonas Richter <jonas@richter-architekten.de>\nTo: anna@beispiel-design.de\n"
            f"Subject: {subject}\nDate: Wed, 02 Dec 2026 09:55:00 +0100\n"
            "Message-ID: <tr-1@richter-architekten.de>\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
            f"{body}\n").encode()
    view = build_view(parse_message(RawMessage(ref="t", data=data), ws.limits), ws, RECEIVED)
    return certain_category(view)


@pytest.mark.parametrize(("subject", "body"), [
    ("Freitag?", "Hallo Anna,\n\nhast du Freitag Zeit? Ich würde gern kurz die Pläne mit dir "
                 "durchgehen.\n\nJonas"),
    ("Kaffee", "Hi Anna, hättest du nächste Woche Zeit für einen Kaffee? Dienstag oder "
               "Mittwoch ginge bei mir.\nLG Jonas"),
    ("Quick call", "Hi Anna,\nare you free on Tuesday morning for a quick call about the "
                   "website?\nCheers, Jonas"),
    ("Got time Friday?", "Hey, got time Friday afternoon? Would love to catch up.\nJonas"),
])
def test_a_clear_time_request_is_scheduling(ws: Workspace, subject: str, body: str) -> None:
    assert rule(ws, subject, body) == (Category.scheduling, "time-request")


@pytest.mark.parametrize(("subject", "body"), [
    ("Anfrage Hochzeit", "Guten Tag, haben Sie am 12. Juni Zeit, unsere Hochzeit zu "
                         "fotografieren? Was würde das kosten?"),
    ("Rechnung", "Hallo Anna, hast du Freitag Zeit, dir die Rechnung R-2026-114 anzusehen? "
                 "Der Betrag stimmt nicht."),
    ("Projekt", "Hallo Anna, hast du Zeit? Ich brauche deine Hilfe bei einem Projekt."),
    ("Update", "Hallo Anna,\n\n" + "wir haben die Pläne überarbeitet und alles angepasst. " * 12
     + "\nHast du Freitag Zeit?\n\nJonas"),
])
def test_other_mail_that_names_a_day_is_left_to_the_classifier(ws: Workspace, subject: str,
                                                              body: str) -> None:
    assert rule(ws, subject, body) is None


def test_asking_for_an_appointment_type_of_the_owner_is_scheduling(ws: Workspace) -> None:
    typed = ws.model_copy(update={"scheduling": ws.scheduling.model_copy(
        update={"appointment_types": {"Aufmaß": 90}})})
    data = ("From: Familie Krämer <kraemer@gmx.example>\nTo: anna@beispiel-design.de\n"
            "Subject: Aufmaß\nDate: Wed, 02 Dec 2026 09:55:00 +0100\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
            "Guten Tag, können wir das Aufmaß nächste Woche Donnerstag machen?\n").encode()
    view = build_view(parse_message(RawMessage(ref="t", data=data), typed.limits), typed,
                      RECEIVED)
    assert certain_category(view, typed.scheduling.appointment_types) == (
        Category.scheduling, "time-request")
    assert certain_category(view) is None  # without the type it is left to the classifier


@pytest.mark.parametrize(("subject", "body"), [
    ("Besuch", "Guten Tag, könnten Sie nächste Woche bei uns vorbeikommen und sich den Keller "
               "ansehen? Nachmittags wäre gut.\nGruß Familie Yilmaz"),
    ("Monday?", "Hi Anna, would Monday afternoon work for you? I'd like to show you the "
                "sketches.\nPaul"),
    ("Coffee", "Hey Anna! Free for a coffee sometime next week?\nMia"),
    ("Rückfrage", "Hallo Anna, können wir uns morgen kurz treffen? Es geht um die Schilder.\n"
                  "Gruß Tom"),
    ("Site", "Hello, could you come by on Thursday to look at the terrace?\nRegards, Ian"),
])
def test_asking_to_meet_or_whether_a_day_works_is_scheduling(ws: Workspace, subject: str,
                                                            body: str) -> None:
    assert rule(ws, subject, body) == (Category.scheduling, "time-request")


@pytest.mark.parametrize(("subject", "body"), [
    ("Paket", "Hallo Anna, kannst du mir morgen das Paket von der Post mitbringen?\nTom"),
    ("Invoice", "Hi Anna, would Friday work for paying the invoice?\nPaul"),
    ("Party", "Hi Anna, can you come to my party on Saturday? Mia"),
])
def test_favours_invoices_and_invitations_naming_a_day_are_not(ws: Workspace, subject: str,
                                                             body: str) -> None:
    assert rule(ws, subject, body) is None


@pytest.mark.parametrize(("subject", "body"), [
    ("Kanzlei", "Hallo Anna,\n\nwäre es möglich, dass wir uns zwischen den Jahren kurz\n"
                "zusammensetzen? Eine Stunde sollte reichen.\n\nJonas"),
    ("Contract", "Dear Anna,\n\nthanks for the contract. We'd like to come in next week to sign "
                 "it,\nmornings preferred.\n\nJonas"),
])
def test_asking_to_sit_down_or_come_in_is_scheduling(ws: Workspace, subject: str,
                                                    body: str) -> None:
    assert rule(ws, subject, body) == (Category.scheduling, "time-request")


_CONTEXT_DE = ("ich betreibe seit drei Jahren eine kleine Rösterei und überlege, im nächsten Jahr "
               "eine GmbH zu gründen, weil wir einen zweiten Standort planen. ") * 4
_CONTEXT_EN = ("I moved here in the summer and have been freelancing since October, and a "
               "friend at the co-working space gave me your name. ") * 4


@pytest.mark.parametrize(("subject", "body"), [
    ("Anfrage", f"Guten Tag,\n\n{_CONTEXT_DE}\n\nHätten Sie nächste Woche Dienstag oder "
                "Donnerstag vormittags Zeit für ein Gespräch?\n\nLukas"),
    ("Question", f"Hello,\n\n{_CONTEXT_EN}\n\nWould you have time for a call early next week, "
                 "ideally after lunch?\n\nHannah"),
])
def test_a_longer_mail_asking_for_a_meeting_and_its_day_is_scheduling(
        ws: Workspace, subject: str, body: str) -> None:
    assert len(body) > 500
    assert rule(ws, subject, body) == (Category.scheduling, "time-request")


@pytest.mark.parametrize(("subject", "body"), [
    ("Anfrage", f"Guten Tag,\n\n{_CONTEXT_DE}\n\nHätten Sie nächste Woche Zeit für ein Gespräch? "
                "Was würde die Beratung kosten?\n\nLukas"),
    ("Question", f"Hello,\n\n{_CONTEXT_EN}\n\nAre you free on Friday? I'd like to hear more."
                 "\n\nHannah"),
])
def test_a_longer_mail_about_prices_or_without_a_meeting_is_left_to_the_classifier(
        ws: Workspace, subject: str, body: str) -> None:
    assert rule(ws, subject, body) is None


@pytest.mark.parametrize(("subject", "body"), [
    ("Klavier", "Lieber Herr Richter,\n\nginge es übermorgen gegen halb drei? Ich bin den ganzen "
                "Tag zu Hause.\n\nGisela"),
    ("tue", "hey, u free next tue for the sketches? around 11? mike"),
    ("Quick tune?", "Hey, any chance you could squeeze us in this Saturday or next, in the "
                    "morning? The piano is a mess after the New Year's party.\nTom"),
    ("School", "Dear Anna,\n\nMid-January would be great, ideally a Thursday morning, when the "
               "rooms are free. We are planning a spring concert.\n\nGeorge"),
    ("Begutachtung", "Guten Tag,\n\nfür den Termin würde mir die KW 4 gut passen, vormittags."
                     "\n\nIrene Falk"),
])
def test_a_looser_question_with_its_day_is_scheduling(ws: Workspace, subject: str,
                                                      body: str) -> None:
    assert rule(ws, subject, body) == (Category.scheduling, "time-request")


@pytest.mark.parametrize(("subject", "body"), [
    ("Party", "Hi Anna, how about a party at our place on Saturday?\nMia"),
    ("Kino", "Hallo Anna, wie wäre es mit Kino am Freitag?\nTom"),
    ("Hallo", "Hallo Anna, wie geht es dir? Am Montag war ich endlich beim Arzt.\nTom"),
    ("Rechnung", "Hallo Anna, passt es dir, wenn ich die Rechnung am Freitag bezahle?\nTom"),
])
def test_a_looser_question_about_other_things_is_not(ws: Workspace, subject: str,
                                                     body: str) -> None:
    assert rule(ws, subject, body) is None


@pytest.mark.parametrize(("subject", "body"), [
    ("Meter", "Hi Anna,\n\nI need to cancel the meter replacement on Thursday 21st at 10, the "
              "landlord hasn't agreed yet. I'll get back to you.\n\nTom"),
    ("Montag", "Hallo Anna, den Termin am Montag muss ich leider absagen, ich bin krank.\nTom"),
    ("Friday", "Hi Anna, could we move our session on Friday to next week?\nTom"),
])
def test_moving_or_cancelling_an_appointment_with_its_day_is_scheduling(
        ws: Workspace, subject: str, body: str) -> None:
    assert rule(ws, subject, body) == (Category.scheduling, "time-request")


@pytest.mark.parametrize(("subject", "body"), [
    ("Bestellung", "Hallo Anna, bitte stornieren Sie meine Bestellung vom Dienstag um 10 Uhr, "
                   "ich muss sie absagen.\nTom"),
    ("Order", "Hi Anna, please cancel my order from Tuesday at 10am.\nTom"),
    ("Rechnung", "Hallo Anna, den Termin am Montag sage ich ab, die Rechnung zahle ich aber.\n"),
])
def test_cancelling_an_order_or_talking_of_invoices_is_not(ws: Workspace, subject: str,
                                                          body: str) -> None:
    assert rule(ws, subject, body) is None


@pytest.mark.parametrize(("subject", "body"), [
    ("Nacken", "Hi Anna,\n\nhast du morgen nach Feierabend noch was frei? Mein Nacken ist "
               "komplett fest.\n\nJonas"),
    ("Termin", "Guten Tag, haben Sie am Donnerstag noch einen Termin frei?\nJonas Richter"),
    ("termin", "hallo,\n\nich bräucht mal wieder en termin, nächste woche mittwoch wär super."
               "\n\ngrüße jonas"),
    ("Appointment", "Hello Anna,\n\nany weekday but Monday next week would work for me, but it "
                  "has to be after work.\n\nKind regards,\nJonas"),
    ("First appointment", "Hello,\n\nI recently moved here. Could I book an appointment with "
                          "you? I'm away until the 13th, so not before the 14th please.\n\n"
                          "Thank you,\nJonas"),
    ("Do you have anything?", "Hi Anna, do you have anything available on Thursday "
                              "afternoon?\nJonas"),
])
def test_asking_for_a_free_slot_or_booking_one_is_scheduling(ws: Workspace, subject: str,
                                                             body: str) -> None:
    assert rule(ws, subject, body) == (Category.scheduling, "time-request")


@pytest.mark.parametrize(("subject", "body"), [
    ("Kino", "Hi Anna, hast du Freitag Abend frei? Wir wollen ins Kino, kommst du mit?"),
    ("Plan", "Hi Anna, the new plan would work for me, I read it on Monday.\nJonas"),
    ("Buch", "Hallo Anna, Dein Buch wär super als Geschenk, ich hole es Montag ab.\nJonas"),
    # free for a piece of work is an enquiry, whatever day it names
    ("Anfrage", "Guten Tag Frau Beispiel, hätten Sie ab Januar noch Kapazität frei für ein "
                "neues Logo?\nJonas Richter"),
    ("Spring", "Hi Anna, do you have any availability for a new project in March?\nJonas"),
])
def test_free_evenings_and_things_that_work_are_not(ws: Workspace, subject: str,
                                                    body: str) -> None:
    assert rule(ws, subject, body) is None


def test_asking_for_a_home_visit_with_its_day_is_scheduling(ws: Workspace) -> None:
    body = ("Dear Anna,\n\nmy mother can't manage the stairs any more. Would it be possible for "
            "you to do a home visit early next month? Mornings are best.\n\nDavid")
    assert rule(ws, "Home visits?", body) == (Category.scheduling, "time-request")
