"""The review UI in a real browser (Debian's Chromium through Playwright) against a real
`assistenz serve` with a Maildir and an SMTP receiver: log in; the queue puts the risk
first; edit a draft, approve it, and the receiver gets exactly one mail with the edited
text; an undo inside the window sends nothing; placeholders block sending; a correction
changes the explanation and the task on the page; a team for a job formed and dissolved on
the Teams page; bulk actions and the keyboard; no
horizontal scroll at phone width; and an XSS corpus of 45 mails (tests/fixtures/xss/, one
vector each) that runs no script and makes no request to any other host — every request
the browser makes is routed, recorded and, unless it goes to loopback, aborted.

One browser and one `serve` for the module; each test has its own browser context."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browserkit import Guard, World, launch, log_in, new_context, world
from mailservers import SmtpReceiver

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).resolve().parent / "fixtures"
XSS = sorted((FIXTURES / "xss").glob("*.eml"))
UNDO = 5  # seconds; long enough for a click, short for the test
CODES = re.compile(r"\b(customer_inquiry|invoice_payment|social_media|notify_owner|route_task|"
                   r"send_email|r2-risk|risk:\w+|processed|pending|None)\b")


def complaint(n: int, what: str) -> bytes:
    return (f"From: Kundin {n} <kundin{n}@kunden-beispiel.de>\r\n"
            "To: assistenz@beispiel-design.de\r\n"
            f"Subject: Reklamation {what}\r\nMessage-ID: <rekl-{n}@kunden-beispiel.de>\r\n"
            f"Date: Tue, 01 Dec 2026 08:{10 + n}:00 +0100\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            f"Hallo Frau Beispiel,\r\n\r\ndie {what} sind leider falsch gedruckt, bitte "
            "korrigieren.\r\n\r\nViele Grüße\r\nKundin\r\n").encode()


BANK = ("From: Buchhaltung Druckerei Hansen <buchhaltung@druckerei-hansen.de>\r\n"
        "To: assistenz@beispiel-design.de\r\nSubject: Neue Bankverbindung\r\n"
        "Message-ID: <bank-1@druckerei-hansen.de>\r\nDate: Tue, 01 Dec 2026 07:00:00 +0100\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Sehr geehrte Damen und Herren,\r\n\r\nbitte überweisen Sie künftig alle Rechnungen "
        "auf unser neues Konto: IBAN DE89 3704 0044 0532 0130 00.\r\n\r\nMit freundlichen "
        "Grüßen\r\nBuchhaltung\r\n").encode()

INVOICE = ("From: Druckerei Hansen <rechnung@druckerei-hansen.de>\r\n"
           "To: assistenz@beispiel-design.de\r\nSubject: Rechnung 2026-118 für Flyerdruck\r\n"
           "Message-ID: <inv-118@druckerei-hansen.de>\r\nDate: Tue, 01 Dec 2026 06:30:00 +0100\r\n"
           "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
           "Guten Tag,\r\n\r\nanbei unsere Rechnung Nr. 2026-118 über 480,00 EUR für den "
           "Flyerdruck, zahlbar bis 15.12.2026 auf das bekannte Konto.\r\n\r\nMit freundlichen "
           "Grüßen\r\nDruckerei Hansen\r\n").encode()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    mails = [complaint(1, "Visitenkarten"), complaint(2, "Flyer"), complaint(3, "Plakate"),
             complaint(4, "Aufkleber"), complaint(5, "Banner"), BANK, INVOICE,
             *(p.read_bytes() for p in XSS)]
    with world(tmp_path_factory.mktemp("browser"), mails, undo_seconds=UNDO) as w:
        yield w


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def guard() -> Guard:
    return Guard()


@pytest.fixture
def page(browser: Any, served: World, guard: Guard) -> Iterator[Any]:
    context = new_context(browser, served.base, guard, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    log_in(pg)
    yield pg
    context.close()
    assert guard.clean(), guard.report()


def message_ids(page: Any) -> dict[str, int]:
    """Message-ID header → the stored message's id (through the API, in the session)."""
    return {m["message_id"]: m["id"] for m in page.request.get("/api/v1/messages").json()}


def open_message(page: Any, header: str) -> None:
    page.goto(f"/messages/{message_ids(page)[header]}")


def received(smtp: SmtpReceiver, subject: str) -> list[Any]:
    with smtp.lock:
        return [r for r in smtp.received if str(r.message["Subject"]) == subject]


def wait_until(check: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return bool(check())


def no_codes(page: Any) -> None:
    text = page.locator("body").inner_text()
    assert not CODES.search(text), CODES.search(text)


def test_the_queue_starts_with_the_risk_and_speaks_german(page: Any) -> None:
    kinds = page.locator("[data-item] .kind").all_inner_texts()
    risks = kinds.count("ACHTUNG")
    assert risks >= 1 and kinds[:risks] == ["ACHTUNG"] * risks  # risks first
    assert "ENTWURF ZUR FREIGABE" in kinds
    bank = page.locator("[data-item]", has_text="Neue Bankverbindung")
    assert "ACHTUNG" in bank.inner_text()
    assert "Achtung: neue Bankverbindung — telefonisch prüfen" in bank.inner_text()
    no_codes(page)
    page.goto("/messages")
    no_codes(page)
    assert page.locator("table.items thead").is_visible()


def test_edit_and_approve_sends_exactly_one_mail_with_the_edited_text(
        page: Any, served: World) -> None:
    open_message(page, "<rekl-1@kunden-beispiel.de>")
    body = page.locator("[data-body]")
    # a gap for her to fill ("[…]") blocks sending until it is gone
    body.fill(body.input_value() + "\n[Liefertermin]")
    assert page.locator("[data-approve]").is_disabled()
    assert page.locator("[data-gap]").count() >= 1
    # so does a line left for her: the recipient must not read "Offen für Sie: …"
    body.fill("Guten Tag,\n\nOffen für Sie: Können Sie bis Freitag neu drucken?\n")
    assert page.locator("[data-approve]").is_disabled()
    assert page.locator("[data-gap]").all_inner_texts() == [
        "Offen für Sie: Können Sie bis Freitag neu drucken?"]
    body.fill("Guten Tag,\n\ndas tut mir leid – ich drucke die Karten bis Freitag neu.\n\n"
              "Viele Grüße\nAnna Beispiel")
    assert page.locator("[data-approve]").is_enabled()
    page.click("[data-approve]")
    page.locator("[data-undo]").wait_for()
    assert "Wird in" in page.locator("[data-countdown]").inner_text()
    subject = "AW: Reklamation Visitenkarten"
    assert wait_until(lambda: len(received(served.smtp, subject)) == 1, UNDO + 20)
    time.sleep(1.5)  # nothing else follows
    [got] = received(served.smtp, subject)
    assert got.rcpt_tos == ["kundin1@kunden-beispiel.de"]
    assert "bis Freitag neu" in got.message.get_content()
    page.locator("[data-sent]").wait_for(timeout=15000)
    assert "gesendet" in page.locator("[data-sent]").inner_text()
    assert page.locator(".chip.mine", has_text="von Ihnen bearbeitet").count() == 1


def test_undo_within_the_window_sends_nothing(page: Any, served: World) -> None:
    open_message(page, "<rekl-2@kunden-beispiel.de>")
    page.locator("[data-body]").fill("Guten Tag,\n\ndas korrigiere ich sofort.\n")
    page.click("[data-approve]")
    page.click("[data-undo]")
    page.locator("[data-draft-form]").wait_for()  # back to an editable draft
    assert "wartet auf Freigabe" in page.locator("[data-draft-card]").inner_text()
    time.sleep(UNDO + 3)
    assert received(served.smtp, "AW: Reklamation Flyer") == []


def test_discard_with_a_reason(page: Any, served: World) -> None:
    open_message(page, "<rekl-3@kunden-beispiel.de>")
    page.click("[data-reject-open]")
    page.fill("[data-reject] input", "kläre ich am Telefon")
    page.click("[data-reject-confirm]")
    card = page.locator("[data-draft-card]")
    card.filter(has_text="verworfen").wait_for()
    assert "kläre ich am Telefon" in card.inner_text()
    assert received(served.smtp, "AW: Reklamation Plakate") == []


def test_a_correction_changes_explanation_and_task_on_the_page(page: Any) -> None:
    open_message(page, "<inv-118@druckerei-hansen.de>")
    before = page.locator("[data-explanation]").inner_text()
    page.select_option("[data-correct] select[name=action]", "route")
    page.select_option("[data-correct] select[name=assignee]", "tom")
    page.click("[data-correct] button[type=submit]")
    page.locator("[data-corrected]").wait_for(timeout=60000)
    after = page.locator("[data-explanation]").inner_text()
    assert after != before and "Tom Fischer" in after
    tasks = page.locator("[data-tasks]").inner_text()
    assert "Tom Fischer" in tasks
    assert "Aufgabe an Tom Fischer geben" in page.locator("[data-planned]").inner_text()
    assert page.locator("[data-correct] select[name=assignee]").input_value() == "tom"
    no_codes(page)


def test_bulk_done_and_the_keyboard(page: Any) -> None:
    page.keyboard.press("?")
    assert page.locator("#help").is_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    assert page.locator("[data-item].current").count() == 1
    before = page.locator("[data-item]").count()
    ids = message_ids(page)
    for header in ("<rekl-4@kunden-beispiel.de>", "<rekl-5@kunden-beispiel.de>"):
        page.check(f"[data-select][value='{ids[header]}']")
    page.click("[data-bulk=archive]")
    page.locator("#flash", has_text="2 erledigt").wait_for()
    assert page.locator("[data-item]").count() == before - 2
    assert page.locator(f"[data-message='{ids['<rekl-4@kunden-beispiel.de>']}']").count() == 0


def test_phone_width_has_no_horizontal_scroll(browser: Any, served: World,
                                              guard: Guard) -> None:
    context = new_context(browser, served.base, guard,
                          viewport={"width": 375, "height": 812}, is_mobile=True,
                          has_touch=True, device_scale_factor=2)
    page = context.new_page()
    log_in(page)
    ids = message_ids(page)
    for path in ("/", "/messages", f"/messages/{ids['<rekl-5@kunden-beispiel.de>']}",
                 f"/messages/{ids['<xss-35@angreifer.example>']}", "/tasks"):
        page.goto(path)
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], (path, width)
    page.goto("/messages")
    assert not page.locator("table.items thead").is_visible()  # cards, not a table
    context.close()
    assert guard.clean(), guard.report()


def test_the_xss_corpus_runs_nothing_and_reaches_no_other_host(page: Any,
                                                               guard: Guard) -> None:
    ids = message_ids(page)
    checked = 0
    for eml in XSS:
        n = int(eml.name[:2])
        page.goto(f"/messages/{ids[f'<xss-{n}@angreifer.example>']}")
        page.wait_for_load_state("load")
        frame = page.frame_locator("iframe.mail-frame")
        if page.locator("iframe.mail-frame").count():
            inside = frame.locator("body")
            assert f"Sichtbarer Text {n:02d}" in inside.inner_text(), eml.name
            dangerous = inside.locator("script, img, iframe, object, embed, svg, form, input, "
                                      "style, link, meta, base, video, audio, [style], "
                                      "[onerror], [onload], [onclick], [onmouseover]")
            assert dangerous.count() == 0, eml.name
            assert frame.locator("head script, head link, head base").count() == 0
            for href in frame.locator("a[href]").evaluate_all("as => as.map(a => a.href)"):
                assert href.startswith(("http:", "https:", "mailto:")), (eml.name, href)
            page.click("[data-tab=text]")
        assert page.locator("[data-pane=text]").is_visible()
        checked += 1
    for path in ("/", "/messages", "/messages?q=xss", "/tasks"):
        page.goto(path)
        page.wait_for_load_state("load")
    assert checked == len(XSS) >= 30
    assert guard.requests and guard.clean(), guard.report()


def test_hidden_text_shows_and_a_link_shows_where_it_leads(page: Any) -> None:
    ids = message_ids(page)
    page.goto(f"/messages/{ids['<xss-25@angreifer.example>']}")
    text = page.frame_locator("iframe.mail-frame").locator("body").inner_text()
    assert all(f"VERSTECKT-{w}" in text for w in ("EINS", "ZWEI", "DREI", "VIER"))
    page.goto(f"/messages/{ids['<xss-35@angreifer.example>']}")
    text = page.frame_locator("iframe.mail-frame").locator("body").inner_text()
    assert "→ login-microsoft-verify.evil.example" in text
    assert "Klick mich → bank.evil.example" in text


def test_attachments_download_with_a_safe_name_only_when_logged_in(page: Any,
                                                                   served: World) -> None:
    ids = message_ids(page)
    page.goto(f"/messages/{ids['<xss-40@angreifer.example>']}")
    links = page.locator("ul.files a")
    assert links.count() == 2
    names = links.all_inner_texts()
    assert all("/" not in n and "<" not in n for n in names), names
    with page.expect_download() as info:
        links.nth(1).click()
    assert info.value.suggested_filename == "passwd"
    href = links.nth(0).get_attribute("href")
    r = page.request.get(href)
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.headers["content-type"] == "application/octet-stream"
    import httpx

    anonymous = httpx.get(served.base + str(href), follow_redirects=False)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]


def test_a_team_is_formed_and_dissolved_on_the_teams_page(page: Any) -> None:
    from datetime import date, timedelta

    page.goto("/teams")
    form = page.locator("[data-team-form]")
    form.locator("input[name=name]").fill("Messe 2027")
    form.locator("input[name=id]").fill("messe-2027")
    form.locator("input[name=members][value=tom]").check()
    # a date ahead of both the server's clock and today's (the test must not age)
    form.locator("input[name=until]").fill((date.today() + timedelta(days=60)).isoformat())
    form.locator("input[name=keywords]").fill("Messestand, Standplan")
    form.locator("button[type=submit]").click()
    card = page.locator('[data-team="messe-2027"]')
    card.wait_for(timeout=30000)
    assert card.get_attribute("data-active") == "yes"
    assert "Tom Fischer" in card.inner_text() and "Messestand, Standplan" in card.inner_text()
    card.locator("[data-dissolve]").click()
    page.locator('[data-team="messe-2027"][data-active="no"]').wait_for(timeout=30000)
    no_codes(page)
