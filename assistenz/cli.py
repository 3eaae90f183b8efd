"""The `assistenz` command (CONTRACT §2 and §5)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from core.clock import Clock
from core.config import ConfigError, Workspace, load_config
from core.models import Action, Category

EXIT_USAGE = 2
log = logging.getLogger("assistenz")


class _Parser(argparse.ArgumentParser):
    """Bad arguments end in one line on stderr and exit status 2 (CONTRACT §2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _fail(message: str) -> NoReturn:
    sys.stderr.write(f"assistenz: error: {message}\n")
    raise SystemExit(EXIT_USAGE)


def _config(args: argparse.Namespace) -> Workspace:
    try:
        return load_config(args.config)
    except ConfigError as exc:
        _fail(f"config: {exc}")


def _clock(args: argparse.Namespace, ws: Workspace) -> Clock:
    """The agent's clock: the real one, or `--now` (read in the owner's time zone when it
    has no offset) advancing from there."""
    from core.clock import clock_from, parse_now, system_clock

    if args.now is None:
        return system_clock
    try:
        return clock_from(parse_now(args.now, ws.owner.zone))
    except ValueError as exc:
        _fail(str(exc))


def _add_now(p: argparse.ArgumentParser) -> None:
    p.add_argument("--now", metavar="ISO-8601",
                   help="the agent's clock starts at this moment (e.g. 2026-12-01T09:30; "
                        "without an offset it is the owner's time zone), to replay a "
                        "mailbox as of then; default: the real time")


def _add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", required=True, metavar="FILE",
                   help="the workspace YAML file (see README: Configuration)")


def _emit(obj: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


# --- triage -----------------------------------------------------------------------------


def cmd_triage(args: argparse.Namespace) -> int:
    from service.batch import triage_inputs
    from tools.files import InputError, check_inputs

    ws = _config(args)
    try:
        check_inputs(args.paths)
    except InputError as exc:
        _fail(str(exc))
    clock = _clock(args, ws)
    for result in triage_inputs(ws, args.paths, progress=args.progress, clock=clock):
        if args.json:
            _emit(result)
        else:
            sys.stdout.write(_human_line(result) + "\n")
    return 0


def _human_line(r: dict[str, object]) -> str:
    if "error" in r:
        return f"{r['file']}: ERROR {r['error']}"
    who = f" → {r['assignee']}" if r.get("assignee") else ""
    return (f"{r['file']}: {r['category']} / {r['priority']} / {r['action']}{who} "
            f"({r['confidence']:.2f}) — {r['explanation']}")


# --- live commands (storage) ------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    from service.runner import run

    ws = _config(args)
    return run(ws, once=args.once, progress=args.progress, clock=_clock(args, ws))


def cmd_items(args: argparse.Namespace) -> int:
    from service.runner import list_items

    for item in list_items(_config(args), status=args.status):
        if args.json:
            _emit(item)
        else:
            sys.stdout.write(
                f"{item['id']:>5} {item['status']:<10} {item['category'] or '-':<16} "
                f"{item['action'] or '-':<7} {item['assignee'] or '-':<10} {item['subject']}\n")
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    from service.runner import retry

    count = retry(_config(args), ids=args.ids)
    sys.stderr.write(f"assistenz: {count} message(s) queued again; run `assistenz run --once`\n")
    return 0


def cmd_correct(args: argparse.Namespace) -> int:
    from service.learning import Correction, CorrectionError, correct
    from service.runner import open_store

    ws = _config(args)
    try:
        change = correct(ws, open_store(ws), Correction(
            message_id=args.id, category=Category(args.category) if args.category else None,
            action=Action(args.action) if args.action else None, assignee=args.assignee))
    except CorrectionError as exc:
        _fail(str(exc))
    before, after = change["before"], change["after"]
    sys.stderr.write(f"assistenz: message {args.id}: {before} → {after}; "
                     "learned for similar mail\n")
    if args.json:
        _emit(change)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from api.server import ServeError, serve

    ws = _config(args)
    try:
        return serve(ws, host=args.host, port=args.port, clock=_clock(args, ws))
    except ServeError as exc:
        _fail(str(exc))


# --- people and access (CONTRACT §6) ----------------------------------------------------


def _read_password() -> str:
    """The first line of standard input when it is not a terminal, else asked twice."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("New password for the web UI: ")
    if getpass.getpass("Once more: ") != first:
        _fail("the two passwords differ")
    return first


def cmd_passwd(args: argparse.Namespace) -> int:
    from service.auth import PasswordError, set_password
    from service.runner import open_store

    ws = _config(args)
    password = _read_password()
    try:
        set_password(open_store(ws), password)
    except PasswordError as exc:
        _fail(str(exc))
    sys.stderr.write("assistenz: password set; every earlier browser session has ended\n")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from service.runner import open_store

    ws = _config(args)
    store = open_store(ws)
    if args.action == "create":
        if not args.owner and args.assistant is None:
            _fail("token create needs --owner or --assistant ID")
        if args.assistant is not None and ws.assistant(args.assistant) is None:
            known = ", ".join(a.id for a in ws.people) or "none"
            _fail(f"no assistant {args.assistant!r} (known: {known})")
        role = "owner" if args.owner else "assistant"
        sys.stdout.write(store.access.create_token(role, args.assistant) + "\n")
        return 0
    prefix = args.prefix or ""
    if len(prefix) < 8:
        _fail("give at least the first 8 characters of the token to revoke")
    found = store.access.revoke(prefix)
    if found == 0:
        _fail(f"no live token starts with {prefix!r}")
    if found > 1:
        _fail(f"{found} tokens start with {prefix!r}: give more characters")
    sys.stderr.write(f"assistenz: token {prefix}… revoked\n")
    return 0


def cmd_task(args: argparse.Namespace) -> int:
    from service import tasks as lifecycle
    from service.runner import open_store

    ws = _config(args)
    store = open_store(ws)
    if args.action == "list":
        for t in store.tasks.all(args.assistant, args.status):
            if args.json:
                _emit(t.json())
            else:
                sys.stdout.write(f"{t.id:>5} {t.status:<10} {t.assistant_id:<10} {t.title}\n")
        return 0
    if args.id is None:
        _fail(f"task {args.action} needs the task's ID (see `assistenz task list`)")
    try:
        if args.action == "cancel":
            task = lifecycle.cancel(store, ws, args.id, "owner", "withdrawn by the owner")
        else:
            if not args.to:
                _fail("task reassign needs --to ASSISTANT_ID")
            task = lifecycle.reassign(store, ws, args.id, args.to, "owner")
    except lifecycle.TaskError as exc:
        _fail(str(exc))
    sys.stderr.write(f"assistenz: task {task.id} is {task.status} ({task.assistant_id})\n")
    return 0


# --- parser -----------------------------------------------------------------------------

_TRIAGE_HELP = """\
Triage messages read-only: nothing is sent, no mailbox changes, no assistant is called.
PATH is a message file (a leading mbox 'From ' line is fine), a folder of message files
(sorted by name), an mbox file (*.mbox) or a Maildir (a folder with cur/ and new/).

example:
  assistenz triage demo/mailbox --config demo/workspace.yaml --json
"""
_RUN_HELP = """\
Ingest the workspace's mailbox (imap: or maildir:), store every message before acting on
it, triage, and carry out what the rules allow without approval. Without --once it keeps
running and waits for new mail; Ctrl-C stops it cleanly.

example:
  assistenz run --config demo/workspace.yaml --once
"""
_ITEMS_HELP = """\
List the stored messages with their decision and status (new, processed, failed).

example:
  assistenz items --config demo/workspace.yaml --json
"""
_RETRY_HELP = """\
Queue failed messages again (all failed ones, or the ids given); the next run processes them.

example:
  assistenz retry --config demo/workspace.yaml 17 18
"""
_CORRECT_HELP = """\
Correct the agent's decision for a stored message (see `assistenz items`). The corrected
mail becomes an example: the next similar mail is decided the corrected way.

example:
  assistenz correct 17 --category invoice_payment --assignee lena --config demo/workspace.yaml
"""
_TASK_HELP = """\
Tasks routed to assistants: list them, withdraw one (its links end at once), or hand it
to another assistant (the old one's capacity is freed).

example:
  assistenz task list --config demo/workspace.yaml --assistant lena
  assistenz task reassign 12 --to tom --config demo/workspace.yaml
"""
_SERVE_HELP = """\
Serve the web UI and the HTTP API (OpenAPI document at /openapi.json, browsable at /docs),
and send approved replies from the outbox. Listens on 127.0.0.1 unless --host names
another address, which needs an owner password first (`assistenz passwd`).

example:
  assistenz serve --config demo/workspace.yaml --port 8000
"""
_PASSWD_HELP = """\
Set the owner's web password (at least 10 characters): the first line of standard input
when it is not a terminal, else asked twice. Only an argon2 hash is stored; every earlier
browser session ends.

example:
  printf '%s\\n' 'a long password' | assistenz passwd --config demo/workspace.yaml
"""
_TOKEN_HELP = """\
Create an API token (printed once, only its hash is stored) for the owner or for one
assistant, or revoke one by its first 8 or more characters.

example:
  assistenz token create --config demo/workspace.yaml --owner
  assistenz token revoke --config demo/workspace.yaml asz_Xy12
"""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="assistenz", description="Assistenz — an email assistant for solo "
                     "entrepreneurs: triage, drafts, routing to human assistants.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(name: str, text: str, fn: Callable[[argparse.Namespace], int]) -> _Parser:
        p: _Parser = sub.add_parser(name, help=text.split("\n")[0], description=text,
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(fn=fn)
        return p

    p = add("triage", _TRIAGE_HELP, cmd_triage)
    p.add_argument("paths", nargs="+", metavar="PATH")
    _add_config(p)
    p.add_argument("--json", action="store_true", help="one JSON object per message and line")
    p.add_argument("--progress", action="store_true", default=None,
                   help="show a progress bar on stderr (default: when stderr is a terminal)")
    _add_now(p)

    p = add("run", _RUN_HELP, cmd_run)
    _add_config(p)
    p.add_argument("--once", action="store_true", help="process what is waiting, then exit")
    p.add_argument("--progress", action="store_true", default=None,
                   help="show a progress bar on stderr (default: when stderr is a terminal)")
    _add_now(p)

    p = add("items", _ITEMS_HELP, cmd_items)
    _add_config(p)
    p.add_argument("--json", action="store_true", help="one JSON object per message and line")
    p.add_argument("--status", help="only items with this status (new, processed, failed …)")

    p = add("retry", _RETRY_HELP, cmd_retry)
    _add_config(p)
    p.add_argument("ids", nargs="*", type=int, metavar="ID",
                   help="message ids (default: all failed)")

    p = add("correct", _CORRECT_HELP, cmd_correct)
    _add_config(p)
    p.add_argument("id", type=int, metavar="ID", help="the message id from `assistenz items`")
    p.add_argument("--category", choices=[c.value for c in Category])
    p.add_argument("--action", choices=[a.value for a in Action])
    p.add_argument("--assignee", metavar="ASSISTANT_ID")
    p.add_argument("--json", action="store_true", help="print the change as JSON")

    p = add("passwd", _PASSWD_HELP, cmd_passwd)
    _add_config(p)

    p = add("token", _TOKEN_HELP, cmd_token)
    p.add_argument("action", choices=["create", "revoke"])
    p.add_argument("prefix", nargs="?", metavar="PREFIX", help="revoke: the token's start")
    _add_config(p)
    who = p.add_mutually_exclusive_group()
    who.add_argument("--owner", action="store_true", help="create: a token for the owner")
    who.add_argument("--assistant", metavar="ID", help="create: a token for this assistant")

    p = add("task", _TASK_HELP, cmd_task)
    p.add_argument("action", choices=["list", "cancel", "reassign"])
    p.add_argument("id", nargs="?", type=int, metavar="ID")
    _add_config(p)
    p.add_argument("--to", metavar="ASSISTANT_ID", help="reassign: the new assistant")
    p.add_argument("--assistant", metavar="ID", help="list: only this assistant's tasks")
    p.add_argument("--status", help="list: only tasks in this state")
    p.add_argument("--json", action="store_true", help="list: one JSON object per line")

    p = add("serve", _SERVE_HELP, cmd_serve)
    _add_config(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    _add_now(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="assistenz: %(message)s", stream=sys.stderr)
    try:
        result: int = args.fn(args)
    except KeyboardInterrupt:
        sys.stderr.write("assistenz: stopped\n")
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0
    return result


if __name__ == "__main__":
    raise SystemExit(main())
