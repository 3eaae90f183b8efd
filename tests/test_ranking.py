"""Which knowledge passage answers a question (agent/ranking.py) and what a pointing
question refers to (agent/questions.py): pure functions, dev-style material."""

from __future__ import annotations

import pytest
from conftest import FIXTURES

from agent.material import _first_steps
from agent.questions import items_before, read_questions, split_compound
from agent.ranking import Ranker, answer_kind, focus, says_little, unframed
from core.ports import Passage, PassageHit

PASSAGES = [
    Passage("a", "Klavier stimmen: 145 € – kleine Regulierungen inklusive.", "Stimmen"),
    Passage("b", "Für Stimmungen beträgt die Wartezeit derzeit etwa zwei Wochen.", "Wartezeiten"),
    Passage("c", "Einen Klaviertransport in Leipzig übernehmen wir für 290 €.", "Transport"),
    Passage("d", "Corporate design: from €4,200 – logo package and style guide.", "Prices"),
    Passage("e", "We charge by the day for agency work.", "Rates"),
]


def test_a_price_question_prefers_the_passage_with_an_amount() -> None:
    hits = [PassageHit(PASSAGES[1], 0.86), PassageHit(PASSAGES[0], 0.85)]
    assert Ranker(PASSAGES).rank("Was kostet das?", hits)[0].passage.id == "a"


def test_a_how_long_question_prefers_the_passage_with_a_duration() -> None:
    hits = [PassageHit(PASSAGES[0], 0.86), PassageHit(PASSAGES[1], 0.85)]
    assert Ranker(PASSAGES).rank("Wie lange muss ich auf eine Stimmung warten?",
                                 hits)[0].passage.id == "b"


def test_compound_parts_count_but_a_short_word_only_where_a_word_starts() -> None:
    r = Ranker(PASSAGES)
    assert r.overlap("Was kostet der Transport?", PASSAGES[2]) == 1.0  # in "Klaviertransport"
    assert r.overlap("your rate?", PASSAGES[3]) == 0.0  # not inside "corporate"
    assert r.overlap("your rate?", PASSAGES[4]) == 1.0
    dogs = Passage("f", "Ein Hund ist willkommen; Parken im Hof.", "Haustiere")
    assert Ranker([*PASSAGES, dogs]).overlap("Sind Hunde erlaubt?", dogs) > 0.0  # → "hund"
    assert Ranker([*PASSAGES, dogs]).overlap("Is there parking?", dogs) == 1.0  # → "park"


def test_kinds_and_questions_that_say_little() -> None:
    assert answer_kind("How much would that cost?") == "price"
    assert answer_kind("Wie lange dauert die Reparatur?") == "duration"
    assert answer_kind("Stimmen Sie auch Cembali?") == ""
    assert answer_kind("What are your office hours?") == "clock"
    assert answer_kind("Bis wann muss ich buchen?") == "when"
    assert answer_kind("Wie weit ist es bis zum Strand?") == "distance"
    assert answer_kind("Gibt es Sonderkonditionen für Vereine?") == "price"
    assert answer_kind("Ist die Anfahrt im Preis enthalten?") == ""  # yes or no
    assert answer_kind("Is the first consultation free of charge?") == ""
    assert says_little("Was würde so etwas ungefähr kosten?")
    assert says_little("Could you give us a rough price range?")
    assert not says_little("Was kostet ein Flügeltransport?")


def test_the_items_a_pointing_question_refers_to() -> None:
    listed = ("Hallo,\n\nwir bräuchten:\n\n- eine Stimmung\n- zwei neue Basssaiten\n\n"
              "Was würde das kosten?\n\nGrüße\nAnn")
    assert items_before(listed, "Was würde das kosten?") == ["eine Stimmung",
                                                             "zwei neue Basssaiten"]
    inline = ("Guten Tag,\n\nwir möchten alles erneuern: Logo, Visitenkarten und eine Website "
              "(die alte ist von 2014).\n\nWas würde das kosten?\n")
    assert items_before(inline, "Was würde das kosten?") == ["Logo", "Visitenkarten",
                                                             "eine Website"]
    assert items_before("Guten Tag,\n\nWas kostet eine Stimmung?\n", "Was kostet eine "
                        "Stimmung?") == []


def test_the_asking_clause_of_a_question_that_tells_a_story_first() -> None:
    assert focus("Wir ziehen im Januar nach Plagwitz in den zweiten Stock ohne Aufzug – was "
                 "würde der Umzug kosten?") == "Was würde der Umzug kosten?"
    assert focus("Unsere Versicherung verlangt einen Nachweis über den Wert, was nehmen Sie "
                 "für ein Gutachten?") == "Was nehmen Sie für ein Gutachten?"
    assert focus("Was kostet das Stimmen eines Flügels?") is None  # no story before it
    assert focus("We'd like the grand retuned during the break – what would you charge for "
                 "that?") is None  # the clause alone does not say what


def test_how_do_you_proceed_is_answered_with_the_first_steps_of_the_process() -> None:
    assert answer_kind("Wie gehen Sie bei so einem Projekt vor?") == "process"
    assert answer_kind("How does a restoration work?") == "process"
    steps = [Passage(f"ablauf.md#{n}", text, "Ablauf einer Restaurierung", "ablauf.md")
             for n, text in enumerate([
                 "Besichtigung: Wir sehen uns das Stück kostenlos an. Das dauert 30 Minuten.",
                 "Angebot: Sie bekommen es innerhalb von 3 Werktagen.",
                 "Auftrag: Mit Ihrer Unterschrift beginnt die Arbeit.",
                 "Abholung: Wir holen das Stück ab."])]
    found = _first_steps(steps[3], steps + PASSAGES)
    assert [p.text for p in found] == ["Besichtigung: Wir sehen uns das Stück kostenlos an.",
                                       "Angebot: Sie bekommen es innerhalb von 3 Werktagen.",
                                       "Auftrag: Mit Ihrer Unterschrift beginnt die Arbeit."]
    assert _first_steps(PASSAGES[0], PASSAGES) == ()  # not a process


def test_how_much_notice_opening_days_and_how_far_are_told_apart() -> None:
    assert answer_kind("Wie weit im Voraus müssen wir die Torte bestellen?") == "duration"
    assert answer_kind("How far in advance do we need to order?") == "duration"
    assert answer_kind("Reicht es, wenn ich die Gästezahl eine Woche vorher sage?") == "duration"
    assert answer_kind("Haben Sie samstags überhaupt auf?") == "clock"
    assert answer_kind("Liefern Sie auch bis nach Baunatal?") == "distance"
    assert answer_kind("How far is the flat from the beach?") == "distance"
    # whether it costs more is a yes or no, not a price list
    assert answer_kind("Gibt es das auch vegan, und ob das dann mehr kostet?") == ""


def test_an_indirect_question_is_also_searched_without_its_frame() -> None:
    assert unframed("We're also wondering whether the tasting is free.") == (
        "Whether the tasting is free.")
    assert unframed("Außerdem wüsste ich gern, ob es die Häppchen auch vegan gibt.") == (
        "Ob es die Häppchen auch vegan gibt.")
    assert unframed("Was kostet ein Blech Kuchen?") is None


def test_a_second_half_that_points_back_stays_with_the_first() -> None:
    assert split_compound("Do you also provide staff, and how is that charged?") == [
        "Do you also provide staff, and how is that charged?"]
    assert len(split_compound("How much is a tuning, and do you travel to Halle?")) == 2


def test_collecting_at_the_counter_asks_for_opening_hours_not_an_appointment() -> None:
    q = read_questions("Hello,\n\nWhat time in the morning can we collect it?\n\nBest,\nPriya\n")
    assert [x.wants_time for x in q] == [False]
    q = read_questions("Hallo,\n\nWann könnten Sie zum Aufmaß vorbeikommen?\n\nGrüße\n")
    assert [x.wants_time for x in q] == [True]


def test_a_paragraph_on_another_topic_does_not_join_the_answer() -> None:
    from agent.material import _pick

    delivery = Passage("d", "Outside Kassel we charge €1.20 per km.", "Delivery", "en.md",
                       block="Delivery in Kassel costs €25. Outside Kassel we charge €1.20 per km.")
    cancel = Passage("c", "Cancelling is free up to 14 days before.", "Cancellation", "en.md",
                     block="Cancelling is free up to 14 days before. After that we charge 50 %.")
    chosen, _ = _pick([PassageHit(delivery, 0.90), PassageHit(cancel, 0.895)], set())
    assert chosen == (delivery,)
    staff = Passage("s", "Service staff: €34 per hour.", "Staff", "en.md")
    hire = Passage("h", "Setting up the buffet is included.", "Equipment", "en.md")
    chosen, _ = _pick([PassageHit(staff, 0.90), PassageHit(hire, 0.895)], set())
    assert chosen == (staff, hire)  # two single sentences of one file still go together


def test_a_german_plural_with_umlaut_finds_its_singular() -> None:
    chair = Passage("a", "Stuhl komplett neu beziehen: ab 140 € pro Stuhl", "Polster")
    seat = Passage("b", "Sitzfläche neu beziehen: ab 65 € pro Sitz", "Polster")
    r = Ranker([chair, seat])
    assert r.overlap("Was kostet es, sechs Stühle neu zu beziehen?", chair) == 1.0
    assert r.overlap("Was kostet es, sechs Stühle neu zu beziehen?", seat) < 0.5


@pytest.mark.parametrize("ask", [
    "Wann passt es Ihnen, sich den Garten anzusehen?", "Ginge es am Donnerstagnachmittag?",
    "Haben Sie diese Woche noch einen Termin für mich?", "Können Sie zum Ausmessen kommen?",
    "Wann könnten Sie sich das Sofa einmal ansehen?", "Could we set up a time to talk?",
    "Could you come and measure the windows?", "Would Tuesday at 3 work?",
    "Can we book a first session in early January?", "Could you squeeze us in?"])
def test_more_ways_of_asking_for_a_time_with_the_owner(ask: str) -> None:
    assert read_questions(f"Hallo,\n\n{ask}\n\nGrüße\nTom\n")[0].wants_time


@pytest.mark.parametrize("ask", [
    "Was kostet ein Termin zum Ausmessen?", "Would that work with the old fabric?",
    "Haben Sie einen Termin für die Lieferung?", "Wie lange dauert ein Termin?"])
def test_questions_about_a_visit_or_that_merely_say_work_are_no_time_request(ask: str) -> None:
    assert not read_questions(f"Hallo,\n\n{ask}\n\nGrüße\nTom\n")[0].wants_time


def test_whether_a_date_range_is_free_is_answered_from_the_booked_nights() -> None:
    from datetime import UTC, date, datetime
    from typing import Any

    from agent.material import stay
    from agent.questions import Question
    from agent.scheduling.planner import Planner
    from core.config import load_config
    from core.ical.base import Busy

    class Source:
        writable = False

        def busy(self, start: datetime, end: datetime) -> list[Busy]:
            return [Busy(datetime(2027, 3, 8, 8, tzinfo=UTC), datetime(2027, 3, 8, 11, tzinfo=UTC)),
                    Busy(datetime(2027, 3, 12, 14, tzinfo=UTC),
                         datetime(2027, 3, 15, 9, tzinfo=UTC))]

    ws = load_config(FIXTURES / "drafts" / "workspace.yaml")
    source: Any = Source()
    planner = Planner(ws, source, lambda: datetime(2026, 12, 1, tzinfo=UTC))
    # an appointment during the day books no night; a stay books each night it covers
    assert planner.booked_nights(date(2027, 3, 3), date(2027, 3, 10)) == []
    assert planner.booked_nights(date(2027, 3, 10), date(2027, 3, 14)) == [
        date(2027, 3, 12), date(2027, 3, 13)]
    ref = date(2026, 12, 1)
    free = stay(Question("Ist die Wohnung vom 3. bis 10. März noch frei?"), ref, "de",
                planner.booked_nights)
    assert free == ("Vom 3. bis 10. März 2027 ist in meinem Kalender noch nichts "
                    "gebucht – der Zeitraum ist frei.")
    booked = stay(Question("Is the flat available from 10 to 14 March?"), ref, "en",
                  planner.booked_nights)
    assert "already (partly) booked" in booked
    assert stay(Question("Was kostet eine Woche vom 3. bis 10. März?"), ref, "de",
                planner.booked_nights) == ""  # a price question, not whether it is free


def test_a_caterers_capacity_for_a_date_range_is_not_answered_from_booked_nights() -> None:
    from datetime import date

    from agent.material import stay
    from agent.questions import Question

    q = Question("Haben Sie vom 7. bis 11. Dezember noch Kapazität frei?")
    assert stay(q, date(2026, 12, 1), "de", lambda a, b: []) == ""
