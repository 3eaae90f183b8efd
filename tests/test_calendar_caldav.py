"""CalDAV against a real Radicale server: busy times, accepted events written back, cancels."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import caldav
import pytest
from conftest import FIXTURES
from radicale_server import Radicale, radicale

from agent.parse.mime import parse_message
from agent.scheduling.planner import Planner
from agent.view import build_view
from core.config import CalDAV, Calendar, Workspace
from core.ical.act import carry_out, itip_for
from core.ical.base import CalendarError
from core.models import Action, RawMessage
from tools.calendar.caldav_source import CalDavCalendar

pytestmark = pytest.mark.slow
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
OWNER = "anna@beispiel-design.de"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    with radicale(tmp_path_factory.mktemp("radicale")) as r:
        yield r


@pytest.fixture
def calendar_url(server: Radicale, request: pytest.FixtureRequest) -> str:
    """A fresh calendar holding the Google fixture's events, one per test."""
    client = caldav.DAVClient(url=server.url, username=server.username,
                              password=server.password)
    cal: Any = client.principal().make_calendar(name=request.node.name[:40])
    text = (FIXTURES / "ics" / "google.ics").read_text()
    head, *events = text.split("BEGIN:VEVENT")
    tz = head[head.index("BEGIN:VTIMEZONE"):]
    for ev in events:
        body = "BEGIN:VEVENT" + ev.replace("END:VCALENDAR", "")
        cal.save_event(f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n{tz}{body}"
                       "END:VCALENDAR\n")
    return str(cal.url)


def source(server: Radicale, url: str) -> CalDavCalendar:
    return CalDavCalendar(url, server.username, server.password, BERLIN, [OWNER])


def workspace(ws: Workspace, server: Radicale, url: str) -> Workspace:
    cfg = Calendar(caldav=CalDAV(url=url, username=server.username, password=server.password))
    return ws.model_copy(update={"calendar": cfg})


def view_of(name: str, ws: Workspace):  # type: ignore[no-untyped-def]
    data = (FIXTURES / "scheduling" / name).read_bytes()
    return build_view(parse_message(RawMessage(ref=name, data=data)), ws, NOW)


def test_busy_times_come_from_a_time_range_search(server: Radicale, calendar_url: str) -> None:
    busy = source(server, calendar_url).busy(datetime(2026, 11, 29, tzinfo=UTC),
                                             datetime(2026, 12, 8, tzinfo=UTC))
    starts = [b.start.astimezone(BERLIN).strftime("%d.%m. %H:%M") for b in busy]
    assert starts == ["30.11. 09:00", "01.12. 13:00", "01.12. 15:00", "02.12. 10:00",
                      "03.12. 00:00", "04.12. 14:00"]


def test_fitting_invitation_is_accepted_and_written_back(ws: Workspace, server: Radicale,
                                                         calendar_url: str) -> None:
    w = workspace(ws, server, calendar_url)
    src = source(server, calendar_url)
    v = view_of("invite-fits-outlook.eml", w)
    plan = Planner(w, src, lambda: NOW)(v)
    assert plan.action is Action.auto
    types = [p.type for p in plan.planned_actions]
    assert types == ["accept_invitation", "create_event"]
    assert plan.planned_actions[0].model_dump()["organizer"] == "j.hartmann@hartmann-ra.de"
    done = carry_out(src, plan.planned_actions, v.mail, w.owner, NOW)
    assert done == [f"created {plan.planned_actions[1].model_dump()['uid']}"]
    start = plan.booked[0].start
    assert [b.start for b in src.busy(start, plan.booked[0].end)] == [start]
    reply = itip_for(plan.planned_actions[0], v.mail, w.owner, NOW)
    assert reply is not None and "METHOD:REPLY" in reply and "PARTSTAT=ACCEPTED" in reply
    # the same invitation again, now stored: an update with the same SEQUENCE still fits
    again = Planner(w, src, lambda: NOW)(v)
    assert again.action is Action.auto and again.reason == "cal_update"


def test_cancel_removes_the_stored_event_and_tells_the_owner(ws: Workspace, server: Radicale,
                                                            calendar_url: str) -> None:
    w = workspace(ws, server, calendar_url)
    src = source(server, calendar_url)
    invite = view_of("invite-fits-outlook.eml", w)
    plan = Planner(w, src, lambda: NOW)(invite)
    carry_out(src, plan.planned_actions, invite.mail, w.owner, NOW)
    cancel = Planner(w, src, lambda: NOW)(view_of("cancel-outlook.eml", w))
    assert cancel.action is Action.auto and cancel.replies is False
    assert [p.type for p in cancel.planned_actions] == ["remove_event", "notify_owner"]
    carry_out(src, cancel.planned_actions, invite.mail, w.owner, NOW)
    assert src.busy(plan.booked[0].start, plan.booked[0].end) == []


def test_unreachable_server_never_accepts(ws: Workspace) -> None:
    url = "http://127.0.0.1:9/cal/"
    w = ws.model_copy(update={"calendar": Calendar(caldav=CalDAV(url=url))})
    src = CalDavCalendar(url, "", "", BERLIN)
    with pytest.raises(CalendarError):
        src.busy(NOW, NOW)
    plan = Planner(w, src, lambda: NOW)(view_of("invite-fits-outlook.eml", w))
    assert plan.action is Action.draft and plan.reason == "cal_unavailable"
