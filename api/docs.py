"""The API's description: /openapi.json and /docs (Swagger UI served from /static, so it
works without internet; no inline script, so the CSP holds)."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from api.access import PUBLIC

router = APIRouter(include_in_schema=False)
_PAGE = (resources.files("api") / "templates" / "docs.html").read_text(encoding="utf-8")


@router.get("/openapi.json", dependencies=[PUBLIC])
def openapi(request: Request) -> JSONResponse:
    schema: dict[str, Any] = request.app.openapi()
    return JSONResponse(schema)


@router.get("/docs", dependencies=[PUBLIC])
def docs() -> HTMLResponse:
    return HTMLResponse(_PAGE)
