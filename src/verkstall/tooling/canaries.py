"""Canaries for the isolation proofs (issue 11, deliverable 3; SPEC "Actors", R10.5).

A canary is a distinctive string planted in one organisation's data: a client's name,
address, phone, relatives, a decision's or order's free text, a plan, a message, a journal
entry. The proofs (tooling/isolation_checker.py, tests/test_idor.py) scan every response body they
get -- JSON, HTML screens, htmx partials, the browsable API, CSV, PDF text, e-mail, error
answers -- for the canaries of every scope the reader must not see. A body is scanned as
text: bytes decoded, PDFs through pypdf's text extraction, e-mail as subject, body and
attachments.

Canary tokens look like `KANARIE-<scope>-<8 hex>` (scope: letters and digits). Personnummer
are matched in their 12-digit, 10-digit and hyphenated forms. Test-only: imported by the proofs,
never by the application.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field

PREFIX = "KANARIE"
BODY_KINDS = ("json", "html", "htmx", "browsable-api", "csv", "pdf", "email", "error", "ics")

TOKEN = re.compile(rf"{PREFIX}-[A-Za-z0-9]+-[0-9a-f]{{8}}")
# 12 or 10 digits, with or without the hyphen (or '+' for the 10-digit form of the old).
NUMBER = re.compile(r"(?<!\d)(?:\d{8}|\d{6})[-+]?\d{4}(?!\d)")


def token(rng, scope: str) -> str:
    """A new canary for `scope` (e.g. `m1u0` for a municipality's unit)."""
    scope = re.sub(r"[^A-Za-z0-9]", "", scope) or "x"
    return f"{PREFIX}-{scope}-{rng.getrandbits(32):08x}"


def number_forms(number: str) -> set[str]:
    """A 12-digit personnummer in every written form: 195001019826, 19500101-9826,
    5001019826, 500101-9826."""
    return {number, f"{number[:8]}-{number[8:]}", number[2:], f"{number[2:8]}-{number[8:]}"}


def pdf_text(data: bytes) -> str:
    """The text of a PDF as pypdf extracts it (empty if it is not a readable PDF)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception:  # a broken upload is not this check's business
        return ""


def response_kind(response, *, htmx: bool = False, browsable: bool = False) -> str:
    """Which kind of body a response is, as counted in the figures."""
    content_type = response.get("Content-Type", "") if hasattr(response, "get") else ""
    if browsable:
        return "browsable-api"
    if response.status_code >= 400:
        return "error"
    if "pdf" in content_type:
        return "pdf"
    if "csv" in content_type:
        return "csv"
    if "json" in content_type:
        return "json"
    if "text/calendar" in content_type:
        return "ics"
    return "htmx" if htmx else "html"


def response_text(response) -> str:
    """The body as text: decoded, a PDF through its text, a stream joined."""
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
        response._scanned_content = data  # a stream is read once; keep it for the caller
    else:
        data = response.content
    if data[:5] == b"%PDF-":
        return pdf_text(data)
    text = data.decode("utf-8", errors="replace")
    if "text/calendar" in (response.get("Content-Type", "") if hasattr(response, "get") else ""):
        text = text.replace("\r\n ", "")  # iCalendar's folded lines, unfolded (RFC 5545 3.1)
    return text


def message_texts(message) -> list[tuple[str, str]]:
    """(kind, text) of an e-mail: its headers and body as `email`, a PDF attachment as `pdf`."""
    texts = [
        (
            "email",
            "\n".join([message.subject, message.body, *message.to, *(message.reply_to or [])]),
        )
    ]
    for attachment in message.attachments:
        content = attachment[1] if isinstance(attachment, tuple) else attachment.get_payload()
        if isinstance(content, bytes) and content[:5] == b"%PDF-":
            texts.append(("pdf", pdf_text(content)))
        elif isinstance(content, str):
            texts.append(("email", content))
    return texts


@dataclass
class Scanner:
    """Counts the bodies scanned by kind and records every canary found where it must not be."""

    scanned: Counter = field(default_factory=Counter)
    hits: list[str] = field(default_factory=list)

    def scan(self, text: str, forbidden: dict[str, str], *, kind: str, where: str) -> int:
        """Scan one body; `forbidden` maps each canary (token or personnummer form) the reader
        must not see to what it is. Returns the number of hits."""
        self.scanned[kind] += 1
        found = 0
        for variant in (text, re.sub(r"\s+", "", text) if kind == "pdf" else None):
            if variant is None:
                continue
            for pattern in (TOKEN, NUMBER):
                for match in pattern.finditer(variant):
                    what = forbidden.get(match.group())
                    if what is None:
                        continue
                    start, end = match.span()
                    around = variant[max(0, start - 60) : end + 60].replace("\n", " ")
                    self.hits.append(
                        f"{where} [{kind}]: {what} {match.group()!r} in ...{around}..."
                    )
                    found += 1
            if found:
                break
        return found

    def report(self) -> str:
        counts = ", ".join(f"{kind} {self.scanned[kind]}" for kind in BODY_KINDS)
        return f"response bodies scanned: {counts}\ncanary hits: {len(self.hits)}"


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (the oracle's own, not the application's)."""
    from math import asin, cos, radians, sin, sqrt

    dlat, dlon = radians(lat2 - lat1), radians(lon2 - lon1)
    a = sin(dlat / 2) ** 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(dlon / 2) ** 2
    return 2 * 6371.0088 * asin(sqrt(a))


def distance_forms(km: float) -> set[str]:
    """How a distance may be written on a screen: one or two decimals, point or comma."""
    forms = set()
    for decimals in (1, 2):
        text = f"{km:.{decimals}f}"
        forms |= {text, text.replace(".", ",")}
    return forms
