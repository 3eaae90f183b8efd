"""Parsing real-world shapes of mail, from clean to hostile."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, raw_of

from agent.parse.mime import parse_message
from core.config import Limits
from core.models import ParsedMessage


def parse(name: str, limits: Limits | None = None) -> ParsedMessage:
    return parse_message(raw_of(FIXTURES / "mail" / name), limits)


def test_missing_message_id_is_none() -> None:
    p = parse("no-message-id.eml")
    assert p.outer.message_id is None
    assert p.outer.sender is not None and p.outer.sender.email == "petra.klein@klein-events.de"
    assert "Logo-Redesign" in p.outer.body.new


def test_wrong_charset_label_still_reads_umlauts() -> None:
    p = parse("wrong-charset.eml")  # says us-ascii, is UTF-8
    assert "Leistungsübersicht" in p.outer.body.full
    assert p.outer.subject == "Rückfrage Rechnung"
    q = parse("latin1-labelled-utf8.eml")  # says utf-8, is Latin-1
    assert "hättest du nächste Woche" in q.outer.body.full


def test_unknown_charset_does_not_break() -> None:
    p = parse("unknown-charset.eml")
    assert "SVG" in p.outer.body.new


def test_raw_8bit_headers_are_decoded() -> None:
    p = parse("8bit-headers.eml")
    assert p.outer.sender is not None and p.outer.sender.name == "Björn Özdemir"
    assert p.outer.subject == "Grüße und eine Frage zur Rechnung"  # Latin-1 bytes in the header


def test_nested_multipart_prefers_plain_text_and_lists_attachments() -> None:
    p = parse("nested-multipart.eml")
    assert "RE-2026-4471 über 1.240,00 EUR" in p.outer.body.full
    assert not p.outer.body.from_html
    names = {a.filename: a for a in p.outer.attachments}
    assert names["RE-2026-4471.pdf"].content_type == "application/pdf"
    assert names["RE-2026-4471.pdf"].size > 20
    assert p.outer.html is not None  # the HTML twin is kept for display


def test_html_only_becomes_readable_text_without_scripts_or_comments() -> None:
    p = parse("html-only.eml")
    text = p.outer.body.full
    assert p.outer.body.from_html
    assert "Danke für deine Bestellung!" in text and "Papier A4, 500 Blatt" in text
    assert "alert" not in text and "tracking comment" not in text and "<" not in text
    assert p.outer.automation.automated


def test_calendar_part_is_recognised_with_its_method() -> None:
    p = parse("invitation.eml")
    methods = [c.method for c in p.outer.calendar]
    assert methods[0] == "REQUEST"
    assert "BEGIN:VEVENT" in p.outer.calendar[0].text
    assert any(a.filename == "invite.ics" for a in p.outer.attachments)


def test_thread_separates_new_text_from_quoted_history() -> None:
    p = parse("mbox-from-line-thread.eml")  # also starts with an mbox 'From ' line
    assert p.outer.sender is not None and p.outer.sender.email == "claudia@brenner-yoga.de"
    assert "Telefonnummer" in p.outer.body.new
    assert "Öffnungszeiten" not in p.outer.body.new
    assert "Öffnungszeiten" in p.outer.body.quoted
    assert "Claudia" in p.outer.body.signature
    assert p.outer.in_reply_to == "<thread-2@beispiel-design.de>"
    assert p.outer.references == ["<thread-1@brenner-yoga.de>", "<thread-2@beispiel-design.de>"]


def test_huge_part_count_is_flagged_not_fatal() -> None:
    p = parse("huge-part-count.eml", Limits(max_parts=500))
    assert "limit:parts" in p.flags
    assert len(p.outer.attachments) < 500
    assert "See the attached files." in p.outer.body.full


def test_deep_nesting_is_flagged_not_fatal() -> None:
    p = parse("deep-nesting.eml", Limits(max_depth=12))
    assert "limit:depth" in p.flags


def test_oversized_message_keeps_headers_and_is_flagged() -> None:
    p = parse("nested-multipart.eml", Limits(max_bytes=200))
    assert p.flags == ["limit:size"]
    assert p.outer.subject == "Ihre Rechnung RE-2026-4471"
    assert p.outer.body.full == ""


@pytest.mark.parametrize("path", sorted((FIXTURES / "cpython_email").iterdir()),
                         ids=lambda p: p.name)
def test_cpython_corpus_never_raises(path: Path) -> None:
    p = parse_message(raw_of(path))
    assert p.size == len(path.read_bytes().split(b"\n", 1)[-1]) or p.size <= path.stat().st_size
