"""`assistenz triage` with `calendar: {ics: ...}`: a fitting invitation is accepted to its
organizer, a conflicting one becomes a draft (CONTRACT §2, §4 rule 4)."""

from __future__ import annotations

import json

import pytest
from clocks import FIXED_NOW, assistenz, iso
from conftest import FIXTURES

pytestmark = pytest.mark.slow


def test_triage_accepts_fitting_and_drafts_conflicting_invitations() -> None:
    """As of Friday 27 Nov 2026 (`--now`), both invitations are for the next week."""
    folder = FIXTURES / "scheduling"
    proc = assistenz("triage", str(folder / "invite-fits-outlook.eml"),
                     str(folder / "invite-conflict-google.eml"),
                     "--config", str(folder / "workspace.yaml"), "--json",
                     "--now", iso(FIXED_NOW))
    assert proc.returncode == 0, proc.stderr
    fits, clash = (json.loads(x) for x in proc.stdout.splitlines())
    assert fits["action"] == "auto"
    assert fits["planned_actions"] == [{
        "type": "accept_invitation", "organizer": "j.hartmann@hartmann-ra.de",
        "uid": "040000008200E00074C5B7101A82E0080000000070F1C2D3E4A5DA01000000000000000010"
               "000000A1B2C3D4E5F60718293A4B5C6D7E8F90"}]
    assert clash["action"] == "draft" and clash["planned_actions"] == []
    assert clash["draft"]["to"] == ["jana@cafe-morgenrot.de"]
    assert "Fotoshooting" not in clash["draft"]["body"]  # the other event stays private


def test_the_same_invitation_after_its_date_is_not_accepted() -> None:
    """The agent's clock decides, not the invitation's own dates: a week later the meeting
    is over, and nothing is accepted."""
    folder = FIXTURES / "scheduling"
    proc = assistenz("triage", str(folder / "invite-fits-outlook.eml"),
                     "--config", str(folder / "workspace.yaml"), "--json",
                     "--now", "2026-12-08T10:00")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["action"] == "notify"
    assert out["planned_actions"] == [{"type": "notify_owner", "reason": "cal_past"}]


def test_bad_now_is_a_usage_error() -> None:
    proc = assistenz("triage", str(FIXTURES / "scheduling" / "invite-fits-outlook.eml"),
                     "--config", str(FIXTURES / "scheduling" / "workspace.yaml"), "--json",
                     "--now", "next tuesday")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "--now" in proc.stderr
