"""Every prompt file renders; templates refuse unknown and missing variables."""

from __future__ import annotations

import pytest

from agent.prompts import PromptError, all_prompt_names, load_prompt, load_table

SAMPLE = {
    "greeting": "Hallo Max,", "kind": "draft", "topic": "Angebot", "signature": "Anna",
    "owner_name": "Anna Beispiel", "extra": {"slots": "Di, 1.12., 10:00–11:00"},
    "facts": {"informal": True, "dates": ["3.12.2026"], "amounts": ["120 €"],
              "invoice_numbers": ["R-1"], "deadline": "", "first_name": "Max",
              "full_name": "Max Muster"},
    "first_name": "Max", "full_name": "Max Muster", "informal": False,
    "company": "Beispiel Design", "language": "de", "categories": {"spam": "scams"},
    "headers": "From: max@example.de", "body": "Hallo", "attachments": "", "context": "",
    "accepted": True, "summary": "Workshop", "when": "Dienstag, 8. Dezember, 10:00–12:00 Uhr",
    # notices to the owner (prompts/notify/)
    "owner": "Anna", "warning": "Achtung: neue Bankverbindung", "sender": "Max <max@x.de>",
    "subject": "Neue Bankverbindung", "received": "01.12.2026, 09:00 Uhr",
    "explanation": "Eingeordnet als Rechnung.", "link": "http://127.0.0.1:8000/messages/1",
    "to": "max@x.de", "day": "01.12.2026", "drafts": 2, "failed": 1,
    "items": [{"sender": "Max", "subject": "Frage", "explanation": "Sonstiges.",
               "link": "http://127.0.0.1:8000/messages/2"}],
    "du": False, "mode": "propose", "slots": "– Di, 1.12., 10:00–11:00", "asked": "Di, 1.12.",
    "problem": "busy", "dates": "3.12.2026", "category": "customer_inquiry", "complaint": False,
    "scheduling": "", "recap": ["Rechnung R-1"], "answers": ["Ein Logo kostet 850 €."],
    "open": ["Haben Sie im Januar Zeit?"], "next_step": "", "next_day": "Montag",
    "marker": "Offen für Sie:", "material": "Greeting line to open with: Hallo Max,",
    # tasks offered to assistants (prompts/tasks/) and task notices
    "assistant": "Lena", "title": "Rechnung R-1 nachfassen", "why": "Rechnungen, Deutsch",
    "due": "04.12.2026, 17:00 Uhr", "priority": "normal", "expires": "02.12.2026, 11:00 Uhr",
    "date": "01.12.2026, 09:00 Uhr", "text": "Hallo, die Rechnung ist offen.",
    "note": "Bitte freundlich.", "accept": "http://127.0.0.1:8000/t/abc?do=accept",
    "decline": "http://127.0.0.1:8000/t/abc?do=decline",
    "complete": "http://127.0.0.1:8000/t/abc?do=complete",
    "api": "http://127.0.0.1:8000/api/v1/tasks/1",
    # chains and teams
    "by": "Lena Vogt", "helper": "Jonas", "outcome": "ist erledigt",
    "result": "Nummern abgeglichen, zwei fehlen.", "team": "Messe 2027",
    "tasks": [{"title": "Standplan", "assistant": "Lena",
               "link": "http://127.0.0.1:8000/messages/3"}],
}


@pytest.mark.parametrize("name", all_prompt_names())
def test_every_prompt_renders(name: str) -> None:
    prompt = load_prompt(name)
    text = prompt.render(**{k: SAMPLE[k] for k in prompt.variables})
    assert text.strip()
    assert "{{" not in text and "{%" not in text
    assert prompt.id.endswith(f"@v{prompt.version}")


def test_unknown_or_missing_variables_are_refused() -> None:
    prompt = load_prompt("drafts/reply.de")
    values = {k: SAMPLE[k] for k in prompt.variables}
    with pytest.raises(PromptError, match="unknown"):
        prompt.render(**values, surprise=1)
    values.pop("greeting")
    with pytest.raises(PromptError, match="missing"):
        prompt.render(**values)


def test_tables_have_versions_and_both_languages_match() -> None:
    de, en = load_table("explanations/de"), load_table("explanations/en")
    assert de["version"] >= 1 and en["version"] >= 1
    for key in ("categories", "actions", "risks", "sources", "reasons"):
        assert set(de[key]) == set(en[key]), key


def _keys(table: object, prefix: str = "") -> set[str]:
    if not isinstance(table, dict):
        return {prefix}
    return {k for key, value in table.items() for k in _keys(value, f"{prefix}.{key}")}


def test_the_ui_catalogues_have_the_same_words_in_both_languages() -> None:
    assert _keys(load_table("ui/de")) == _keys(load_table("ui/en"))
    warnings = load_table("notify/warnings")
    assert set(warnings["de"]) == set(warnings["en"])

@pytest.mark.parametrize("language", ["de", "en"])
def test_no_draft_template_leaves_a_bracket_in_any_mode(language: str) -> None:
    """CONTRACT §7 refuses to approve a body with a placeholder in square brackets."""
    modes = ["propose", "propose_other", "confirm", "picked", "conflict", "counter",
             "reschedule", "no_slot", "cancel", "unclear", ""]
    sched = load_prompt(f"drafts/scheduling.{language}")
    reply = load_prompt(f"drafts/reply.{language}")
    for mode in modes:
        for slots in ("", "– Di, 1.12., 10:00–11:00"):
            for kind in ("auto", "draft"):
                block = sched.render(du=True, kind=kind, mode=mode, slots=slots, asked="Di",
                                     problem="busy", dates="3.12.")
                for category in ("scheduling", "support", "customer_inquiry", "other"):
                    text = reply.render(**{**{k: SAMPLE[k] for k in reply.variables},
                                           "scheduling": block.strip(), "kind": kind,
                                           "category": category, "complaint": True})
                    assert "[" not in text and "]" not in text, (mode, slots, kind)
