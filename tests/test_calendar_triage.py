"""`assistenz triage` with `calendar: {ics: ...}`: a fitting invitation is accepted to its
organizer, a conflicting one becomes a draft (CONTRACT §2, §4 rule 4)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import FIXTURES

pytestmark = __import__("pytest").mark.slow


def test_triage_accepts_fitting_and_drafts_conflicting_invitations() -> None:
    folder = FIXTURES / "scheduling"
    proc = subprocess.run(
        [sys.executable, "-m", "agent.cli", "triage", str(folder / "invite-fits-outlook.eml"),
         str(folder / "invite-conflict-google.eml"), "--config", str(folder / "workspace.yaml"),
         "--json"], capture_output=True, text=True, timeout=300)
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
