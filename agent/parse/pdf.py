"""Text of PDF attachments (pypdf), for the rule-2 risk check: new bank details are often
sent as a PDF letter. Bounded: the first pages and characters of files up to a size; a
broken or hostile PDF gives no text, never an error (the worker's budget bounds the rest).
"""

from __future__ import annotations

import io
import logging

MAX_PDF_BYTES = 5 * 1024 * 1024
MAX_PAGES = 5
MAX_CHARS = 32 * 1024

logging.getLogger("pypdf").setLevel(logging.ERROR)  # broken PDFs are common: no log noise


def pdf_text(data: bytes) -> str:
    if not data.startswith(b"%PDF") or len(data) > MAX_PDF_BYTES:
        return ""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data), strict=False)
        out: list[str] = []
        size = 0
        for page in reader.pages[:MAX_PAGES]:
            text = page.extract_text() or ""
            out.append(text)
            size += len(text)
            if size >= MAX_CHARS:
                break
        return "\n".join(out)[:MAX_CHARS]
    except Exception:  # pypdf raises many kinds of errors on broken files
        return ""
