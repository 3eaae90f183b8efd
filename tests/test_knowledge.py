"""The owner's knowledge: Markdown split into passages, kept in its own chroma collection,
rebuilt when a file changes, searched with the reply's language first."""

from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES

from agent.ranking import Ranker
from core.ports import Passage
from tools.embeddings import get_embedder
from tools.knowledge import KnowledgeBase, open_knowledge
from tools.markdown import KnowledgeFile, sentences, split

DEV = FIXTURES / "drafts" / "knowledge"


def test_markdown_becomes_passages_with_their_heading_and_language() -> None:
    text = ("# Preise\n\nAlle Preise inkl. MwSt. Wir rechnen z. B. nach Aufwand ab.\n\n"
            "## Logo\n\n- **Logo Kompakt: 850 €** – 2 Entwürfe\n- Logo: 1.450 €\n\n"
            "| Leistung | Preis |\n|---|---|\n| Flyer | 480 € |\n")
    passages = split(KnowledgeFile(Path("p.md"), "p.md", text, "de"))
    texts = [p.text for p in passages]
    assert texts == ["Alle Preise inkl. MwSt.", "Wir rechnen z. B. nach Aufwand ab.",
                     "Logo Kompakt: 850 € – 2 Entwürfe", "Logo: 1.450 €",
                     "Leistung: Flyer; Preis: 480 €"]
    assert [p.heading for p in passages] == ["Preise", "Preise", "Logo", "Logo", "Logo"]
    assert {p.language for p in passages} == {"de"}
    assert passages[0].block == "Alle Preise inkl. MwSt. Wir rechnen z. B. nach Aufwand ab."


def test_a_question_in_the_knowledge_goes_with_its_answer() -> None:
    text = ("# Häufige Fragen\n\n**Darf der Hund mit?**\n\nJa, für 10 € pro Nacht.\n\n"
            "Gibt es Parkplätze? Ja, zwei im Hof. Sie sind kostenlos.\n")
    passages = split(KnowledgeFile(Path("f.md"), "f.md", text, "de"))
    assert [(p.heading, p.text) for p in passages] == [
        ("Darf der Hund mit?", "Ja, für 10 € pro Nacht."),
        ("Häufige Fragen", "Gibt es Parkplätze? Ja, zwei im Hof."),
        ("Häufige Fragen", "Sie sind kostenlos.")]


def test_lines_under_one_another_are_items_and_wrapped_prose_is_not() -> None:
    text = ("# Preise\n\nSessel neu beziehen: ab 380 €\nSofa (3-Sitzer): ab 1.200 €\n"
            "Anfahrt: im Stadtgebiet kostenlos\n\nDer Stundensatz beträgt 95 € und gilt für "
            "alle\nArbeiten außerhalb der Pakete, 2 Runden sind\nenthalten.\n")
    assert [p.text for p in split(KnowledgeFile(Path("p.md"), "p.md", text, "de"))] == [
        "Sessel neu beziehen: ab 380 €", "Sofa (3-Sitzer): ab 1.200 €",
        "Anfahrt: im Stadtgebiet kostenlos",
        "Der Stundensatz beträgt 95 € und gilt für alle Arbeiten außerhalb der Pakete, "
        "2 Runden sind enthalten."]


def test_a_nested_heading_keeps_the_headings_above_it_as_context() -> None:
    from tools.markdown import embedding_text

    text = "# Polsterei\n\n## Sessel\n\n### Preise\n\n- Neu beziehen: ab 380 €\n"
    (p,) = split(KnowledgeFile(Path("p.md"), "p.md", text, "de"))
    assert (p.heading, p.context) == ("Preise", "Sessel")
    assert embedding_text(p) == "Sessel – Preise: Neu beziehen: ab 380 €"


def test_sentences_keep_ordinals_and_abbreviations_but_end_at_a_price() -> None:
    assert sentences("Bitte bis zum 3. Dezember buchen. Danach ca. 2 Wochen.") == [
        "Bitte bis zum 3. Dezember buchen.", "Danach ca. 2 Wochen."]
    assert sentences("Later cancellations cost €50. Repairs come with a warranty.") == [
        "Later cancellations cost €50.", "Repairs come with a warranty."]


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "wissen"
    folder.mkdir()
    for p in DEV.glob("*.md"):
        (folder / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def _best(kb: KnowledgeBase, question: str, language: str) -> Passage:
    """The passage a draft would answer from: the nearest by meaning, re-ranked."""
    hits = kb.search([question], language, 16)[0]
    return Ranker(kb.passages()).rank(question, hits)[0].passage


def test_search_finds_the_answer_in_the_replys_language_and_rebuilds_on_change(
        tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    kb = KnowledgeBase(folder, tmp_path / "data", get_embedder())
    assert "175 €" in _best(kb, "Was kostet es, einen Flügel stimmen zu lassen?", "de").text
    english = _best(kb, "How much is it to tune a grand piano?", "en")
    assert english.language == "en" and "€175" in english.text
    german_anyway = _best(kb, "How much is it to tune a grand piano?", "de")
    assert german_anyway.language == "de"  # the reply is German: German passages only

    (folder / "faq.md").write_text(
        "---\nlanguage: de\n---\n# FAQ\n\n## Parken\n\nParkplätze gibt es im Hof, kostenlos.\n",
        encoding="utf-8")
    assert "im Hof" in _best(kb, "Kann man bei Ihnen parken?", "de").text
    again = KnowledgeBase(folder, tmp_path / "data", get_embedder())  # a new process
    again.refresh()
    client_cols = again._open().list_collections()
    names = [c if isinstance(c, str) else c.name for c in client_cols]
    assert len([n for n in names if n.startswith("knowledge-")]) == 1  # the old one is gone
    assert "im Hof" in _best(again, "Kann man bei Ihnen parken?", "de").text


def test_no_folder_means_no_knowledge(tmp_path: Path) -> None:
    assert open_knowledge(None, tmp_path, get_embedder()) is None
