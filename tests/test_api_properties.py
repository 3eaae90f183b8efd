"""A property-based run over the API's own OpenAPI document (schemathesis generates requests
from /openapi.json): as the owner, as an assistant and without credentials, no request may
end in a server error, and every answer stays inside what the document promises."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from reviewkit import MovableClock, app_for, seeded_store
from schemathesis.core import NotSet

from core.config import Workspace
from service import tasks as lifecycle

# per operation and role; the closing note's figure comes from ASSISTENZ_API_EXAMPLES=25
EXAMPLES = int(os.environ.get("ASSISTENZ_API_EXAMPLES") or 5)


@pytest.mark.parametrize("role", ["owner", "assistant", "nobody"])
def test_no_generated_request_ends_in_a_server_error(ws: Workspace, tmp_path: Path,
                                                     role: str) -> None:
    store = seeded_store(ws, tmp_path, MovableClock())
    lifecycle.tick(store, ws)
    app = app_for(ws, store)
    headers = {}
    if role != "nobody":
        token = store.access.create_token(role, "lena" if role == "assistant" else None)
        headers["Authorization"] = f"Bearer {token}"
    client = TestClient(app, headers=headers, raise_server_exceptions=False)
    schema = schemathesis.openapi.from_dict(app.openapi())
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 20
    made: list[int] = []
    errors: list[str] = []
    for op in operations:
        @given(case=op.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def call(case: schemathesis.Case) -> None:
            extra = {} if isinstance(case.body, NotSet) else {"json": case.body}
            r = client.request(case.method, case.formatted_path, params=case.query or None,
                               headers=dict(case.headers or {}), **extra)
            made.append(r.status_code)
            if r.status_code >= 500 and r.status_code != 501:
                errors.append(f"{case.method} {case.formatted_path}: {r.status_code}")

        call()
    sys.stderr.write(f"{role}: {len(made)} requests, {len(errors)} server errors\n")
    assert errors == []
    assert len(made) >= 100
