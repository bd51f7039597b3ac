"""Structured logs: one JSON object per line (issue 18 item 3, "structured JSON logs without
personal data"), chosen by VERKSTALL_LOG_FORMAT=json (settings.LOGGING; plain text otherwise).

Each line holds `time` (UTC, ISO 8601 with milliseconds), `level`, `logger`, `message`, the
request's `request_id` while a request is served (core/request_log.py sets it; the same id is
the response's X-Request-ID), and for the request log line `method`, `route` (the URL's name,
never its path), `status` and `duration_ms`. Nothing else of a record goes out: an `extra`
that a library attaches (Django's `request`, for one) could hold a path, a user or a query.

The personnummer filter (core/log_redaction.py) sits on the handler and masks the message
and its arguments before this formatter runs; the formatter masks again whatever it writes
(the message, a traceback), so a number in an exception's text is masked as well.
Pure Python, no Django import.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

from .log_redaction import redact

#: The id of the request being served in this context ("" outside a request).
current_request_id: ContextVar[str] = ContextVar("verkstall_request_id", default="")

#: Fields of a record that a line carries when the record has them (the request log's).
REQUEST_FIELDS = ("method", "route", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        request_id = getattr(record, "request_id", "") or current_request_id.get()
        if request_id:
            line["request_id"] = str(request_id)
        for field in REQUEST_FIELDS:
            value = getattr(record, field, None)
            if isinstance(value, bool) or value is None:
                continue
            line[field] = value if isinstance(value, int | float) else redact(str(value))
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            line["exception"] = redact(record.exc_text)
        if record.stack_info:
            line["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(line, ensure_ascii=False, default=str)
