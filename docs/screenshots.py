"""Screenshots of the review UI for the README: the morning queue, a draft card and a
phone-width page, taken by Debian's Chromium (through Playwright) from the demo mailbox
triaged as in `make demo` into a scratch database.

    .venv/bin/python docs/screenshots.py      # writes docs/screenshots/*.png (~1 min)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browserkit import PASSWORD, Guard, Served, launch, log_in, new_context  # noqa: E402
from mailservers import free_port  # noqa: E402

from agent.review import open_points  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
DEMO = ROOT / "demo"
NOW = "2026-11-26T16:00"


def workspace(tmp: Path, port: int) -> Path:
    data = yaml.safe_load((DEMO / "workspace.yaml").read_text())
    data["maildir"] = str(DEMO / "mailbox")
    data["calendar"]["ics"] = str(DEMO / "calendar.ics")
    if "knowledge" in data:
        data["knowledge"] = str(DEMO / data["knowledge"])
    data["data_dir"] = str((DEMO / data["data_dir"]).resolve())
    data["database"] = f"sqlite:///{tmp / 'shots.db'}"
    data.pop("smtp", None)
    data["web"] = {"base_url": f"http://127.0.0.1:{port}"}
    path = tmp / "workspace.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def cli(*args: str, stdin: str | None = None) -> None:
    subprocess.run([sys.executable, "-m", "assistenz", *args], check=True, input=stdin,
                   text=True, capture_output=True)


def shoot(browser: Any, base: str, guard: Guard) -> None:
    desk = new_context(browser, base, guard, viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    log_in(page)
    page.screenshot(path=str(OUT / "queue.png"))
    drafts = page.request.get("/api/v1/drafts").json()
    # the same mail as before the drafts answered from the knowledge (a licence question
    # answered, two left for her as open points), else any draft with an open point
    with_gap = next((d for d in drafts if "licences" in d["subject"]),
                    next((d for d in drafts if open_points(d["body"])), drafts[0]))
    page.goto(f"/messages/{with_gap['message']}")
    page.locator("[data-draft-card]").first.scroll_into_view_if_needed()
    page.screenshot(path=str(OUT / "draft.png"), full_page=True)
    desk.close()
    phone = new_context(browser, base, guard, viewport={"width": 390, "height": 844},
                        is_mobile=True, has_touch=True, device_scale_factor=2)
    page = phone.new_page()
    log_in(page)
    page.goto("/messages")
    page.screenshot(path=str(OUT / "phone.png"))
    phone.close()


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        port = free_port()
        config = workspace(tmp, port)
        cli("run", "--config", str(config), "--once", "--now", NOW)
        cli("passwd", "--config", str(config), stdin=PASSWORD + "\n")
        served = Served(config, port, extra=("--now", NOW))  # as `make demo` serves it
        served.start()
        try:
            guard = Guard()
            with sync_playwright() as p:
                browser = launch(p)
                shoot(browser, served.base, guard)
                browser.close()
            assert guard.clean(), guard.report()
        finally:
            served.stop()
    for name in ("queue", "draft", "phone"):
        sys.stdout.write(f"{OUT / name}.png\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
