"""Structured JSON logs and the request log (issue 18 item 3: "structured JSON logs without
personal data"): core/log_json.py, core/request_log.py, settings.LOGGING."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import uuid

import pytest
from django.test import Client

from verkstall.core.log_json import JsonFormatter
from verkstall.core.log_redaction import MASK, RedactPersonalNumbers
from verkstall.tooling import testing as build

NUMBER = "19121212-1212"  # a valid personnummer (Luhn), the Tax Agency's test number


def _handler(stream) -> logging.Handler:
    """The console handler as settings.LOGGING builds it with VERKSTALL_LOG_FORMAT=json."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactPersonalNumbers())
    handler.setFormatter(JsonFormatter())
    return handler


def _lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_record_is_one_json_object_with_the_personnummer_masked():  # issue 18, R10
    stream = io.StringIO()
    logger = logging.getLogger("verkstall.test_json_logs")
    handler = _handler(stream)
    logger.addHandler(handler)
    try:
        logger.warning("Sökte på %s i listan", NUMBER)
        logger.warning(f"Inget svar för {NUMBER.replace('-', '')}")
    finally:
        logger.removeHandler(handler)
    first, second = _lines(stream)
    assert set(first) == {"time", "level", "logger", "message"}
    assert first["level"] == "WARNING" and first["logger"] == "verkstall.test_json_logs"
    assert first["message"] == f"Sökte på {MASK} i listan"
    assert second["message"] == f"Inget svar för {MASK}"
    assert first["time"].endswith("+00:00") and "T" in first["time"]
    assert NUMBER not in stream.getvalue() and "191212121212" not in stream.getvalue()


def test_the_formatter_masks_an_exception_and_keeps_no_other_extra():  # issue 18
    """Without the filter too: a personnummer in an exception's text is masked, and extras
    that a library attaches (a request, a user) are not written."""
    try:
        raise ValueError(f"bad number {NUMBER}")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    record.user = "handl-qx7"
    record.path = f"/clients/?q={NUMBER}"
    line = json.loads(JsonFormatter().format(record))
    assert "ValueError: bad number [personnummer]" in line["exception"]
    assert NUMBER not in json.dumps(line) and "handl-qx7" not in json.dumps(line)
    assert "user" not in line and "path" not in line


def _run_logging(log_format: str | None) -> str:
    """A process with the real settings logging one warning; its stderr."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "VERKSTALL_LOG_FORMAT")}
    env["DJANGO_SETTINGS_MODULE"] = "verkstall.settings"
    if log_format is not None:
        env["VERKSTALL_LOG_FORMAT"] = log_format
    code = (
        "import django, logging; django.setup(); "
        f"logging.getLogger('verkstall.x').warning('Klient %s saknas', '{NUMBER}')"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 or log_format == "xml", done.stderr
    return done.stderr


def test_the_setting_chooses_json_and_plain_text_stays_the_default():  # issue 18
    line = json.loads(_run_logging("json").strip())
    assert line["message"] == f"Klient {MASK} saknas" and line["logger"] == "verkstall.x"
    assert _run_logging(None).strip() == f"Klient {MASK} saknas"


def test_an_unknown_log_format_is_refused_by_name():  # issue 18
    assert "VERKSTALL_LOG_FORMAT must be 'text' or 'json', not 'xml'" in _run_logging("xml")


# --- the request log --------------------------------------------------------------------------


@pytest.fixture
def request_log():
    stream = io.StringIO()
    logger = logging.getLogger("verkstall.request")
    handler = _handler(stream)
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def test_one_line_per_request_by_route_name_never_the_path_or_query(world, client, request_log):
    # issue 18, R10.4
    person = world.person(personal_number=build.test_number())
    client.force_login(world.officer)
    detail = client.get(f"/clients/{person.pk}/")
    search = client.get(f"/clients/?q={NUMBER}")
    (first, second) = _lines(request_log)
    assert first["route"] == "person-detail" and first["method"] == "GET"
    assert first["status"] == 200 and isinstance(first["duration_ms"], float)
    assert first["level"] == "INFO" and first["logger"] == "verkstall.request"
    assert first["request_id"] == detail["X-Request-ID"]
    assert second["route"] == "person-list" and second["status"] == search.status_code
    assert second["request_id"] == search["X-Request-ID"] != first["request_id"]
    text = request_log.getvalue()
    assert f"/clients/{person.pk}/" not in text and NUMBER not in text and "q=" not in text
    assert world.officer.username not in text


def test_a_proxys_request_id_is_kept_when_it_is_a_uuid(db, request_log):  # issue 18
    nginx_id = uuid.uuid4().hex  # nginx's $request_id: 32 hex digits
    response = Client().get("/healthz", HTTP_X_REQUEST_ID=nginx_id)
    assert response["X-Request-ID"] == str(uuid.UUID(nginx_id))
    junk = Client().get("/healthz", HTTP_X_REQUEST_ID=f"x{NUMBER}")
    assert NUMBER not in junk["X-Request-ID"]
    uuid.UUID(junk["X-Request-ID"])
    ids = [line["request_id"] for line in _lines(request_log)]
    assert ids == [response["X-Request-ID"], junk["X-Request-ID"]]


def test_lines_logged_while_serving_carry_the_request_id(db, monkeypatch):  # issue 18
    stream = io.StringIO()
    logger = logging.getLogger("verkstall.test_json_logs.inner")
    handler = _handler(stream)
    logger.addHandler(handler)

    from verkstall import health

    original = health._database

    def database():
        logger.warning("checking")
        return original()

    monkeypatch.setattr(health, "_database", database)
    try:
        response = Client().get("/readyz")
    finally:
        logger.removeHandler(handler)
    (line,) = _lines(stream)
    assert line["request_id"] == response["X-Request-ID"]
