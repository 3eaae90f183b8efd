"""Teams for a job: formed in the config or by the owner (UI, API), routed among while
active (agent/teams.py reads which team a mail belongs to), dissolved at `until` or by the
owner — then their open tasks come back to the owner and the members' links and access to
those tasks end at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agent.prompts import load_prompt, load_table
from core.config import Team, Workspace
from service import tasks as lifecycle
from tools.store import Store
from tools.store.notices import Notices
from tools.store.teams import TeamExists, TeamState


class TeamError(ValueError):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def sync(store: Store, ws: Workspace) -> None:
    store.teams.sync(ws.teams, ws.owner.zone)


def form(store: Store, ws: Workspace, team: Team, actor: str = "owner") -> TeamState:
    """A team the owner forms while `run` may be running: it takes mail from the next one."""
    routable = {a.id for a in ws.assistants}
    strangers = [m for m in team.members if m not in routable]
    if strangers:
        raise TeamError(422, f"not assistants of yours: {', '.join(strangers)} "
                        f"(known: {', '.join(sorted(routable)) or 'none'})")
    if team.until_at(ws.owner.zone) <= store.clock():
        raise TeamError(422, "'until' lies in the past: the team would be dissolved at once")
    try:
        return store.teams.form(team, ws.owner.zone, actor)
    except TeamExists as exc:
        raise TeamError(409, str(exc)) from None


def dissolve(store: Store, ws: Workspace, team_id: str, actor: str, why: str) -> int | None:
    """Dissolve the team, once: its open tasks are withdrawn (with what was handed on from
    them, and their links) and come back to the owner, who is told. The number of tasks
    withdrawn; None when there is no such team or it was dissolved before."""
    state = store.teams.get(team_id)
    if state is None or not store.teams.dissolve(team_id, actor, why):
        return None
    back: list[dict[str, Any]] = []
    lang = lifecycle._owner_lang(ws)
    base = ws.web.base_url.rstrip("/")
    for task_id in store.teams.open_tasks(team_id):
        try:
            task = lifecycle.cancel(store, ws, task_id, actor, f"team {team_id} dissolved",
                                    why="team")
        except lifecycle.TaskError:
            continue  # settled meanwhile
        a = ws.assistant(task.assistant_id)
        back.append({"title": task.title, "assistant": a.name if a else task.assistant_id,
                     "link": f"{base}/messages/{task.message_id}", "message": task.message_id})
    words = load_table("notify/warnings")["team_why"][lang]
    body = load_prompt(f"notify/team_dissolved.{lang}").render(
        owner=ws.owner.name.split()[0], team=state.team.name,
        why=words["owner"] if actor == "owner" else words["until"], tasks=back,
        link=f"{base}/teams") if ws.smtp is not None and ws.notifications.enabled else ""
    subject = (f"{load_table('notify/warnings')['subjects'][lang]['team_dissolved']}: "
               f"{state.team.name}")
    Notices(store.db).add("team_dissolved", team_id, [ws.notifications.to or ws.owner.email],
                          subject[:300], body, lang, back[0]["message"] if back else None)
    return len(back)


def dissolve_due(store: Store, ws: Workspace, now: datetime | None = None) -> int:
    """Teams whose `until` has come are dissolved (the clock's part, every round)."""
    count = 0
    for team_id in store.teams.due(now or store.clock()):
        if dissolve(store, ws, team_id, "agent", "until") is not None:
            count += 1
    return count
