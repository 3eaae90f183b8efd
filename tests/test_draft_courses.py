"""What the fifth dev set (tests/fixtures/drafts-kurse, a yoga and Pilates studio, written
before its code was read) showed about answering the sender (issue 16): lines that quote a
passage which does not answer, and questions left open that the knowledge answers. Each test
names the general cause, with sentences as senders write them."""

from __future__ import annotations

from agent.material import Answer, _pick
from agent.questions import Question
from agent.ranking import Ranker
from core.ports import Passage, PassageHit

PREVENTION = Passage("p", "Rücken-Yoga als Präventionskurs: 10 Termine, 175 € für den ganzen "
                     "Kurs.", "Rücken-Yoga", "preise.md")
COURSES = Passage("k", "Schwangerenyoga und der Einsteigerkurs Pilates kosten 136 € für den "
                  "ganzen Kurs.", "Kurse über 8 Wochen", "preise.md")


def test_a_passage_already_quoted_answers_the_next_question_instead_of_a_worse_one() -> None:
    # "Ist Ihr Rücken-Yoga zertifiziert? Was kostet der Kurs?": both are answered by the
    # prevention course's line; before, the second got the next price of the list — another
    # course's — as if it answered
    from agent.drafts import _answer_lines

    hits = [PassageHit(PREVENTION, 0.90), PassageHit(COURSES, 0.878)]
    chosen, _ = _pick(hits, used={"p"})
    assert chosen == (PREVENTION,)
    lines = _answer_lines((Answer(Question("Ist Ihr Rücken-Yoga zertifiziert?"), "knowledge",
                                  (PREVENTION,)),
                           Answer(Question("Was kostet der Kurs?"), "knowledge", chosen)))
    assert [x for x in lines if x] == [lines[0]] and "175 €" in lines[0]  # said once
    # a fresh passage nearly as close still answers on its own
    chosen, _ = _pick([PassageHit(PREVENTION, 0.90), PassageHit(COURSES, 0.895)], used={"p"})
    assert chosen == (COURSES,)


FAQ_CHILD = Passage("f", "Kann ich mein Kind mitbringen? Nur in die Rückbildungs-Stunden.",
                    "Häufige Fragen", "studio.md")
BRING = Passage("b", "Zu jeder Stunde bringen Sie bequeme Kleidung und ein Handtuch mit.",
                "Was Sie mitbringen", "studio.md")
MATS = Passage("m", "Matten und Decken stellen wir. Eine eigene Matte dürfen Sie mitbringen.",
               "Was Sie mitbringen", "studio.md",
               block="Matten und Decken stellen wir. Eine eigene Matte dürfen Sie mitbringen.")
TRIAL = Passage("t", "Die erste Stunde ist eine Probestunde und kostet 12 €.", "Probestunde",
                "preise.md")


def test_an_faq_entry_answers_its_own_question_not_one_that_shares_a_verb() -> None:
    ranker = Ranker([FAQ_CHILD, BRING, MATS, TRIAL])
    hits = [PassageHit(FAQ_CHILD, 0.863), PassageHit(BRING, 0.862)]
    best = ranker.rank("Was muss ich zur ersten Stunde mitbringen?", hits)[0]
    assert best.passage is BRING
    # asked what the entry asks, it still comes first
    best = ranker.rank("Kann ich meine Tochter mitbringen? ‖ Darf mein Kind mit?",
                       [PassageHit(FAQ_CHILD, 0.86), PassageHit(BRING, 0.86)])[0]
    assert best.passage is FAQ_CHILD


def test_the_nearest_passage_of_the_same_heading_joins_even_behind_another_topic() -> None:
    # "Was muss ich mitbringen?": the mats paragraph first, the trial class of another
    # heading between, then the clothes and towel of the same heading
    hits = [PassageHit(MATS, 0.912), PassageHit(TRIAL, 0.910), PassageHit(BRING, 0.909)]
    chosen, _ = _pick(hits, set())
    assert chosen == (MATS, BRING)


def test_from_when_the_sender_may_join_is_a_rule_not_a_meeting() -> None:
    from agent.questions import read_questions

    # before: three meeting slots under a young mother's question, and no knowledge answer
    asked = read_questions("Ab wann darf ich zum Rückbildungs-Pilates kommen, und kann ich "
                           "die Kleine mitbringen?")
    assert [q.text for q in asked] == ["Ab wann darf ich zum Rückbildungs-Pilates kommen?",
                                       "Kann ich die Kleine mitbringen?"]
    assert not any(q.wants_time for q in asked)
    assert read_questions("Ab wann können Sie kommen?")[0].wants_time  # the owner's time


def test_it_would_be_great_to_have_a_call_asks_for_a_time() -> None:
    from agent.questions import read_questions

    asked = read_questions("It would be great to have a short call next week to discuss the "
                           "details.")
    assert [q.wants_time for q in asked] == [True]


def test_crediting_or_refunding_is_the_owners_to_promise() -> None:
    from agent.questions import read_questions

    # before: answered with "Schreiben Sie uns dafür mindestens eine Woche vorher eine E-Mail"
    for sentence in ("Bitte schreiben Sie mir die Stunde wieder gut.",
                     "Können Sie mir die Anzahlung erstatten?", "Could you refund the class?"):
        assert read_questions(sentence)[0].task, sentence
    assert not read_questions("Wie lange dauert eine Erstattung?")[0].task


def test_a_separable_verb_finds_its_participle() -> None:
    # "kann ich den dafür einlösen?" before: the voucher's validity, not where it is redeemed
    redeem = Passage("r", "Ein Gutschein kann für alles bei uns eingelöst werden, auch für "
                     "Workshops.", "Gutscheine")
    valid = Passage("v", "Gutscheine gelten 3 Jahre bis zum Jahresende.", "Gutscheine")
    ranker = Ranker([redeem, valid, TRIAL])
    question = "Kann ich den Gutschein für den Workshop einlösen?"
    assert ranker.overlap(question, redeem) == 1.0
    assert ranker.overlap(question, valid) < 0.5
    assert ranker.overlap("Wie kann ich absagen?", Passage("x", "Abgesagt wird in der App.")) == 1.0


def test_arrival_named_as_the_point_a_span_counts_from_asks_no_clock_time() -> None:
    from agent.ranking import answer_kind

    assert answer_kind("Was passiert, wenn wir drei Wochen vor der Anreise absagen?") == ""
    assert answer_kind("Ab wann ist die Anreise möglich?") == "clock"
    assert answer_kind("Wie ist das mit der Anreise?") == "clock"


def test_a_stay_planned_for_a_month_just_past_lies_next_year() -> None:
    from datetime import date

    from agent.recap import date_range, read_facts

    # written on 1 December: before, the recap said "vom 9. bis 16. Oktober 2026"
    ref = date(2026, 12, 1)
    planned = "Wir wollen im Oktober eine Woche kommen, vom 9. bis 16. Oktober. Geht das?"
    assert next(f.said for f in read_facts(planned, ref, "de")) == "vom 9. bis 16. Oktober 2027"
    assert date_range("Is the flat free from 9 to 16 October?", ref) == (date(2027, 10, 9),
                                                                           date(2027, 10, 16))
    # a stay that is over stays where it was
    over = "Wir waren vom 14. bis 21. November bei Ihnen, und die Heizung war kalt."
    assert [f.said for f in read_facts(over, ref, "de")] == ["vom 14. bis 21. November 2026"]
    assert [f.said for f in read_facts("Am 24.11. war ich gebucht.", ref, "de")] == [
        "am 24. November 2026"]


def test_a_party_larger_than_the_price_covers_gets_the_further_guests_price() -> None:
    from datetime import date

    from agent.seasons import guests, stay_price

    base = Passage("b", "Die Preise gelten für die ganze Wohnung mit bis zu 2 Personen.",
                   "Preise pro Nacht", "preise.md", "de")
    mid = Passage("m", "Zwischensaison (April, Mai, Juni): 105 € pro Nacht", "Preise pro Nacht",
                  "preise.md", "de")
    low = Passage("l", "Nebensaison (November bis März): 85 € pro Nacht", "Preise pro Nacht",
                  "preise.md", "de")
    more = Passage("w", "Jede weitere Person ab 3 Jahren kostet 15 € pro Nacht.",
                   "Weitere Personen", "preise.md", "de")
    clean = Passage("c", "Die Endreinigung kostet einmalig 65 € pro Aufenthalt.", "Endreinigung",
                    "preise.md", "de")
    every = [base, mid, low, more, clean]
    assert guests("was kostet das für 2 Erwachsene und ein Kind (6 Jahre)?") == 3
    assert guests("And what would a week cost for the four of us?") == 4
    may = date(2027, 5, 3)
    # before: the season's price and the cleaning, never the 15 € of the third guest
    assert stay_price(may, [mid, low], every, party=3) == (mid, more, clean)
    assert stay_price(may, [mid, low], every, party=2) == (mid, clean)  # the price covers two
    assert stay_price(may, [mid, low], every) == (mid, clean)  # the mail does not say


def test_moving_a_stay_to_other_dates_asks_whether_those_nights_are_free() -> None:
    from datetime import date

    from agent.material import stay

    ref = date(2026, 11, 30)
    booked = [date(2027, 5, 21)]
    # before: "Open for you" and meeting wording; now the calendar's booked nights answer
    q = Question("Could we move our stay to 20 to 23 May instead?")
    assert "free" in stay(q, ref, "en", lambda a, b: [])
    assert "booked" in stay(q, ref, "en", lambda a, b: booked)
    assert "frei" in stay(Question("Können wir den Aufenthalt auf den 3. bis 7. Juni "
                                   "verschieben?"), ref, "de", lambda a, b: [])
    assert stay(Question("Could we move the call to 20 May?"), ref, "en", lambda a, b: []) == ""
