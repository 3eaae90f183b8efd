"""Config errors end in one line naming the field; good configs load with resolved paths."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core.config import ConfigError, load_config
from core.models import Action, Category

GOOD = """\
owner: {name: Anna, email: anna@example.de, languages: [de, en]}
assistants:
  - {id: lena, name: Lena, email: lena@example.de, languages: [de], skills: Buchhaltung}
delegation: {invoice_payment: route}
data_dir: state
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "ws.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_good_config_resolves_paths_against_its_folder(tmp_path: Path) -> None:
    ws = load_config(write(tmp_path, GOOD + "maildir: box\n"))
    assert ws.data_dir == tmp_path / "state"
    assert ws.maildir == tmp_path / "box"
    assert ws.database_url == f"sqlite:///{tmp_path / 'state' / 'assistenz.db'}"
    assert ws.action_for(Category.invoice_payment) is Action.route
    assert ws.action_for(Category.support) is Action.notify  # missing category means notify


def test_contract_v2_keys_load(tmp_path: Path) -> None:
    (tmp_path / "wissen").mkdir()
    ws = load_config(write(tmp_path, GOOD + "knowledge: wissen\nreview: {undo_seconds: 0}\n"))
    assert ws.knowledge == tmp_path / "wissen" and ws.review.undo_seconds == 0
    assert load_config(write(tmp_path, GOOD)).review.undo_seconds == 30


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("{invoice_payment: route}", "{invoices: route}"), "delegation.invoices"),
        (GOOD.replace("{invoice_payment: route}", "{invoice_payment: maybe}"),
         "delegation.invoice_payment"),
        (GOOD.replace("languages: [de], ", "languages: [], "), "assistants[0].languages"),
        (GOOD.replace("languages: [de], ", ""), "assistants[0].languages"),
        (GOOD + "colour: blue\n", "colour: unknown key"),
        (GOOD.replace("email: anna@example.de", "email: not-an-address"), "owner.email"),
        (GOOD + "llm: {model: x, temperature: 0, api_key: sk-123}\n", "llm.api_key: unknown key"),
        (GOOD.replace("languages: [de, en]}", "languages: [de], timezone: Mars/Base}"),
         "owner.timezone"),
        (GOOD.replace("languages: [de, en]}", "languages: [de], working_hours: whenever}"),
         "owner.working_hours"),
        ("owner: [1, 2\n", "invalid YAML at line"),
        ("- just a list\n", "expected a mapping"),
        (GOOD + "imap: {host: h, username: u, password: '${NO_SUCH_VAR_X}'}\n",
         "imap.password: environment variable NO_SUCH_VAR_X is not set"),
        (GOOD + "calendar: {}\n", "calendar"),
        (GOOD + "knowledge: no-such-folder\n", "knowledge:"),
        (GOOD + "review: {undo_seconds: -1}\n", "review.undo_seconds"),
    ],
)
def test_config_errors_name_the_field(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    message = str(err.value)
    assert expected in message
    assert "\n" not in message


def test_duplicate_assistant_ids_are_refused(tmp_path: Path) -> None:
    twin = "  - {id: lena, name: L2, email: l2@example.de, languages: [en], skills: x}\n"
    text = GOOD.replace("assistants:\n", "assistants:\n" + twin)
    with pytest.raises(ConfigError, match="appears twice"):
        load_config(write(tmp_path, text))


def test_secrets_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_IMAP_PW", "s3cret")
    imap = "imap: {host: h, username: u, password: '${TEST_IMAP_PW}'}\n"
    ws = load_config(write(tmp_path, GOOD + imap))
    assert ws.imap is not None and ws.imap.password == "s3cret"


def test_missing_config_file_is_a_clean_exit_2(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "assistenz", "triage", str(tmp_path),
                           "--config", str(tmp_path / "nope.yaml"), "--json"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "config file not found" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
