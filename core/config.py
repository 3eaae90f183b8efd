"""The workspace file (CONTRACT §4–§5): YAML → validated pydantic models.

Every problem ends in a `ConfigError` whose message is one line naming the field.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from core.hours import WorkingHours
from core.models import Action, Category


class ConfigError(Exception):
    """A workspace file that cannot be used; str() is one line for the user."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
EmailStr = Annotated[str, Field(pattern=r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")]


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"unknown time zone {value!r} (use an IANA name like Europe/Berlin)"
        raise ValueError(msg) from None
    return value


class Owner(Strict):
    name: str
    email: EmailStr
    agent_email: EmailStr | None = None
    company: str = ""
    timezone: str = "Europe/Berlin"
    languages: list[LanguageCode] = Field(default_factory=lambda: ["de", "en"], min_length=1)
    signature: str = ""
    working_hours: str = "Mo-Fr 09:00-17:00"

    _tz = field_validator("timezone")(_check_timezone)

    @field_validator("working_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        WorkingHours.parse(value)  # raises ValueError with a readable message
        return value

    @property
    def hours(self) -> WorkingHours:
        return WorkingHours.parse(self.working_hours)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Webhook(Strict):
    """An endpoint told about task events, signed the Standard Webhooks way."""

    url: str = Field(pattern=r"^https?://\S+$")
    secret: str = Field(pattern=r"^whsec_[A-Za-z0-9+/=]{16,}$")  # whsec_ + base64
    events: list[str] = Field(default_factory=list)  # [] = every task.* event
    allow_private: bool = False  # allow a loopback/private address (a local n8n, tests)


def _check_hours(value: str | None) -> str | None:
    if value is not None:
        WorkingHours.parse(value)  # raises ValueError with a readable message
    return value


class Away(Strict):
    """An absence, both days inclusive, in the owner's time zone."""

    from_: date = Field(alias="from")
    to: date

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _ordered(self) -> Away:
        if self.to < self.from_:
            raise ValueError(f"away: 'to' ({self.to}) is before 'from' ({self.from_})")
        return self

    def covers(self, day: date) -> bool:
        return self.from_ <= day <= self.to


class Assistant(Strict):
    id: Identifier
    name: str
    email: EmailStr
    languages: list[LanguageCode] = Field(min_length=1)
    skills: str = Field(min_length=1)
    timezone: str = "Europe/Berlin"
    capacity: int = Field(default=10, ge=0)
    working_hours: str | None = None  # "Mo-Do 08:00-14:00"; offers expire in these hours
    away: list[Away] = Field(default_factory=list)
    notify: Literal["email", "webhook", "api"] = "email"  # how they hear of a new task
    webhook: Webhook | None = None
    # Assistenzketten: whom this assistant may hand a task (or a part) on to — other
    # assistants the owner allowed, and/or their own helpers (never routed to directly)
    may_delegate_to: list[Identifier] = Field(default_factory=list)
    helpers: list[Assistant] = Field(default_factory=list)

    _tz = field_validator("timezone")(_check_timezone)
    _wh = field_validator("working_hours")(_check_hours)

    def away_on(self, day: date) -> Away | None:
        """The absence covering `day` (an owner-local date), if any."""
        return next((a for a in self.away if a.covers(day)), None)

    @model_validator(mode="after")
    def _channel(self) -> Assistant:
        if self.notify == "webhook" and self.webhook is None:
            raise ValueError("notify: webhook needs a 'webhook: {url, secret}'")
        return self

    @property
    def hours(self) -> WorkingHours:
        return WorkingHours.parse(self.working_hours or "Mo-Fr 09:00-17:00")

    @property
    def delegates(self) -> list[str]:
        """Whom this assistant may hand work on to: those allowed, then their helpers."""
        return [*self.may_delegate_to, *(h.id for h in self.helpers)]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Tasks(Strict):
    """Extension: how routed tasks are offered and followed up (CONTRACT §8)."""

    offer_hours: float = Field(default=8, gt=0, le=24 * 14)  # working hours to accept
    due_hours: float | None = Field(default=None, gt=0)  # default due time when none is read
    link_days: float = Field(default=7, gt=0, le=60)  # how long links in task mails work
    max_depth: int = Field(default=2, ge=0, le=5)  # links in a chain of delegations


class TeamMatch(Strict):
    """Which mail belongs to a team's job: a sender, a sender's domain, or a keyword in the
    subject or text (case-insensitive, whole words)."""

    senders: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _something(self) -> TeamMatch:
        if not (self.senders or self.domains or self.keywords):
            raise ValueError("match: give senders, domains or keywords")
        return self


class Team(Strict):
    """A team for a job: mail that matches is routed only among its members; at `until`
    (owner's time zone; a date means the end of that day) it dissolves."""

    id: Identifier
    name: str = Field(min_length=1, max_length=200)
    members: list[Identifier] = Field(min_length=1)
    until: datetime | date
    match: TeamMatch

    @field_validator("until", mode="before")
    @classmethod
    def _day(cls, value: Any) -> Any:
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            return date.fromisoformat(value.strip())  # a day: the team works through it
        return value

    def until_at(self, zone: ZoneInfo) -> datetime:
        """When the team dissolves, as an aware time."""
        u = self.until
        if not isinstance(u, datetime):
            return datetime.combine(u + timedelta(days=1), time(0), zone)
        return u if u.tzinfo is not None else u.replace(tzinfo=zone)


class CalDAV(Strict):
    url: str
    username: str = ""
    password: str = ""


class Calendar(Strict):
    ics: Path | None = None
    caldav: CalDAV | None = None
    # Extensions (optional): how free slots are chosen.
    buffer_minutes: int = Field(default=15, ge=0, le=240)  # kept free around every meeting
    notice_hours: float = Field(default=12, ge=0, le=24 * 30)  # nothing sooner than this
    holidays: str | None = Field(default=None, pattern=r"^[A-Z]{2}(?:-[A-Z]{2,3})?$")  # DE-BE
    meeting_minutes: int = Field(default=60, ge=5, le=600)  # when a request names no length
    search_days: int = Field(default=14, ge=1, le=90)  # how far ahead an open request looks

    @model_validator(mode="after")
    def _one_source(self) -> Calendar:
        if (self.ics is None) == (self.caldav is None):
            raise ValueError("give exactly one of 'ics' or 'caldav'")
        return self


class LLM(Strict):
    provider: Literal["openai"] = "openai"
    model: str
    base_url: str | None = None
    api_key_env: str | None = None
    timeout: float = Field(default=30.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)
    max_tokens: int = Field(default=800, ge=16)
    temperature: float = Field(default=0.0, ge=0, le=2)

    def api_key(self) -> str | None:
        return os.environ.get(self.api_key_env) if self.api_key_env else None


class Imap(Strict):
    host: str
    port: int | None = None
    username: str
    password: str
    folder: str = "INBOX"
    tls: bool | Literal["starttls"] = True
    processed_folder: str | None = None
    sent_folder: str | None = None


class Smtp(Strict):
    host: str
    port: int | None = None
    username: str | None = None
    password: str | None = None
    tls: bool | Literal["starttls"] = "starttls"
    from_: str = Field(alias="from")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Triage(Strict):
    """Extension: how sure the agent must be before it acts alone."""

    auto_min_confidence: float = Field(default=0.55, ge=0, le=1)
    llm_below_confidence: float = Field(default=0.75, ge=0, le=1)


class Limits(Strict):
    """Extension: what a message may be before it is stored and flagged instead of parsed,
    and the budget one message gets (issue 11: a broken message never stops the others)."""

    max_bytes: int = Field(default=25 * 1024 * 1024, gt=0)
    max_parts: int = Field(default=500, gt=0)
    max_depth: int = Field(default=12, gt=0)
    # read before the header parser sees them: longer fields are cut, the mail is flagged
    max_header_bytes: int = Field(default=256 * 1024, ge=4096)  # the whole header block
    max_header_field: int = Field(default=16 * 1024, ge=998)  # one field, unfolded
    max_encoded_words: int = Field(default=100, ge=1)  # =?…?= words in one field
    max_addresses: int = Field(default=200, ge=1)  # addresses in one To/Cc/… field
    max_containers: int = Field(default=100, ge=1)  # multipart/message parts (bounds depth)
    # calendar objects in mail: how far a series is expanded, and how many occurrences
    max_calendar_bytes: int = Field(default=1024 * 1024, ge=4096)
    max_occurrences: int = Field(default=200, ge=1)  # all checked, or no automatic yes
    series_days: int = Field(default=91, ge=1, le=3660)
    # the budget of one message in its worker process (`run` and `triage`)
    message_seconds: float = Field(default=30.0, gt=0)  # plus the LLM's own timeouts
    message_mb: int = Field(default=1024, ge=64)  # memory beyond the loaded pipeline
    retries: int = Field(default=3, ge=0, le=20)  # automatic retries of a failed message
    retry_minutes: float = Field(default=5.0, ge=0)  # first wait; doubles every time


class Review(Strict):
    """CONTRACT §7: how long an approved draft waits in the outbox before it is sent."""

    undo_seconds: int = Field(default=30, ge=0, le=24 * 3600)


class Web(Strict):
    """Extension: how `assistenz serve` is reached."""

    base_url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^\s/]+(/.*)?$")
    allowed_hosts: list[str] = Field(default_factory=list)  # besides base_url's and loopback
    session_hours: float = Field(default=24 * 7, gt=0, le=24 * 90)

    @property
    def host(self) -> str:
        rest = self.base_url.split("://", 1)[1]
        return rest.split("/", 1)[0].rsplit(":", 1)[0] if not rest.startswith("[") else \
            rest.split("]", 1)[0] + "]"


class Notifications(Strict):
    """Extension: how the owner is told outside the UI (needs `smtp`)."""

    enabled: bool = True
    to: EmailStr | None = None  # default: owner.email
    immediate: bool = True  # a mail at once for risks and uncertain deliveries
    digest_at: str | None = Field(default="07:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")


class Scheduling(Strict):
    """Extension: kinds of appointment with their own length in minutes, recognised in the
    text of a request ("Aufmaß" → 150 minutes)."""

    appointment_types: dict[str, int] = Field(default_factory=dict)

    @field_validator("appointment_types")
    @classmethod
    def _lengths(cls, value: dict[str, int]) -> dict[str, int]:
        for name, minutes in value.items():
            if not name.strip():
                raise ValueError("an appointment type needs a name")
            if not 5 <= minutes <= 600:
                raise ValueError(f"appointment type {name!r}: {minutes} minutes "
                                 "(give 5 to 600)")
        return value


class Workspace(Strict):
    owner: Owner
    assistants: list[Assistant] = Field(default_factory=list)
    delegation: dict[Category, Action] = Field(default_factory=dict)
    calendar: Calendar | None = None
    llm: LLM | None = None
    data_dir: Path = Path("data")
    imap: Imap | None = None
    maildir: Path | None = None
    smtp: Smtp | None = None
    database: str | None = None
    triage: Triage = Triage()
    limits: Limits = Limits()
    knowledge: Path | None = None  # a folder of Markdown files drafts answer from
    review: Review = Review()
    web: Web = Web()
    notifications: Notifications = Notifications()
    tasks: Tasks = Tasks()
    webhooks: list[Webhook] = Field(default_factory=list)  # the owner's tools (n8n, Zapier …)
    scheduling: Scheduling = Scheduling()
    teams: list[Team] = Field(default_factory=list)  # teams for a job (also formed in the UI)
    path: Path | None = Field(default=None, exclude=True)  # where the file was read from

    @field_validator("assistants")
    @classmethod
    def _unique_ids(cls, value: list[Assistant]) -> list[Assistant]:
        seen: set[str] = set()
        for a in _walk(value):
            if a.id in seen:
                raise ValueError(f"assistant id {a.id!r} appears twice (helpers included)")
            seen.add(a.id)
        return value

    @model_validator(mode="after")
    def _chains_and_teams(self) -> Workspace:
        known = {a.id for a in self.people}
        for a in self.people:
            for other in a.may_delegate_to:
                if other == a.id:
                    raise ValueError(f"assistant {a.id!r}: may_delegate_to names itself")
                if other not in known:
                    raise ValueError(f"assistant {a.id!r}: may_delegate_to names "
                                     f"{other!r}, who is not an assistant or helper")
        seen: set[str] = set()
        for t in self.teams:
            if t.id in seen:
                raise ValueError(f"team id {t.id!r} appears twice")
            seen.add(t.id)
            routable = {a.id for a in self.assistants}
            for m in t.members:
                if m not in routable:
                    raise ValueError(f"team {t.id!r}: member {m!r} is not an assistant "
                                     "(helpers get work only from the one they help)")
        return self

    @model_validator(mode="after")
    def _one_mailbox(self) -> Workspace:
        if self.imap is not None and self.maildir is not None:
            raise ValueError("give either 'imap' or 'maildir', not both")
        return self

    def action_for(self, category: Category) -> Action:
        """The owner's delegation; a missing category means notify (CONTRACT §4)."""
        return self.delegation.get(category, Action.notify)

    @property
    def people(self) -> list[Assistant]:
        """Everyone who may hold a task: the assistants and, after each, their helpers
        (helpers only get tasks handed on by the one they help, never routed ones)."""
        return list(_walk(self.assistants))

    def assistant(self, assistant_id: str) -> Assistant | None:
        return next((a for a in self.people if a.id == assistant_id), None)

    def principal(self, helper_id: str) -> Assistant | None:
        """The assistant whose helper this is (None for an assistant of the owner's)."""
        return next((a for a in self.people if any(h.id == helper_id for h in a.helpers)),
                    None)

    def may_delegate(self, from_id: str, to_id: str) -> bool:
        a = self.assistant(from_id)
        return a is not None and to_id != from_id and to_id in a.delegates

    @property
    def database_url(self) -> str:
        return self.database or f"sqlite:///{self.data_dir / 'assistenz.db'}"


def _walk(assistants: list[Assistant]) -> list[Assistant]:
    out: list[Assistant] = []
    for a in assistants:
        out.append(a)
        out += _walk(a.helpers)
    return out


_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _expand_env(value: Any, where: str) -> Any:
    """Replace ${VAR} in every string with the environment's value."""
    if isinstance(value, dict):
        return {k: _expand_env(v, f"{where}.{k}" if where else str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_env(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, str):
        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in os.environ:
                raise ConfigError(f"{where}: environment variable {name} is not set")
            return os.environ[name]
        return _ENV.sub(sub, value)
    return value


def _resolve(base: Path, p: Path | None) -> Path | None:
    if p is None:
        return None
    p = p.expanduser()
    return p if p.is_absolute() else (base / p).resolve()


def _resolve_paths(ws: Workspace, base: Path) -> Workspace:
    data_dir = _resolve(base, ws.data_dir)
    assert data_dir is not None
    update: dict[str, Any] = {"data_dir": data_dir, "maildir": _resolve(base, ws.maildir)}
    if ws.knowledge is not None:
        folder = _resolve(base, ws.knowledge)
        assert folder is not None
        if not folder.is_dir():
            raise ConfigError(f"knowledge: {folder} is not a folder (give a folder of "
                              "Markdown files: services, prices, policies, FAQ)")
        update["knowledge"] = folder
    if ws.calendar and ws.calendar.ics:
        update["calendar"] = ws.calendar.model_copy(update={"ics": _resolve(base, ws.calendar.ics)})
    if ws.database and ws.database.startswith("sqlite:///") and ws.database != "sqlite:///:memory:":
        rel = ws.database.removeprefix("sqlite:///")
        resolved = _resolve(base, Path(rel))
        update["database"] = f"sqlite:///{resolved}"
    return ws.model_copy(update=update)


def _format_error(err: ValidationError, file: Path) -> str:
    first = err.errors()[0]
    loc = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in first["loc"])
    loc = loc.replace(".[", "[")
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        msg = "unknown key"
    elif first["type"] == "enum":
        msg = f"{msg}; got {first.get('input')!r}"
    elif first["type"] == "string_pattern_mismatch":
        msg = f"invalid value {first.get('input')!r}"
    more = len(err.errors()) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{file}: {loc or '(top level)'}: {msg}{tail}"


def load_config(path: str | Path) -> Workspace:
    """Read and validate a workspace file. Raises ConfigError with one readable line."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read config file: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{file}: invalid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: expected a mapping of settings at the top level")
    data = _expand_env(data, "")
    try:
        ws = Workspace.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_error(exc, file)) from None
    base = file.resolve().parent
    try:
        resolved = _resolve_paths(ws, base)
    except ConfigError as exc:
        raise ConfigError(f"{file}: {exc}") from None
    return resolved.model_copy(update={"path": file.resolve()})
