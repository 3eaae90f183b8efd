"""Teams for a job: those in the config (synced at start) and those the owner forms in the
UI, in one table, so `run` sees a team formed or dissolved while it is running."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core.config import Team
from tools.store.db import Database
from tools.store.models import OPEN_TASK_STATES, AuditRow, TaskRow, TeamRow


class TeamExists(ValueError):
    pass


@dataclass(frozen=True)
class TeamState:
    team: Team
    source: str
    dissolved_at: datetime | None

    def json(self, now: datetime) -> dict[str, Any]:
        t = self.team
        until = t.until if isinstance(t.until, datetime) else None
        return {"id": t.id, "name": t.name, "members": list(t.members),
                "until": until.isoformat() if until else str(t.until),
                "match": t.match.model_dump(), "source": self.source,
                "dissolved_at": self.dissolved_at.isoformat() if self.dissolved_at else None,
                "active": self.dissolved_at is None and until is not None and until > now}


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _state(r: TeamRow) -> TeamState:
    team = Team(id=r.id, name=r.name, members=list(r.members), until=_aware(r.until),
                match=r.match)
    return TeamState(team, r.source, _aware(r.dissolved_at) if r.dissolved_at else None)


class Teams:
    def __init__(self, db: Database) -> None:
        self.db = db

    def sync(self, teams: Iterable[Team], zone: ZoneInfo) -> None:
        """The config's teams, as rows; a changed `until` revives a dissolved one. Two
        processes starting at once may race on the insert: the loser tries again."""
        wanted = list(teams)
        for attempt in range(3):
            try:
                with self.db.transaction() as s:
                    for t in wanted:
                        until = t.until_at(zone).astimezone(UTC)
                        row = s.get(TeamRow, t.id)
                        if row is None:
                            s.add(TeamRow(id=t.id, name=t.name, members=list(t.members),
                                          match=t.match.model_dump(), until=until,
                                          source="config"))
                            continue
                        if _aware(row.until) != until:
                            row.dissolved_at = None
                        row.name, row.members = t.name, list(t.members)
                        row.match, row.until = t.match.model_dump(), until
                return
            except IntegrityError:
                if attempt == 2:
                    raise

    def form(self, team: Team, zone: ZoneInfo, actor: str = "owner") -> TeamState:
        """A team the owner forms (UI/API); its id must be new."""
        try:
            with self.db.transaction() as s:
                row = TeamRow(id=team.id, name=team.name, members=list(team.members),
                              match=team.match.model_dump(),
                              until=team.until_at(zone).astimezone(UTC),
                              source="owner")
                s.add(row)
                s.add(AuditRow(message_id=None, actor=actor, event="team_formed",
                               detail={"team": team.id, "members": list(team.members)}))
                s.flush()
                return _state(row)
        except IntegrityError:
            raise TeamExists(f"a team {team.id!r} exists already") from None

    def get(self, team_id: str) -> TeamState | None:
        with self.db.session() as s:
            row = s.get(TeamRow, team_id)
            return _state(row) if row else None

    def all(self) -> list[TeamState]:
        with self.db.session() as s:
            return [_state(r) for r in s.scalars(select(TeamRow).order_by(TeamRow.until))]

    def active(self, now: datetime) -> list[Team]:
        """The teams mail is routed to now (formed, not dissolved, `until` ahead)."""
        with self.db.session() as s:
            return [_state(r).team for r in s.scalars(
                select(TeamRow).where(TeamRow.dissolved_at.is_(None), TeamRow.until > now)
                .order_by(TeamRow.id))]

    def due(self, now: datetime) -> list[str]:
        """Teams whose time is up and that are not dissolved yet."""
        with self.db.session() as s:
            return list(s.scalars(select(TeamRow.id).where(
                TeamRow.dissolved_at.is_(None), TeamRow.until <= now)))

    def dissolve(self, team_id: str, actor: str, why: str) -> bool:
        """Mark it dissolved, once (two processes may both find it due)."""
        with self.db.transaction() as s:
            done = s.execute(update(TeamRow).where(TeamRow.id == team_id,
                                                   TeamRow.dissolved_at.is_(None))
                             .values(dissolved_at=self.db.clock()))
            if not done.rowcount:  # type: ignore[attr-defined]
                return False
            s.add(AuditRow(message_id=None, actor=actor, event="team_dissolved",
                           detail={"team": team_id, "why": why}))
            return True

    def open_tasks(self, team_id: str) -> list[int]:
        """The team's open tasks routed to it (not the parts handed on: those follow
        their parent)."""
        with self.db.session() as s:
            return list(s.scalars(select(TaskRow.id).where(
                TaskRow.team_id == team_id, TaskRow.parent_id.is_(None),
                TaskRow.status.in_(OPEN_TASK_STATES)).order_by(TaskRow.id)))
