"""Crafted mail for the hostile-mail tests and `evals/bench_hostile.py`: each attack of
issue 11 as raw bytes. The big ones are built here from a few lines instead of being kept
as megabyte files; the small ones live in tests/fixtures/hostile/.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

OWNER = "anna@beispiel-design.de"
AGENT = "assistenz@beispiel-design.de"


def mail(headers: str, body: str = "Hallo Anna,\nkurze Frage zu Ihrem Angebot.\nGruß Max\n",
         content_type: str = "text/plain; charset=utf-8") -> bytes:
    head = ("Message-ID: <{mid}@hostile.test>\nDate: Thu, 26 Nov 2026 10:00:00 +0100\n"
            f"To: {AGENT}\nMIME-Version: 1.0\nContent-Type: {content_type}\n")
    mid = hashlib.sha256((headers + body).encode()).hexdigest()[:16]
    text = head.format(mid=mid) + headers.rstrip("\n") + "\n\n" + body
    return text.encode("utf-8")


def subject_one_line(size: int = 1024 * 1024) -> bytes:
    """A one-line Subject: of 1 MB (the quadratic language regex: minutes)."""
    return mail(f"From: Max Muster <max@muster.example>\nSubject: {'x' * size}\n")


def from_encoded_words(count: int = 50_000) -> bytes:
    """A 700 KB From: of 50,000 encoded words (the header parser's memory grows
    quadratically: 24 GB)."""
    words = " ".join(["=?utf-8?q?M=C3=BCller?="] * count)
    return mail(f"From: {words} <max@muster.example>\nSubject: Hallo\n")


def cc_addresses(count: int = 70_000) -> bytes:
    """70,000 addresses in Cc: (70 s in the header parser)."""
    cc = ", ".join(f"person{i}@liste.example" for i in range(count))
    return mail(f"From: Max Muster <max@muster.example>\nSubject: Hallo\nCc: {cc}\n")


def mime_depth(depth: int = 1000) -> bytes:
    """Multipart nested 1000 deep (the parser's RecursionError)."""
    body = ""
    for i in range(1, depth):
        body += f'--b{i - 1}\nContent-Type: multipart/mixed; boundary="b{i}"\n\n'
    body += f"--b{depth - 1}\nContent-Type: text/plain\n\nganz unten\n"
    for i in reversed(range(depth)):
        body += f"--b{i}--\n"
    return mail("From: Max Muster <max@muster.example>\nSubject: Tief\n", body,
                'multipart/mixed; boundary="b0"')


def _invitation(vevent: str, vtimezone: str = "", method: str = "REQUEST") -> bytes:
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
           f"METHOD:{method}\r\n{vtimezone}BEGIN:VEVENT\r\n{vevent}END:VEVENT\r\n"
           "END:VCALENDAR\r\n")
    body = ("--cal\nContent-Type: text/plain; charset=utf-8\n\nEinladung\n\n"
            f"--cal\nContent-Type: text/calendar; charset=utf-8; method={method}\n\n"
            f"{ics}\n--cal--\n")
    return mail("From: Max Muster <max@muster.example>\nSubject: Einladung: Abstimmung\n",
                body, 'multipart/alternative; boundary="cal"')


_EVENT = ("UID:poison-{n}@muster.example\r\nDTSTAMP:20261120T090000Z\r\n"
          "ORGANIZER:mailto:max@muster.example\r\n"
          "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:anna@beispiel-design.de\r\n"
          "SUMMARY:Abstimmung\r\nDTSTART{tz}:20261201T100000{z}\r\n"
          "DTEND{tz}:20261201T110000{z}\r\n{rule}")


def rrule_secondly() -> bytes:
    """A 1 KB invitation repeating every second, for ever (gigabytes, never finishes)."""
    return _invitation(_EVENT.format(n=1, tz="", z="Z", rule="RRULE:FREQ=SECONDLY\r\n"))


def rrule_minutely_count() -> bytes:
    """FREQ=MINUTELY;COUNT=100000: accepted after checking 30 occurrences."""
    return _invitation(_EVENT.format(n=2, tz="", z="Z",
                                     rule="RRULE:FREQ=MINUTELY;COUNT=100000\r\n"))


def vtimezone_secondly() -> bytes:
    """A custom TZID whose VTIMEZONE rule repeats every second."""
    tz = ("BEGIN:VTIMEZONE\r\nTZID:Custom/Poison\r\nBEGIN:STANDARD\r\n"
          "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\n"
          "RRULE:FREQ=SECONDLY\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n")
    return _invitation(_EVENT.format(n=3, tz=";TZID=Custom/Poison", z="", rule=""), tz)


POISON: dict[str, Callable[[], bytes]] = {
    "subject-1mb": subject_one_line,
    "from-50000-encoded-words": from_encoded_words,
    "cc-70000-addresses": cc_addresses,
    "mime-depth-1000": mime_depth,
    "rrule-secondly": rrule_secondly,
    "rrule-minutely-count-100000": rrule_minutely_count,
    "vtimezone-secondly": vtimezone_secondly,
}


class ScriptedClassifier:
    """A confident customer inquiry for the mails about team photos, the keyword classifier
    for everything else: fast, and the tests here are about the gate, not the model."""

    def __init__(self) -> None:
        from agent.classify.keywords import KeywordClassifier

        self.fallback = KeywordClassifier()

    def classify(self, view: Any) -> Any:
        from core.models import Category, Classification, Priority

        if "Anfrage Teamfotos" in view.mail.subject:
            return Classification(category=Category.customer_inquiry, confidence=0.95,
                                  priority=Priority.normal, decided_by="script")
        return self.fallback.classify(view)


def invitation(sender: str = "Max Muster <max@muster.example>",
               organizer: str = "mailto:max@muster.example", method: str = "REQUEST",
               uid: str = "abstimmung-1@muster.example", sequence: int = 0,
               rule: str = "", summary: str = "Abstimmung Website", extra: str = "",
               start: str = "20261201T090000Z", end: str = "20261201T100000Z") -> bytes:
    """An iTIP invitation (or cancellation) as Outlook or Google send it."""
    vevent = (f"UID:{uid}\r\nSEQUENCE:{sequence}\r\nDTSTAMP:20261126T090000Z\r\n"
              f"ORGANIZER{organizer}\r\n" if organizer.startswith(";") else
              f"UID:{uid}\r\nSEQUENCE:{sequence}\r\nDTSTAMP:20261126T090000Z\r\n"
              f"ORGANIZER:{organizer}\r\n")
    vevent += ("ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:anna@beispiel-design.de\r\n"
               f"SUMMARY:{summary}\r\nDTSTART:{start}\r\nDTEND:{end}\r\n{rule}")
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
           f"METHOD:{method}\r\nBEGIN:VEVENT\r\n{vevent}END:VEVENT\r\nEND:VCALENDAR\r\n")
    body = ("--cal\nContent-Type: text/plain; charset=utf-8\n\nEinladung\n\n"
            f"--cal\nContent-Type: text/calendar; charset=utf-8; method={method}\n\n"
            f"{ics}\n--cal--\n")
    return mail(f"From: {sender}\nSubject: Einladung: {summary}\n{extra}", body,
                'multipart/alternative; boundary="cal"')
