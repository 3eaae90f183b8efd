"""Teams for a job: which active team a mail belongs to (pure; the teams arrive as data).

A sender named by a team wins over a domain, a domain over a keyword; among equals the
team that dissolves first (it was formed for the more pressing job), then by id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.config import Team
from core.models import MessageView, sender_key

_WORD_EDGE = r"(?<![\w-]){}(?![\w-])"


@dataclass(frozen=True)
class TeamMatch:
    team: Team
    by: str  # sender | domain | keyword
    what: str  # the address, domain or keyword that matched


def _domain_of(mail_domain: str, wanted: str) -> bool:
    wanted = wanted.strip().lower().lstrip("@").rstrip(".")
    return bool(wanted) and (mail_domain == wanted or mail_domain.endswith("." + wanted))


def _keyword(text: str, keyword: str) -> bool:
    k = keyword.strip()
    return bool(k) and re.search(_WORD_EDGE.format(re.escape(k)), text, re.I) is not None


def match_team(view: MessageView, teams: list[Team]) -> TeamMatch | None:
    """The team this mail belongs to, if any (teams given are the active ones)."""
    mail = view.mail
    sender = mail.sender
    text = f"{mail.subject}\n{mail.body.new or mail.body.full}\n{view.owner_note}"
    found: list[tuple[int, TeamMatch]] = []
    for t in teams:
        hit: TeamMatch | None = None
        if sender is not None:
            key = sender.key
            hit = next((TeamMatch(t, "sender", s) for s in t.match.senders
                        if sender_key(s) == key), None)
            hit = hit or next((TeamMatch(t, "domain", d) for d in t.match.domains
                               if _domain_of(sender.domain, d)), None)
        hit = hit or next((TeamMatch(t, "keyword", k) for k in t.match.keywords
                           if _keyword(text, k)), None)
        if hit is not None:
            found.append(({"sender": 0, "domain": 1, "keyword": 2}[hit.by], hit))
    if not found:
        return None
    return min(found, key=lambda f: (f[0], str(f[1].team.until), f[1].team.id))[1]
