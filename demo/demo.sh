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

printf '%s\n' "$PASSWORD" | "$BIN/assistenz" passwd --config "$CONFIG"
TOKEN=$("$BIN/assistenz" token create --config "$CONFIG" --owner)
LENA=$("$BIN/assistenz" token create --config "$CONFIG" --assistant lena)
API=http://127.0.0.1:8000/api/v1

"$BIN/assistenz" serve --config "$CONFIG" --port 8000 --now "$NOW" &
SERVER=$!
trap 'kill $RECEIVER $SERVER 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 100); do
  curl -sf http://127.0.0.1:8000/api/health >/dev/null && break
  sleep 0.2
done

# A team for a job, formed the way the owner does it in the UI (/teams): mail about the
# website and the shop goes only to Julia and Tom for the next three weeks.
UNTIL=$(date -d "${NOW%%T*} +21 days" +%F)  # on the demo's clock, like everything else
curl -s -o /dev/null -w 'team "Website & Shop": HTTP %{http_code}\n' -X POST "$API/teams" \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"id": "website", "name": "Website & Shop", "members": ["julia", "tom"], "until": "'"$UNTIL"'",
       "match": {"domains": ["webwerk-hosting.de", "certwatch.io"], "keywords": ["Webshop", "SSL-Zertifikat"]}}'

"$BIN/assistenz" run --config "$CONFIG" --once --progress --now "$NOW"

# An Assistenzkette: Lena takes the tax adviser's request for receipts and hands the
# search to her helper Jonas, who sees only what she writes — not the mail.
sleep 3  # the server's next round announces the offers
TASK=$(curl -s -H "Authorization: Bearer $LENA" "$API/tasks?status=offered" | "$BIN/python" -c \
  'import json, sys; print(next((t["id"] for t in json.load(sys.stdin) if "Belege" in t["title"]), ""))')
if [ -n "$TASK" ]; then
  curl -s -o /dev/null -X POST -H "Authorization: Bearer $LENA" "$API/tasks/$TASK/accept"
  curl -s -o /dev/null -w 'chain Lena → Jonas: HTTP %{http_code}\n' -X POST \
    -H "Authorization: Bearer $LENA" -H 'Content-Type: application/json' "$API/tasks/$TASK/delegate" \
    -d '{"to": "jonas", "title": "Belege Oktober heraussuchen",
         "text": "Bitte die Tankbelege und die Rechnung der Druckerei Kessler aus dem Oktober heraussuchen und mir bis Mittwoch schicken."}'
fi

cat <<INFO

  Assistenz demo — the mailbox of Beispiel Design, replayed as of $NOW

  Web UI:      http://127.0.0.1:8000/          password: $PASSWORD
               (today's queue; open a draft to edit, approve & undo, discard, or correct
               the decision; ? lists the keyboard shortcuts; works at phone width too)
  API docs:    http://127.0.0.1:8000/docs      owner token: $TOKEN
  Sent mail:   $MAIL/new/  (a local SMTP receiver on 127.0.0.1:8025; nothing leaves this machine)

  A chain:     Lena handed a part of "Fehlende Belege Oktober" to her helper Jonas —
               open the message under "Alle Nachrichten" to see the chain and its history
  A team:      http://127.0.0.1:8000/teams  ("Website & Shop": the hosting invoice went to Julia)

  Approve a draft with curl:
    curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/v1/drafts
    curl -s -X POST -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/v1/drafts/ID/approve \\
         -H 'Content-Type: application/json' -d '{"body": "Guten Tag, …"}'
    ls $MAIL/new/    # the reply arrives after the 10-second undo window

INFO
wait $SERVER
