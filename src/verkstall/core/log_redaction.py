"""Keep personnummer out of log lines (ARCHITECTURE "Conventions", SPEC R10).

The application never logs one, but Django does log request paths: a 404 for
`/api/persons/19300101-9805/` (an integration that put the number where the id belongs) wrote
the number to the log (found by tests/test_no_personal_numbers_leak.py). This filter replaces
every valid personnummer or samordningsnummer in a record's message and arguments with
`[personnummer]`; numbers that do not validate (phone numbers, ids) are left as they are.

CoreConfig.ready() attaches it to Django's request loggers; settings.LOGGING may also put it
on every handler (`"filters": {"personal_numbers": {"()": "verkstall.core.log_redaction.
RedactPersonalNumbers"}}`), which covers every logger.
"""

from __future__ import annotations

import logging
import re

from .personal_number import InvalidPersonalNumber, parse_personal_number

CANDIDATE = re.compile(r"(?<![\d])(?:\d{8}|\d{6})[-+]?\d{4}(?![\d])")
MASK = "[personnummer]"
#: A secret in a URL path (the calendar feed's address, deadlines/calendar_urls.py): Django logs
#: the path of a 404, and the secret would let whoever reads the log read the feed.
SECRET_IN_PATH = re.compile(r"(/calendar/)[^/\s?]+(\.ics)")
HIDDEN_PATH_PART = r"\1[hemlig]\2"
REQUEST_LOGGERS = ("django.request", "django.server", "django.security")


def redact(text: str) -> str:
    def mask(match: re.Match) -> str:
        try:
            parse_personal_number(match.group(0))
        except InvalidPersonalNumber:
            return match.group(0)
        return MASK

    return SECRET_IN_PATH.sub(HIDDEN_PATH_PART, CANDIDATE.sub(mask, text))


def _redact_value(value):
    return redact(value) if isinstance(value, str) else value


class RedactPersonalNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {k: _redact_value(v) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(_redact_value(a) for a in record.args)
        return True


def install() -> None:
    """Put the filter on Django's loggers that write request paths."""
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactPersonalNumbers) for f in logger.filters):
            logger.addFilter(RedactPersonalNumbers())
