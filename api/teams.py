"""Teams for a job, for the owner (owner token or session): list, form, dissolve. A team
formed here takes mail from the next one `run` triages; dissolving it withdraws its open
tasks (with their links and what was handed on from them) and brings them back to her."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.access import OWNER, Caller
from api.deps import StoreDep, WorkspaceDep
from api.tasks import idempotent
from core.config import Team
from service import teams as service

router = APIRouter(prefix="/api/v1/teams", tags=["teams"], dependencies=[OWNER])


class MatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    senders: list[str] = Field(default_factory=list, max_length=200)
    domains: list[str] = Field(default_factory=list, max_length=200)
    keywords: list[str] = Field(default_factory=list, max_length=200)


class TeamIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"id": "messe-2027", "name": "Messe 2027", "members": ["lena", "tom"],
         "until": "2027-03-31", "match": {"keywords": ["Messe", "Standplan"],
                                          "domains": ["messe-koeln.example"]}}]})
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    name: str = Field(min_length=1, max_length=200)
    members: list[str] = Field(min_length=1, max_length=50)
    until: str = Field(max_length=40, description="when the team dissolves: a date "
                       "(through that day) or a date and time, in the owner's time zone "
                       "unless it carries an offset", examples=["2027-03-31",
                                                                "2027-03-31T18:00"])
    match: MatchIn


class DissolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field("", max_length=500)


@router.get("")
def list_teams(store: StoreDep) -> list[dict[str, Any]]:
    """Every team, active and dissolved, with members, match and `until`."""
    now = store.clock()
    return [t.json(now) for t in store.teams.all()]


@router.post("", status_code=201, responses={
    409: {"description": "a team with this id exists"},
    422: {"description": "members who are not assistants, an empty match, a past until"}})
def form_team(body: TeamIn, request: Request, who: Caller, store: StoreDep,
              ws: WorkspaceDep) -> Response:
    """Form a team for a job: mail that matches goes only to its members until `until`."""
    def act() -> tuple[int, Any]:
        try:
            team = Team.model_validate(body.model_dump())
        except ValidationError as exc:
            return 422, {"detail": exc.errors()[0]["msg"].removeprefix("Value error, ")}
        try:
            state = service.form(store, ws, team)
        except service.TeamError as exc:
            return exc.status, {"detail": exc.detail}
        return 201, state.json(store.clock())
    return idempotent(request, who, store, act)


@router.post("/{team_id}/dissolve", responses={404: {"description": "no such active team"}})
def dissolve_team(team_id: str, request: Request, who: Caller, store: StoreDep,
                  ws: WorkspaceDep, body: DissolveIn | None = None) -> Response:
    """Dissolve now: open tasks come back to you; members' links and access to them end."""
    def act() -> tuple[int, Any]:
        n = service.dissolve(store, ws, team_id, "owner", (body.reason if body else "") or
                             "owner")
        if n is None:
            return 404, {"detail": f"no active team {team_id!r}"}
        return 200, {"id": team_id, "tasks_back": n}
    return idempotent(request, who, store, act)


