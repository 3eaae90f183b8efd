"""The recap a draft opens with reads like a person wrote it: each fact with what it is, in
the sender's words; no bare amounts, times or inflected fragments (issue 16)."""

from __future__ import annotations

from datetime import date

from agent.prompts import load_prompt
from agent.recap import read_facts, recap

REF = date(2026, 11, 24)


def _recap(text: str, language: str, scheduling: bool = False, elsewhere: str = "") -> list[str]:
    return recap(read_facts(text, REF, language), scheduling, elsewhere)


def test_each_fact_comes_with_what_it_is_in_german() -> None:
    text = ("Die Druckerei braucht die fertigen Daten bis spätestens Mittwoch, 25.11., sonst "
            "schaffen die das nicht mehr bis zur Eröffnung am 30.11.\n"
            "Dresdner Stollen: 1 kg kostet 18,90 € (steht noch 17,50 € drin). "
            "Öffnungszeiten: 12–20 Uhr.")
    assert _recap(text, "de") == ["Daten bis 25. November 2026",
                                  "Eröffnung am 30. November 2026", "1 kg zu 18,90 €"]


def test_a_reference_carries_its_date_and_amount_and_comes_first() -> None:
    text = ("Wir haben 3 Klaviere. Ihre Rechnung Nr. 2026-0412 vom 12.11.2026 über 145 € "
            "ist bis 30.11. zu zahlen.")
    assert _recap(text, "de")[:2] == ["Rechnung 2026-0412 vom 12. November 2026 über 145 €",
                                      "bis 30. November 2026"]


def test_no_inflected_fragment_no_bare_amount_no_count_of_snags() -> None:
    assert _recap("Wir sind ein kleiner Verein mit 38 Mitgliedern.", "de") == []
    assert _recap("Das kostet dann 17,50 € oder so.", "de") == []
    assert _recap("We hit two snags with the files.", "en") == []
    assert _recap("Ich bin um 09:30 Uhr im Büro.", "de") == []


def test_english_amounts_name_what_they_price_and_deadlines_their_cue() -> None:
    text = ("Ballpark 4,500 EUR net for design and layout. We need the invoice 2026-118 "
            "paid by 18 December.")
    assert _recap(text, "en") == ["invoice 2026-118", "by 18 December 2026",
                                  "4,500 EUR net for design and layout"]


def test_a_scheduling_draft_recaps_no_times_and_nothing_said_elsewhere() -> None:
    text = "Could we move Wednesday's call on 25 Nov at 3pm? Our invoice 2026-0412 is paid."
    assert _recap(text, "en", scheduling=True) == ["invoice 2026-0412"]
    assert _recap("Kinderpunsch 3,50 € bitte ergänzen.", "de",
                  elsewhere="Offen: „Kinderpunsch 3,50 €“ ergänzen") == []


def test_the_recap_reads_as_one_sentence() -> None:
    cases = (("de", ["Rechnung 2026-0412", "bis 30. November 2026"],
              "Ich habe mir notiert: Rechnung 2026-0412 und bis 30. November 2026."),
             ("en", ["invoice 2026-0412", "by 30 November 2026"],
              "I have noted: invoice 2026-0412 and by 30 November 2026."))
    for language, facts, line in cases:
        body = load_prompt(f"drafts/reply.{language}").render(
            greeting="Hallo,", du=False, kind="reply", category="invoice_payment",
            complaint=False, scheduling="", recap=facts, answers=[], slots="", open=[],
            next_step="", next_day="", signature="")
        assert line in body


def test_a_budget_keeps_its_hedge_and_a_pronoun_is_no_label() -> None:
    assert _recap("Unser Budget liegt bei etwa 2.000 €.", "de") == ["Budget von etwa 2.000 €"]
    assert _recap("Our budget is around £5,000 for the whole thing.", "en") == [
        "budget of around £5,000"]
    assert _recap("Das wären 500 € für Sie.", "de") == []


def test_a_date_is_named_by_the_senders_own_word_for_it() -> None:
    assert _recap("Mein Verlobter und ich heiraten am 12. Juni 2027 in der Orangerie.",
                  "de") == ["Hochzeit am 12. Juni 2027"]
    assert _recap("The food you delivered to our office on 27 November (order 4471) was "
                  "cold.", "en") == ["order 4471", "delivery on 27 November 2026"]


def test_a_date_without_a_word_for_it_keeps_the_senders_cue_but_not_beside_slots() -> None:
    text = "Sie waren am Mittwoch, 12.11. bei uns, wir haben immerhin 145 € bezahlt."
    assert _recap(text, "de") == ["am 12. November 2026", "145 € bezahlt"]
    assert _recap(text, "de", scheduling=True) == ["145 € bezahlt"]


def test_a_breakdown_in_brackets_is_not_counted_again() -> None:
    text = "Wir hätten gern fünf weitere Titel (drei Romane, zwei Sachbücher) und 2 Plakate."
    assert _recap(text, "de") == ["fünf weitere Titel", "2 Plakate"]


def test_a_measure_or_time_is_said_with_what_it_measures_or_starts() -> None:
    assert _recap("Die Rasenfläche von ca. 120 m² muss neu, das Konzert um 19 Uhr.", "de") == [
        "Rasenfläche von ca. 120 m²", "Konzert um 19:00 Uhr"]
    assert _recap("We have a 40 m² patio. It is 15 km outside Kassel.", "en") == [
        "40 m² patio"]
