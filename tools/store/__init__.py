"""Storage: SQLAlchemy 2 models, Alembic migrations, and one module per responsibility.

    db.py          Database: engine, migrations, session() and transaction()
    messages.py    ingest and dedup, claims, failures and retries, listing
    results.py     a triaged message's decision, draft, tasks, ledger entry … in one commit
    outbox.py      drafts on their way out, sent exactly once
    tasks.py       assistants and their open tasks
    ledger.py      rule 5's reply ledger and calendar offers
    review.py      the owner's review of drafts;  access.py  password, sessions, tokens
    corrections.py the owner's corrections;  calendar_ops.py  pending calendar changes
    accounts.py    the IBANs each sender used (a changed one is a risk)
    inbox.py       the owner's queue and list;  approved.py  her approved replies (learning)
    teams.py       teams for a job (config and UI), active and dissolved

`Store` bundles them for one database and clock.
"""

from __future__ import annotations

from core.clock import Clock
from tools.store.access import Access
from tools.store.accounts import Accounts
from tools.store.db import Database
from tools.store.idempotency import Idempotency
from tools.store.inbox import Inbox
from tools.store.ledger import Ledger
from tools.store.messages import Messages
from tools.store.outbox import OutboxStore
from tools.store.results import Results
from tools.store.review import Review
from tools.store.tasks import Tasks
from tools.store.teams import Teams
from tools.store.webhooks import Webhooks


class Store:
    def __init__(self, url: str, clock: Clock) -> None:
        self.db = Database(url, clock)
        self.messages = Messages(self.db)
        self.results = Results(self.db)
        self.tasks = Tasks(self.db)
        self.ledger = Ledger(self.db)
        self.review = Review(self.db)
        self.access = Access(self.db)
        self.outbox = OutboxStore(self.db)
        self.webhooks = Webhooks(self.db)
        self.idempotency = Idempotency(self.db)
        self.accounts = Accounts(self.db)
        self.inbox = Inbox(self.db)
        self.teams = Teams(self.db)

    @property
    def clock(self) -> Clock:
        return self.db.clock
