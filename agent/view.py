"""Which message the agent acts on, and the facts the rules need about it — among them who
really sent it: the owner's word counts only when her address is the mail's one valid
`From:` and the receiving provider's authentication results (when there are any) pass for
her domain."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from agent.fold import name_tokens
from agent.risks import scan_risks
from core.config import Workspace
from core.models import Mail, MessageView, ParsedMessage, Risk

IbanHistory = Callable[[Mail], list[str]]  # IBANs seen earlier from this sender or company
# doubts about the header identity that make any mail a spoofing suspect
_FORGED = {"from-twice": "from-twice", "from-invalid": "from-invalid",
           "name-is-address": "name-is-address"}


def _same(a: str, b: str | None) -> bool:
    return bool(b) and a.lower() == (b or "").lower()


def owner_doubts(mail: Mail, ws: Workspace) -> list[str]:
    """Why a mail from the owner's address is not hers (empty: it is)."""
    doubts = []
    if "sender-differs" in mail.identity:
        doubts.append("owner-sender-differs")
    if mail.auth.failed:
        doubts.append(f"owner-auth-fail ({mail.auth.detail})")
    elif mail.auth.present and not mail.auth.passed:
        doubts.append("owner-auth-missing")
    return doubts


def is_owner(mail: Mail, ws: Workspace) -> bool:
    """The configured address, as the one valid From, authenticated where the provider
    says anything about it."""
    return (mail.sender is not None and _same(mail.sender.email, ws.owner.email)
            and not any(d in mail.identity for d in _FORGED) and not owner_doubts(mail, ws))


def _name_spoof(mail: Mail, ws: Workspace) -> str | None:
    """The owner's or an assistant's name on another address."""
    sender = mail.sender
    if sender is None or not sender.name:
        return None
    shown = name_tokens(sender.name)
    people = [("owner", ws.owner.name, [ws.owner.email, ws.owner.agent_email])]
    people += [(f"assistant:{a.id}", a.name, [a.email]) for a in ws.people]
    for who, name, emails in people:
        tokens = name_tokens(name)
        if len(tokens) >= 2 and tokens <= shown and not any(_same(sender.email, e)
                                                            for e in emails):
            return f"name-of-{who}"
    return None


def spoofing(outer: Mail, acted_on: Mail, ws: Workspace) -> list[str]:
    """Signs of a forged sender (flagged, shown to the owner, never acted on alone)."""
    found = [_FORGED[d] for d in outer.identity if d in _FORGED]
    if outer.sender is not None and _same(outer.sender.email, ws.owner.email):
        # a failed check or another Sender: forged; no result at all only costs her status
        found += [d for d in owner_doubts(outer, ws) if d != "owner-auth-missing"]
    for mail in {id(outer): outer, id(acted_on): acted_on}.values():
        named = _name_spoof(mail, ws)
        if named and named not in found:
            found.append(named)
    return found


def _with_loop(mail: Mail, ws: Workspace) -> Mail:
    """Mail from (or answering to) the agent's own address, or an X-Loop naming it: the
    agent would answer itself."""
    agent = ws.owner.agent_email
    if not agent:
        return mail
    reply = mail.reply_address
    loop = None
    if mail.sender is not None and _same(mail.sender.email, agent):
        loop = "from the agent's own address"
    elif reply is not None and _same(reply.email, agent):
        loop = "reply to the agent's own address"
    elif any(agent.lower() in v.lower() for v in mail.automation.x_loop):
        loop = "X-Loop"
    if loop is None:
        return mail
    return mail.model_copy(update={"automation": mail.automation.model_copy(
        update={"loop": loop})})


def _localize(mail: Mail, ws: Workspace, fallback: datetime | None) -> Mail:
    """Forwarded header blocks carry no zone (or no date): assume the owner's zone."""
    date = mail.date or fallback
    if date is not None and date.tzinfo is None:
        date = date.replace(tzinfo=ws.owner.zone)
    return mail.model_copy(update={"date": date})


def _with_language(mail: Mail, ws: Workspace) -> Mail:
    if mail.language != "und":
        return mail
    return mail.model_copy(update={"language": ws.owner.languages[0]})


def build_view(parsed: ParsedMessage, ws: Workspace, received_at: datetime,
               ibans: IbanHistory | None = None) -> MessageView:
    """The view stage: for mail the owner forwarded, the inner message and the owner's note.

    A forward from anyone else — or from the owner's address without her authentication —
    is that sender's own message: its sender gets the answer, and nothing in it counts as
    the owner's word. `received_at` is when the agent got the mail, by its own clock;
    `ibans` looks up the bank accounts this sender used before (the store, through Deps).
    """
    outer = _with_loop(parsed.outer, ws)
    from_owner = is_owner(outer, ws)
    owner_forwarded = parsed.forwarded is not None and from_owner
    if owner_forwarded and parsed.forwarded is not None:
        mail = _with_loop(_localize(parsed.forwarded, ws, outer.date), ws)
        note = parsed.forward_note
    else:
        body = outer.body
        if parsed.forwarded is not None:  # keep the forwarded text: it is what they sent
            body = body.model_copy(update={"new": body.full})
        mail = _localize(outer.model_copy(update={"body": body}), ws, None)
        note = ""
    mail = _with_language(mail, ws)
    methods = [c.method for c in mail.calendar if c.method]
    forged = spoofing(outer, mail, ws)
    scan = scan_risks(mail, note, ibans(mail) if ibans is not None else [])
    risks = list(scan.risks)
    if forged:
        risks.append(Risk.spoofing)
    return MessageView(
        parsed=parsed,
        mail=mail,
        owner_forwarded=owner_forwarded,
        from_owner=from_owner,
        owner_note=note,
        risks=risks,
        calendar_method=methods[0] if methods else None,
        received_at=received_at,
        spoofing=forged,
        unverified_owner=(outer.sender is not None and _same(outer.sender.email, ws.owner.email)
                          and not from_owner),
        ibans=scan.ibans,
        known_ibans=scan.known_ibans,
    )
