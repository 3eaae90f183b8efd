"""The owner's knowledge speaks of the owner; the reply the owner signs says "ich"/"I"
(issue 16: a draft signed by Tobias Lindner said "Tobias Lindner meldet sich innerhalb von
2 Werktagen bei Ihnen")."""

from __future__ import annotations

import pytest

from agent.person import first_person, owner_names

NAMES = owner_names("Miriam Sander")


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Miriam Sander kümmert sich persönlich darum und meldet sich innerhalb von zwei "
     "Werktagen.", "de",
     "Ich kümmere mich persönlich darum und melde mich innerhalb von zwei Werktagen."),
    ("Auf Wunsch vermittelt Miriam Sander eine Texterin.", "de",
     "Auf Wunsch vermittle ich eine Texterin."),
    ("Bitte nennen Sie Ihre Auftragsnummer; Miriam Sander meldet sich bei Ihnen.", "de",
     "Bitte nennen Sie Ihre Auftragsnummer; ich melde mich bei Ihnen."),
    ("Zuständig ist Frau Sander.", "de", "Zuständig bin ich."),
    ("Miriam Sander looks into it personally and comes back to you within two days.", "en",
     "I look into it personally and come back to you within two days."),
    ("Miriam handles invoices and reminders.", "en", "I handle invoices and reminders."),
])
def test_the_owner_in_the_third_person_becomes_i(text: str, language: str,
                                                 expected: str) -> None:
    assert first_person(text, NAMES, language) == expected


@pytest.mark.parametrize("text", [
    "Termine bei Miriam Sander gibt es montags.",  # not the subject
    "Kontakt: Miriam Sander, Tel. 0561 123",  # no verb
    "Miriam Sander öffnet die Backstube um 6 Uhr.",  # a verb form not risked
    "Miriam Sander nimmt sich Zeit für jede Frage.",  # a dative reflexive: "mir", not risked
])
def test_a_sentence_it_cannot_turn_safely_stays_as_written(text: str) -> None:
    assert first_person(text, NAMES, "de") == text


def test_a_complaint_reply_says_i_will_look_into_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import FIXTURES

    from agent.pipeline import triage
    from core.config import load_config
    from core.models import RawMessage
    from evals.sets import arrival
    from service.deps import default_deps

    folder = FIXTURES / "drafts-catering"
    ws = load_config(folder / "workspace.yaml").model_copy(update={"data_dir": tmp_path})
    data = (folder / "mails" / "04-reklamation-buffet-kalt.eml").read_bytes()
    now = [arrival(data)]
    o = triage(RawMessage(ref="04", data=data, received_at=now[0]),
               default_deps(ws, clock=lambda: now[0]))
    assert o.decision.draft is not None
    body = o.decision.draft.body
    assert "Ich kümmere mich persönlich darum und melde mich innerhalb von zwei Werktagen" in body
    assert "Miriam Sander kümmert" not in body
    assert body.rstrip().endswith("Ofenwerk Catering · Kassel")  # signed by her
