"""Routing as the owner notices it: the person whose skills fit gets the task; who fits but
cannot take it (language, away that day, capacity) is named; nobody fits → the owner hears.
Mails and rosters are the dev rosters under tests/fixtures/routing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import FIXTURES

from agent.pipeline import Deps, triage
from agent.priority import priority_of
from agent.routing import skill_phrases
from core.config import Assistant, ConfigError, Workspace, load_config
from core.models import Action, Category, Classification, MessageView, RawMessage, TriageOutcome
from service.deps import default_deps

ROSTERS = FIXTURES / "routing"
DURING = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)  # Frank (bookkeeping) is away 7–18 Dec
AFTER = datetime(2026, 12, 21, 9, 0, tzinfo=UTC)


class Fixed:
    """The category as given (routing is tested apart from the classifier)."""

    def __init__(self) -> None:
        self.category = Category.other

    def classify(self, view: MessageView) -> Classification:
        return Classification(category=self.category, confidence=0.95, decided_by="test",
                              priority=priority_of(view, self.category))


Route = Callable[..., TriageOutcome]


def router_for(roster: str, loads: dict[str, int] | None = None) -> Route:
    ws = load_config(ROSTERS / roster / "workspace.yaml")
    fixed = Fixed()
    deps: Deps = default_deps(ws, classifier=fixed, load=lambda a: (loads or {}).get(a, 0),
                              clock=lambda: DURING)

    def route(name: str, category: Category, received: datetime = DURING) -> TriageOutcome:
        fixed.category = category
        data = (ROSTERS / roster / "mails" / name).read_bytes()
        return triage(RawMessage(ref=name, data=data, received_at=received), deps)

    return route


@pytest.fixture(scope="module")
def agency() -> Route:
    return router_for("agentur-nordlicht")


def test_the_assistant_whose_phrase_fits_gets_it_and_the_phrase_is_named(agency: Route) -> None:
    out = agency("03-toner-papier.eml", Category.admin)
    assert out.decision.action is Action.route and out.decision.assignee == "david"
    assert "David Roth" in out.explanation and "„Büromaterial bestellen“" in out.explanation


def test_the_same_work_in_another_language_goes_to_who_reads_it(agency: Route) -> None:
    english = agency("01-skincare-instagram-collab.eml", Category.social_media)
    german = agency("02-instagram-kooperation-baeckerei.eml", Category.social_media)
    assert (english.decision.assignee, german.decision.assignee) == ("ben", "anna")


def test_someone_away_that_day_is_skipped_and_named(agency: Route) -> None:
    out = agency("07-druckerei-rechnung.eml", Category.invoice_payment)
    assert out.decision.action is Action.notify and out.decision.assignee is None
    assert "Frank ist bis 18.12. abwesend" in out.explanation
    back = agency("07-druckerei-rechnung.eml", Category.invoice_payment, received=AFTER)
    assert back.decision.assignee == "frank"


def test_who_fits_but_reads_no_english_is_named() -> None:
    out = router_for("tischlerei-holzweg")("03-danish-hinges-invoice.eml",
                                           Category.invoice_payment)
    assert out.decision.action is Action.notify
    assert "Petra liest kein Englisch" in out.explanation
    assert [p.type for p in out.decision.planned_actions] == ["notify_owner"]


def test_who_fits_but_has_no_capacity_is_named() -> None:
    out = router_for("linguabruecke")("10-hotel-dolmetscher-berlin.eml", Category.admin)
    assert out.decision.action is Action.notify
    assert "Tom hat keine Kapazität frei" in out.explanation


def test_work_nobody_has_skills_for_goes_to_the_owner() -> None:
    out = router_for("linguabruecke")("18-bueromoebel-bestellen.eml", Category.admin)
    assert out.decision.action is Action.notify and out.decision.reason == "r6_no_skills"
    assert "Niemand im Team hat Fähigkeiten" in out.explanation


def test_equal_fits_go_to_the_least_loaded() -> None:
    ws = load_config(ROSTERS / "yoga-luna" / "workspace.yaml")
    twin = ws.assistants[1].model_copy(update={"id": "ali2", "name": "Aylin Kaya",
                                               "email": "aylin@kaya.example"})
    ws2 = ws.model_copy(update={"assistants": [*ws.assistants, twin]})
    for busy, free in (("ali", "ali2"), ("ali2", "ali")):
        fixed = Fixed()
        fixed.category = Category.invoice_payment
        deps = default_deps(ws2, classifier=fixed, load=lambda a, b=busy: 3 if a == b else 0,
                            clock=lambda: DURING)
        data = (ROSTERS / "yoga-luna" / "mails" / "04-firmenyoga-rechnung.eml").read_bytes()
        out = triage(RawMessage(ref="x", data=data, received_at=DURING), deps)
        assert out.decision.assignee == free


def test_skills_are_read_as_phrases() -> None:
    a = Assistant(id="x", name="X", email="x@x.example", languages=["de", "en"],
                  skills="Buchhaltung: Rechnungen, Mahnungen und Zahlungen; Reisen buchen\n"
                         "Website (WordPress, Shopify) & Newsletter")
    assert [p.text for p in skill_phrases(a)] == [
        "Buchhaltung", "Rechnungen", "Mahnungen", "Zahlungen", "Reisen buchen", "Website",
        "Newsletter", "WordPress", "Shopify"]


def test_a_phrase_that_names_a_language_is_for_mail_in_it() -> None:
    a = Assistant(id="x", name="X", email="x@x.example", languages=["de", "en"],
                  skills="Social Media auf Deutsch: Instagram, TikTok; English press releases")
    limits = {p.text: set(p.languages) for p in skill_phrases(a)}
    assert limits == {"Social Media auf Deutsch": {"de"}, "Instagram": {"de"},
                      "TikTok": {"de"}, "English press releases": {"en"}}


def test_away_and_working_hours_are_checked_in_the_config(tmp_path: Path) -> None:
    base = ("owner: {name: A, email: a@example.de}\nassistants:\n"
            "  - {id: lena, name: Lena, email: lena@example.de, languages: [de], "
            "skills: Buchhaltung, %s}\n")
    good = tmp_path / "good.yaml"
    good.write_text(base % 'away: [{from: 2026-12-07, to: 2026-12-18}], '
                           'working_hours: "Mo-Do 08:00-14:00"', encoding="utf-8")
    ws: Workspace = load_config(good)
    lena = ws.assistants[0]
    assert lena.away_on(datetime(2026, 12, 18).date()) is not None  # inclusive
    assert lena.away_on(datetime(2026, 12, 19).date()) is None
    for bad, where in (('away: [{from: 2026-12-18, to: 2026-12-07}]', "away"),
                       ('working_hours: "whenever"', "working_hours")):
        path = tmp_path / "bad.yaml"
        path.write_text(base % bad, encoding="utf-8")
        with pytest.raises(ConfigError, match=where):
            load_config(path)


_DESK = """\
owner: {name: Ines Brandt, email: ines@brandt-reisen.de, agent_email: assistenz@brandt-reisen.de,
        languages: [de, en]}
assistants:
  - {id: olga, name: Olga Krause, email: olga@krause.example, languages: [de],
     skills: "Buchhaltung: Rechnungen schreiben, Zahlungen prüfen"}
  - {id: marco, name: Marco Ricci, email: marco@ricci.example, languages: [it, de],
     skills: "Korrespondenz mit italienischen Gästen; Busfahrten planen"}
delegation: {invoice_payment: route, admin: route}
"""


def _mail(subject: str, body: str) -> bytes:
    return (f"From: Giulia Conti <giulia@conti-viaggi.example>\r\nTo: assistenz@brandt-reisen.de"
            f"\r\nSubject: {subject}\r\nDate: Wed, 09 Dec 2026 09:00:00 +0100\r\n"
            "Message-ID: <desk-1@conti-viaggi.example>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode()


def test_mail_in_a_language_only_one_assistant_reads_goes_to_who_is_there_for_it(
        tmp_path: Path) -> None:
    """The bookkeeper reads no Italian; the assistant whose skills name Italian guests gets
    the Italian invoice question, and the explanation says why the bookkeeper did not."""
    path = tmp_path / "workspace.yaml"
    path.write_text(_DESK, encoding="utf-8")
    fixed = Fixed()
    fixed.category = Category.invoice_payment
    deps = default_deps(load_config(path), classifier=fixed, load=lambda _a: 0,
                        clock=lambda: DURING)
    data = _mail("Fattura per il viaggio di gruppo",
                 "Buongiorno,\nvi chiedo gentilmente di inviarmi di nuovo la fattura per il "
                 "viaggio di gruppo a Dresda di ottobre: nella prima copia manca la nostra "
                 "partita IVA. Potete correggerla?\nGrazie mille e cordiali saluti,\n"
                 "Giulia Conti\nConti Viaggi")
    out = triage(RawMessage(ref="it", data=data, received_at=DURING), deps)
    assert out.view.language == "it"
    assert out.decision.action is Action.route and out.decision.assignee == "marco"
    assert "Olga liest kein Italienisch" in out.explanation
    assert "„Korrespondenz mit italienischen Gästen“" in out.explanation


def test_only_a_phrase_about_who_writes_makes_someone_the_one_for_a_language() -> None:
    a = Assistant(id="x", name="X", email="x@x.example", languages=["de", "en", "es"],
                  skills="Spanish-speaking clients; English press releases; "
                         "Anfragen auf Französisch")
    desks = {p.text: p.desk for p in skill_phrases(a)}
    assert desks == {"Spanish-speaking clients": True, "English press releases": False,
                     "Anfragen auf Französisch": True}
