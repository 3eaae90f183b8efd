"""A draft answers what was asked and nothing else (issue 16): a request for a piece of work
is the owner's to promise, not a passage's; a deadline is not a meeting; a complaint is not
answered with whatever the knowledge holds nearest to "complaint"; the times a sender offers
after asking to move are the wish. Run on the demo's own mails and on sentences as senders
write them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from conftest import DEMO

from agent.pipeline import Deps, triage
from agent.questions import read_questions, time_details
from agent.ranking import Ranker, unknown_subject
from core.config import load_config
from core.models import RawMessage, TriageOutcome
from core.ports import Passage
from evals.sets import arrival
from service.deps import default_deps


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Deps, list[datetime]]]:
    ws = load_config(DEMO / "workspace.yaml")
    ws = ws.model_copy(update={"data_dir": tmp_path_factory.mktemp("precision-data")})
    now = [datetime(2026, 11, 27).astimezone()]
    yield default_deps(ws, clock=lambda: now[0]), now


def _draft(demo: tuple[Deps, list[datetime]], name: str) -> str:
    deps, now = demo
    path: Path = next((DEMO / "mailbox" / "new").glob(f"{name}*.eml"))
    data = path.read_bytes()
    now[0] = arrival(data)
    o: TriageOutcome = triage(RawMessage(ref=path.name, data=data, received_at=now[0]), deps)
    assert o.decision.draft is not None, o.explanation
    return o.decision.draft.body


def _knowledge_lines(body: str) -> list[str]:
    known = " ".join(p.read_text(encoding="utf-8") for p in (DEMO / "knowledge").rglob("*.md"))
    return [line for line in body.splitlines()
            if any(len(s) >= 25 and s in known
                   for s in (x.strip(" –-.") for x in line.replace(": ", ". ").split(". ")))]


def test_corrections_to_the_work_are_left_to_the_owner_not_answered_from_the_knowledge(
        demo: tuple[Deps, list[datetime]]) -> None:
    body = _draft(demo, "0006-")
    assert _knowledge_lines(body) == []  # before: the terms of use under "logo bigger, please"
    assert "Offen für Sie: Das Logo unten rechts bitte etwas größer" in body
    assert "Offen für Sie: Können Sie uns bis Montag eine neue Version schicken?" in body
    assert "Uhr\n" not in body  # "bis Montag" is a deadline, not a wish for a meeting


def test_a_complaint_is_not_answered_with_an_unrelated_passage(
        demo: tuple[Deps, list[datetime]]) -> None:
    body = _draft(demo, "0058-")
    assert "Wartungsverträge" not in body  # the demo knowledge has no complaint policy
    assert "tut mir leid" in body and "melde mich bis spätestens" in body


def test_asking_to_move_offers_times_from_the_wish_in_the_next_sentence(
        demo: tuple[Deps, list[datetime]]) -> None:
    body = _draft(demo, "0055-")
    assert _knowledge_lines(body) == []  # before: the website blackout under "next week?"
    lines = [x for x in body.splitlines() if x.startswith("– ")]
    assert lines, body
    # "Mir würde Montag (30.11.) ab 14 Uhr, Dienstag (1.12.) vormittags oder Freitag …"
    assert all(("30. November" not in x or int(x.split(", ")[-1][:2]) >= 14) for x in lines), lines


@pytest.mark.parametrize("sentence", [
    "Könnten Sie bitte die Anfahrt aus der Rechnung streichen?",
    "Bitte noch den Kinderpunsch ergänzen.",
    "Können Sie uns bis Freitag die korrigierte Datei schicken?",
    "Could you send the print-ready PDF by tomorrow noon?",
    "Could you make the logo bigger?",
    "Please fix the typo on page 2.",
])
def test_a_piece_of_work_is_a_task(sentence: str) -> None:
    (q,) = read_questions(sentence)
    assert q.task and not q.wants_time


@pytest.mark.parametrize("sentence", [
    "Können Sie mir Ihre Preisliste bis Freitag schicken?",  # information the knowledge holds
    "Können Sie die Saite ersetzen, und was kostet das?",  # asks the price
    "Kann ich meine Buchung noch ändern?",  # a policy question: the sender changes it
    "Could you tell me your opening hours?",
])
def test_a_question_for_information_is_not_a_task(sentence: str) -> None:
    (q,) = read_questions(sentence)
    assert not q.task


def test_a_deadline_is_not_a_meeting_but_moving_one_is() -> None:
    assert not read_questions("Können Sie uns bis Montag eine neue Version schicken?")[0].wants_time
    assert read_questions("Können Sie Montag vorbeikommen?")[0].wants_time
    assert read_questions("Können wir auf nächste Woche gehen?")[0].wants_time
    assert read_questions("Could we push it to next week?")[0].wants_time


def test_what_the_sender_lets_the_owner_do_is_not_a_question() -> None:
    text = ("Die Texte schicke ich dir heute Abend, dann kannst du schon mal reinschauen.\n"
            "Then you can have a look before Monday.")
    assert read_questions(text) == []


def test_the_sentences_after_a_time_question_that_say_when_are_the_wish() -> None:
    text = ("Leider muss ich den Termin morgen um 10 Uhr absagen.\n\n"
            "Können wir auf nächste Woche gehen? Mir würde Montag ab 14 Uhr oder Dienstag "
            "vormittags passen. Gern auch per Video.\n\nDie Texte schicke ich dir heute.")
    assert time_details(text, "Können wir auf nächste Woche gehen?") == [
        "Mir würde Montag ab 14 Uhr oder Dienstag vormittags passen."]
    # the appointment called off is never the wish
    assert time_details("Können wir tauschen? Den Termin am Montag um 10 sage ich ab.",
                        "Können wir tauschen?") == []


def test_a_calendar_services_notice_does_not_turn_a_du_into_sie(
        demo: tuple[Deps, list[datetime]]) -> None:
    # Google's invitation ends "Sie erhalten diese E-Mail, weil Sie Gast … sind"; the
    # organiser wrote "Hallo Anna, … Kannst du schon um 13:30 da sein?"
    body = _draft(demo, "0041-")
    assert body.startswith("Hallo Jana,\n\nvielen Dank für deine Nachricht.")
    assert " Ihnen " not in body and "Ihre " not in body


@pytest.mark.parametrize("sentence", [
    "Und können wir vom gleichen Kostenrahmen wie im Frühjahr ausgehen?",
    "Gilt der Preis wie beim letzten Auftrag?",
    "Would the same rate as last time apply?",
])
def test_what_was_agreed_before_is_the_owners_to_confirm(sentence: str) -> None:
    (q,) = read_questions(sentence)
    assert q.task


def test_a_lead_in_before_a_colon_is_not_part_of_the_open_point() -> None:
    text = ("Eine Sache noch, die mir am Wochenende eingefallen ist: Bei den Getränken bitte "
            "auch „Kinderpunsch 3,50 €“ ergänzen.")
    (q,) = read_questions(text)
    assert q.text.startswith("Bei den Getränken bitte")
    assert q.task


def _ranker() -> Ranker:
    texts = [("Verleih", "Cityrad (7 Gänge): 15 € pro Tag. E-Bike: 35 € pro Tag."),
             ("Verleih", "Gruppen ab 6 Leihrädern bekommen 10 % Rabatt."),
             ("Anfahrt", "Außerhalb der Stadt berechnen wir 0,60 € pro Kilometer."),
             ("Rental", "E-bike: €35 per day. A deposit of €100 per bike.")]
    return Ranker(Passage(id=str(n), heading=h, text=t) for n, (h, t) in enumerate(texts))


@pytest.mark.parametrize(("question", "thing"), [
    ("Verleiht ihr eigentlich auch Lastenräder?", "Lastenräder"),
    ("Gibt es bei drei Rädern einen Mengenrabatt?", "Mengenrabatt"),
    ("Can you put a photo on it?", "photo"),
])
def test_a_yes_no_question_about_what_the_knowledge_never_names_is_the_owners(
        question: str, thing: str) -> None:
    assert unknown_subject(question, _ranker()) == thing


@pytest.mark.parametrize("question", [
    "Verleiht ihr auch E-Bikes?",  # named
    "Gibt es für Gruppen einen Rabatt?",  # "Rabatt" inside the knowledge's words
    "Fahren Sie auch nach Markkleeberg?",  # a place, not a thing
    "Was kostet ein Lastenrad?",  # not a yes/no question: ranking decides
    "Können Sie garantieren, dass in den Sachen kein Gluten ist?",  # beyond the main clause
    "Do you need a deposit?",
])
def test_a_question_about_what_the_knowledge_names_keeps_its_answer(question: str) -> None:
    assert unknown_subject(question, _ranker()) == ""


def _dev_draft(folder: str, name: str, tmp: Path) -> str:
    from conftest import FIXTURES

    base = FIXTURES / folder
    ws = load_config(base / "workspace.yaml").model_copy(update={"data_dir": tmp})
    data = (base / "mails" / name).read_bytes()
    now = [arrival(data)]
    o = triage(RawMessage(ref=name, data=data, received_at=now[0]),
               default_deps(ws, clock=lambda: now[0]))
    assert o.decision.draft is not None, o.explanation
    return o.decision.draft.body


def test_what_now_in_a_complaint_is_answered_by_what_happens_next(tmp_path: Path) -> None:
    # "…hatte ich nach einer Inspektion für das Geld etwas anderes erwartet. Was machen Sie
    # jetzt?": before, not taken for a complaint and answered with the price of a service
    body = _dev_draft("drafts-fahrrad", "05-reklamation-schaltung.eml", tmp_path / "a")
    assert "tut mir leid" in body
    assert "Inspektion Basis" not in body and "Offen für Sie: Was machen Sie jetzt?" not in body
    assert "ich melde mich innerhalb von 2 Werktagen" in body  # the owner's complaint policy
    english = _dev_draft("drafts-catering", "20-missing-platter.eml", tmp_path / "b")
    assert "Open for you: What are you going to do about this?" not in english
    assert "within two working days" in english


def test_walking_in_without_an_appointment_is_no_wish_for_a_meeting() -> None:
    for text in ("And can you do it while I wait, without an appointment?",
                 "Kann ich einfach ohne Termin vorbeikommen?"):
        assert not read_questions(text)[0].wants_time, text


@pytest.mark.parametrize("sentence", [
    "Ist mein Rad schon fertig?",
    "Is my order ready yet?",
    "Könnte ich für ihn ein E-Bike vom 23. bis 27.12. bei Ihnen leihen?",
    "Can we book two bikes for Saturday?",
])
def test_the_state_of_an_order_and_a_booking_for_given_days_are_the_owners(
        sentence: str) -> None:
    (q,) = read_questions(sentence)
    assert q.task


@pytest.mark.parametrize("sentence", [
    "Kann man E-Bikes auch für eine Woche leihen?",  # the terms, not a booking
    "Was kostet es, ein Rad am Samstag zu mieten?",  # a price
    "Is the bakery open on Saturday?",
])
def test_rental_terms_and_prices_stay_with_the_knowledge(sentence: str) -> None:
    (q,) = read_questions(sentence)
    assert not q.task


def test_what_renting_a_flat_for_days_costs_is_asked_of_the_knowledge() -> None:
    from datetime import date

    from agent.material import stay
    from agent.questions import Question

    def nights(first: date, last: date) -> list[date]:
        return []

    q = Question("What would it cost to rent the flat from 12 to 19 April?")
    assert stay(q, date(2026, 12, 1), "en", nights) == ""  # a price, not whether it is free
    (asked,) = read_questions(q.text)
    assert not asked.task
    q = Question("Ist die Ferienwohnung vom 3. bis 10. März noch frei?")
    assert "frei" in stay(q, date(2026, 12, 1), "de", nights)


def test_asking_for_money_back_or_a_repair_is_no_complaint() -> None:
    from agent.material import is_complaint
    from core.models import Category

    assert not is_complaint(Category.customer_inquiry,
                            "Bekomme ich mein Geld zurück, wenn ich die Feier storniere?")
    assert not is_complaint(Category.support, "Bei meinem Klavier ist eine Saite kaputt.")
    assert is_complaint(Category.support, "Schon auf dem Heimweg nach der Inspektion fing "
                                          "die Schaltung an zu springen.")
    assert is_complaint(Category.customer_inquiry,
                        "Ehrlich gesagt hatte ich für das Geld etwas anderes erwartet.")


def test_a_comparison_that_is_not_an_earlier_agreement_stays_with_the_knowledge() -> None:
    for text in ("Gilt der gleiche Preis wie für Erwachsene auch für Kinder?",
                 "Is it the same rate as for adults?"):
        assert not read_questions(text)[0].task, text
