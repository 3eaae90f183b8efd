"""Words for the pages: every code (category, action, status, planned action, flag) and
every date shown to the owner goes through here, in her first language (the catalogue
prompts/ui/<lang>.yaml) and her time zone. Templates never show a code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from agent.prompts import load_table
from agent.review import gaps as draft_gaps
from api.i18n import ui_language
from core.config import Workspace
from tools.store.inbox import QueueItem


@lru_cache(maxsize=4)
def catalogue(language: str) -> dict[str, Any]:
    return load_table(f"ui/{language}")


@lru_cache(maxsize=1)
def warnings() -> dict[str, Any]:
    return load_table("notify/warnings")


class Words:
    """The catalogue of one owner, with her clock and her assistants' names."""

    def __init__(self, ws: Workspace, now: datetime) -> None:
        self.ws = ws
        self.lang = ui_language(ws)
        self.t = catalogue(self.lang)
        self.now = now.astimezone(ws.owner.zone)
        self.names = {a.id: a.name for a in ws.people}

    # --- dates ------------------------------------------------------------------------

    def _time(self, local: datetime) -> str:
        hour12 = local.hour % 12 or 12
        return str(self.t["dates"]["time"].format(hour=local.hour, minute=local.minute,
                                                  hour12=hour12,
                                                  ampm="am" if local.hour < 12 else "pm"))

    def _parts(self, local: datetime) -> dict[str, object]:
        d = self.t["dates"]
        return {"weekday": d["weekdays"][local.weekday()], "day": local.day,
                "month": d["months"][local.month - 1], "month_number": local.month,
                "year": local.year, "time": self._time(local)}

    def when(self, at: datetime | str | None) -> str:
        """Short, relative to today: "heute, 09:12", "Fr. 27. Nov., 09:12"."""
        if at is None or at == "":
            return ""
        local = _dt(at).astimezone(self.ws.owner.zone)
        d = self.t["dates"]
        if local.date() == self.now.date():
            return str(d["today"].format(time=self._time(local)))
        if local.date() == (self.now - timedelta(days=1)).date():
            return str(d["yesterday"].format(time=self._time(local)))
        key = "this_year" if local.year == self.now.year else "other_year"
        return str(d[key].format(**self._parts(local)))

    def full(self, at: datetime | str | None) -> str:
        if at is None or at == "":
            return ""
        local = _dt(at).astimezone(self.ws.owner.zone)
        return str(self.t["dates"]["full"].format(**self._parts(local)))

    def iso(self, at: datetime | str | None) -> str:
        return _dt(at).isoformat() if at else ""

    # --- words for codes ----------------------------------------------------------------

    def word(self, table: str, code: str | None) -> str:
        if not code:
            return "–"
        return str(self.t[table].get(code, self.t[table].get("other", "–")))

    def category(self, code: str | None) -> str:
        return self.word("categories", code)

    def action(self, code: str | None) -> str:
        return self.word("actions", code)

    def assistant(self, assistant_id: str | None) -> str:
        if not assistant_id:
            return "–"
        return self.names.get(assistant_id, assistant_id)

    def actor(self, actor: str) -> str:
        """Who did it: "agent", "owner", "assistant:lena", "link:lena" in words."""
        kind, _, who = actor.partition(":")
        words = self.t["actors"]
        if kind in ("assistant", "link") and who:
            return str(words[kind]).format(name=self.assistant(who))
        return str(words.get(kind, actor))

    def status(self, table: str, code: str | None) -> str:
        return str(self.t[table].get(code or "", "–"))

    def planned(self, p: dict[str, Any]) -> str:
        kind = str(p.get("type", ""))
        template = self.t["planned"].get(kind)
        if template is None:
            return ""
        when = self.when(p["start"]) if p.get("start") else ""
        return str(template.format(
            to=", ".join(p.get("to") or []), subject=p.get("subject", ""),
            organizer=p.get("organizer", ""), summary=p.get("summary", ""),
            when=f"({when})" if when else "", assignee=self.assistant(p.get("assignee")),
        )).strip()

    def flags(self, flags: list[str]) -> list[str]:
        """Only what the owner can act on, in words; internal markers stay internal."""
        table: dict[str, str] = self.t["flags"]
        out: list[str] = []
        for f in flags:
            key = f if f in table else f.split(":", 1)[0] if f.split(":", 1)[0] in table \
                else "spoof" if f.startswith("spoof") else None
            if key is not None and table[key] not in out:
                out.append(table[key])
        return out

    def warning(self, flags: list[str]) -> str:
        """The plain warning of a risk mail ("Achtung: neue Bankverbindung — …")."""
        words: dict[str, str] = warnings()[self.lang]
        for f in flags:
            key = f.split(":", 1)[1] if f.startswith("risk:") else \
                "spoofing" if f.startswith("spoof") else ""
            if key in words:
                return words[key]
        return words["default"]

    def kind(self, kind: str) -> str:
        return str(self.t["queue"]["kinds"][kind])

    def reason(self, item: QueueItem) -> str:
        r = self.t["queue"]["reasons"]
        if item.kind == "draft":
            gaps = draft_gaps(item.draft_body)
            if gaps:
                return str(r["draft_placeholders"].format(n=len(gaps)))
            return str(r["draft"].format(to=_name(item.sender)))
        if item.kind in ("risk",):
            return self.warning(item.flags)
        if item.kind == "notify":
            return first_sentence_after(item.explanation)
        if item.kind == "unsure":
            return str(r["unsure"].format(confidence=round(100 * (item.confidence or 0)),
                                          category=self.category(item.category),
                                          action=self.action(item.action)))
        if item.kind == "task_back":
            return str(r["task_back"].format(
                assistant=self.assistant(item.task_assistant),
                status=self.status("task_status", item.task_status)))
        if item.kind == "delivery":
            return str(r["delivery"].format(status=self.status("outbox_status",
                                                               item.outbox_status)))
        return str(r["failed"])

    def sender_name(self, sender: str) -> str:
        return _name(sender)


def first_sentence_after(explanation: str) -> str:
    """The explanation's reason (its second sentence: the first says how it was filed)."""
    parts = explanation.split(". ", 1)
    return parts[1] if len(parts) == 2 and parts[1] else explanation


def _name(sender: str) -> str:
    """ "Petra Brandt <petra@…>" → "Petra Brandt"; a bare address stays itself."""
    if "<" in sender and sender.rstrip().endswith(">"):
        name = sender.rsplit("<", 1)[0].strip().strip('"').strip()
        if name:
            return name
        return sender.rsplit("<", 1)[1].rstrip(">").strip()
    return sender.strip()


def _dt(at: datetime | str | None) -> datetime:
    value = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)  # the store's UTC
