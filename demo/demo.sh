#!/usr/bin/env bash
# `make demo`: a local SMTP receiver, the demo mailbox triaged as of its own week, a demo
# password and an owner token, then the web UI and API on http://127.0.0.1:8000.
# Nothing leaves this machine: replies and notices land in data/demo-sent-mail/.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
CONFIG=demo/workspace.yaml
NOW="${DEMO_NOW:-2026-11-26T16:00}"
MAIL=data/demo-sent-mail
PASSWORD=demo-passwort-2026

mkdir -p "$MAIL"/{cur,new,tmp}
"$BIN/python" -m aiosmtpd -n -l 127.0.0.1:8025 -c aiosmtpd.handlers.Mailbox "$MAIL" &
RECEIVER=$!
trap 'kill $RECEIVER 2>/dev/null || true' EXIT INT TERM

"$BIN/assistenz" run --config "$CONFIG" --once --progress --now "$NOW"
printf '%s\n' "$PASSWORD" | "$BIN/assistenz" passwd --config "$CONFIG"
TOKEN=$("$BIN/assistenz" token create --config "$CONFIG" --owner)

cat <<INFO

  Assistenz demo — the mailbox of Beispiel Design, replayed as of $NOW

  Web UI:      http://127.0.0.1:8000/          password: $PASSWORD
               (today's queue; open a draft to edit, approve & undo, discard, or correct
               the decision; ? lists the keyboard shortcuts; works at phone width too)
  API docs:    http://127.0.0.1:8000/docs      owner token: $TOKEN
  Sent mail:   $MAIL/new/  (a local SMTP receiver on 127.0.0.1:8025; nothing leaves this machine)

  Approve a draft with curl:
    curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/v1/drafts
    curl -s -X POST -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/v1/drafts/ID/approve \\
         -H 'Content-Type: application/json' -d '{"body": "Guten Tag, …"}'
    ls $MAIL/new/    # the reply arrives after the 10-second undo window

INFO
"$BIN/assistenz" serve --config "$CONFIG" --port 8000
