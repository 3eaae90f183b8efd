"""Learning from her edits: a reply she edited and approved is the starting point of the
next draft for a similar mail (same category and language, nearest by embedding), with
the new mail's facts in place of the old ones, and the explanation says so. A different
kind of mail, another language, or a reply she took back (undo) do not use it."""

from __future__ import annotations

from pathlib import Path

import pytest
from clocks import FIXED_NOW
from mailservers import ScriptedClassifier

from agent.pipeline import Deps
from api.views import message_detail
from core.config import Workspace
from core.models import RawMessage
from service import review
from service.deps import default_deps
from service.runner import open_store, process_pending
from tools.store import Store
from tools.store.review import Edits


def complaint(n: int, name: str, what: str, invoice: str, amount: str, by: str,
              lang: str = "de") -> bytes:
    if lang == "en":
        text = (f"Hello Anna,\r\n\r\nthe {what} from invoice {invoice} ({amount}) arrived "
                f"with the wrong colours. Please reprint them by {by}.\r\n\r\nBest\r\n{name}")
    else:
        text = (f"Hallo Frau Beispiel,\r\n\r\ndie {what} aus der Rechnung Nr. {invoice} über "
                f"{amount} sind leider falsch gedruckt, die Farben stimmen nicht. Bitte drucken "
                f"Sie sie bis {by} neu.\r\n\r\nViele Grüße\r\n{name}")
    return (f"From: {name} <kunde{n}@kunden-beispiel.de>\r\nTo: assistenz@beispiel-design.de\r\n"
            f"Subject: Reklamation {what}\r\nMessage-ID: <learn-{n}@kunden-beispiel.de>\r\n"
            "Date: Fri, 27 Nov 2026 08:00:00 +0100\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
            f"\r\n{text}\r\n").encode()


HER_TEXT = ("Guten Tag Frau Brandt,\n\nes tut mir leid, dass die Visitenkarten zur Rechnung "
            "R-2026-041 über 120,00 € falsch gedruckt sind. Ich drucke sie kostenlos neu und "
            "schicke sie bis 3.12.2026 los.\n\nViele Grüße\nAnna Beispiel")


@pytest.fixture
def store(ws: Workspace, tmp_path: Path) -> Store:
    ws2 = ws.model_copy(update={"database": f"sqlite:///{tmp_path / 'learn.db'}"})
    return open_store(ws2, lambda: FIXED_NOW)


@pytest.fixture
def deps(ws: Workspace, store: Store) -> Deps:
    return default_deps(ws, classifier=ScriptedClassifier(), load=store.tasks.open_tasks,
                        clock=lambda: FIXED_NOW, learn_from=store.db)


def triage(store: Store, deps: Deps, n: int, data: bytes) -> dict[str, object]:
    store.messages.store_raw(RawMessage(ref=str(n), data=data, source="t", source_key=str(n)))
    process_pending(store, deps)
    [draft] = [d for d in store.review.drafts("pending")
               if d["message_id"] == f"<learn-{n}@kunden-beispiel.de>"]
    return draft


def explanation(store: Store, draft: dict[str, object]) -> str:
    message = draft["message"]
    assert isinstance(message, int)
    found = message_detail(store, message)
    assert found is not None and found.decision is not None
    return str(found.decision["explanation"])


def test_a_similar_mail_starts_from_her_approved_wording(ws: Workspace, store: Store,
                                                         deps: Deps) -> None:
    first = triage(store, deps, 1, complaint(1, "Petra Brandt", "Visitenkarten", "R-2026-041",
                                             "120,00 €", "3.12.2026"))
    assert "kostenlos neu" not in str(first["body"])  # the template
    review.approve(store, ws, int(str(first["id"])), Edits(body=HER_TEXT))

    second = triage(store, deps, 2, complaint(2, "Max Muster", "Visitenkarten", "R-2026-077",
                                              "85,50 €", "10.12.2026"))
    body = str(second["body"])
    opening = body.splitlines()[0]  # the new sender's greeting, as the drafter writes it
    assert "Muster" in opening and opening.endswith(",") and "Petra" not in opening
    assert "kostenlos neu" in body  # her wording
    assert "R-2026-077" in body and "85,50 €" in body and "10.12.2026" in body
    for old in ("Brandt", "Petra", "R-2026-041", "120,00", "3.12.2026"):
        assert old not in body, old
    why = explanation(store, second)
    assert "nach Ihrer Antwort an Petra Brandt vom 27.11.2026" in why


def test_a_missing_fact_becomes_a_placeholder_that_blocks_sending(
        ws: Workspace, store: Store, deps: Deps) -> None:
    first = triage(store, deps, 1, complaint(1, "Petra Brandt", "Visitenkarten", "R-2026-041",
                                             "120,00 €", "3.12.2026"))
    review.approve(store, ws, int(str(first["id"])), Edits(body=HER_TEXT))
    data = complaint(3, "Max Muster", "Visitenkarten", "R-2026-077", "85,50 €", "3.12.2026")
    data = data.replace(" über 85,50 €".encode(), b"")
    third = triage(store, deps, 3, data)
    body = str(third["body"])
    assert "[Betrag]" in body and "120,00" not in body and "kostenlos neu" in body
    with pytest.raises(review.ReviewError) as err:
        review.approve(store, ws, int(str(third["id"])), Edits())
    assert err.value.status == 422 and err.value.placeholders == ("[Betrag]",)


def test_other_mail_another_language_or_an_undone_reply_do_not_use_it(
        ws: Workspace, store: Store, deps: Deps) -> None:
    first = triage(store, deps, 1, complaint(1, "Petra Brandt", "Visitenkarten", "R-2026-041",
                                             "120,00 €", "3.12.2026"))
    review.approve(store, ws, int(str(first["id"])), Edits(body=HER_TEXT))
    english = triage(store, deps, 4, complaint(4, "Emily Hart", "business cards", "R-2026-090",
                                               "€ 99.00", "10 December 2026", lang="en"))
    assert "kostenlos" not in str(english["body"])
    other = (b"From: Jonas Weber <jonas@kunden-beispiel.de>\r\nTo: assistenz@beispiel-design.de"
             b"\r\nSubject: Reklamation Webseite\r\nMessage-ID: <learn-5@kunden-beispiel.de>\r\n"
             b"Date: Fri, 27 Nov 2026 08:00:00 +0100\r\nContent-Type: text/plain; "
             b"charset=utf-8\r\n\r\nHallo, unser Kontaktformular auf der neuen Webseite "
             b"verschickt seit dem Update keine E-Mails mehr und das Impressum fehlt. "
             b"Bitte pruefen.\r\nJonas\r\n")
    assert "kostenlos" not in str(triage(store, deps, 5, other)["body"])
    review.undo(store, int(str(first["id"])))
    again = triage(store, deps, 6, complaint(6, "Max Muster", "Visitenkarten", "R-2026-077",
                                             "85,50 €", "10.12.2026"))
    assert "kostenlos" not in str(again["body"])
