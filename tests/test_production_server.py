"""The README's production set-up serves its CSS and scripts (issue 11: "in the documented
production set-up CSS and htmx give 404"; SPEC R10.1 for the API and cache checks).

The steps of README "Running in production", for real: verkstall.settings_production, a
throwaway secret key, SQLite in a temporary VERKSTALL_DATA_DIR, `migrate` and `collectstatic`,
then gunicorn on a free loopback port, reached as a TLS-terminating proxy would reach it
(`X-Forwarded-Proto: https`, VERKSTALL_PROXY_SSL_HEADER). The login page, the CSS and the htmx
script it references, and the API docs' script must all come back 200 with the right types;
the API answers JSON only. Every step has a time limit and gunicorn is stopped in all cases.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

STEP_TIMEOUT = 300  # seconds; collectstatic compresses ~20 MB of API docs bundles
START_TIMEOUT = 60
PROXY = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}


def _environment(data_dir: Path) -> dict[str, str]:
    # Nothing of this process's configuration leaks in (the PostgreSQL CI run's DATABASE_URL,
    # the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE).
    drop = {"DATABASE_URL", "DJANGO_SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "VERKSTALL_DEBUG"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        DJANGO_SETTINGS_MODULE="verkstall.settings_production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        VERKSTALL_ALLOWED_HOSTS="127.0.0.1",
        VERKSTALL_DATA_DIR=str(data_dir),
        VERKSTALL_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO=https",
        PYTHONUNBUFFERED="1",
    )
    return env


def _manage(env, *args) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "verkstall", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen, what: str) -> str:
    try:
        out, err = process.communicate(timeout=STEP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError(f"{what} took longer than {STEP_TIMEOUT} s") from None
    assert process.returncode == 0, f"{what} failed:\n{out}\n{err}"
    return out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _gunicorn(env, port: int, log: Path):
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
            [
                sys.executable,
                "-m",
                "gunicorn",
                "verkstall.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert server.poll() is None, "gunicorn exited:\n" + log.read_text()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start:\n" + log.read_text()
                time.sleep(0.2)
        yield server
    finally:
        if server.poll() is None:
            server.terminate()  # the master stops its workers
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)  # the session gunicorn was started in
                server.wait(timeout=10)


def _get(port: int, path: str, **headers) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={**PROXY, **headers})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _static_file(port: int, url: str, content_type: str) -> bytes:
    assert url.startswith("/static/"), url  # same origin: the CSP's 'self' covers it
    status, headers, body = _get(port, url)
    assert status == 200, (url, status)
    assert headers["content-type"].split(";")[0] in content_type.split("|"), headers
    assert "no-store" not in headers.get("cache-control", "")
    assert "max-age" in headers.get("cache-control", ""), headers  # hashed names: cacheable
    assert body
    return body


_OFFICER = """
from verkstall.access.roles import Role
from verkstall.tooling import testing as build
muni = build.municipality(name="Provkommun")
build.user(Role.OFFICER, muni, unit=build.unit(muni, "Provenheten"), username="prov.officer")
"""


def test_the_documented_production_setup_serves_css_and_htmx(tmp_path):  # R10.1
    env = _environment(tmp_path)
    # README: migrate, collectstatic (independent: run side by side to save time).
    migrate = _manage(env, "migrate", "--noinput")
    collect = _manage(env, "collectstatic", "--noinput")
    _finish(migrate, "migrate")
    _finish(collect, "collectstatic")
    assert (tmp_path / "static" / "staticfiles.json").exists()
    _finish(_manage(env, "shell", "-c", _OFFICER), "creating an officer")
    key = _finish(_manage(env, "create_api_token", "prov.officer", "--days", "1"), "key").strip()

    port = _free_port()
    with _gunicorn(env, port, tmp_path / "gunicorn.log"):
        status, headers, body = _get(port, "/login/")
        assert status == 200, body[:500]
        html = body.decode()
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "no-store" in headers["cache-control"]

        (css,) = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
        assert re.search(r"/site\.[0-9a-f]{12}\.css$", css), css  # the manifest's hashed name
        assert b"{" in _static_file(port, css, "text/css")
        scripts = re.findall(r'<script[^>]* src="([^"]+)"', html)
        (htmx,) = [s for s in scripts if "htmx" in s]
        assert b"htmx" in _static_file(port, htmx, "text/javascript|application/javascript")
        gz_status, gz_headers, _ = _get(port, htmx, **{"Accept-Encoding": "gzip"})
        assert gz_status == 200 and gz_headers.get("content-encoding") == "gzip"

        # Plain HTTP (no proxy header) is sent to HTTPS, static files included.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", css, headers={"Host": "127.0.0.1"})
        redirect = connection.getresponse()
        assert redirect.status == 301 and redirect.getheader("Location").startswith("https://")
        connection.close()

        # The API: JSON only (no browsable API), not cached; its docs and their script work.
        auth = {"Authorization": f"Token {key}"}
        status, headers, body = _get(port, "/api/orders/", **auth)
        assert status == 200, (tmp_path / "gunicorn.log").read_text()[-3000:]
        assert headers["content-type"].startswith("application/json")
        assert headers["cache-control"] == "no-store, private"
        for extra in ({"Accept": "text/html"}, {}):
            path = "/api/orders/" if extra else "/api/orders/?format=api"
            status, headers, body = _get(port, path, **auth, **extra)
            assert status in (404, 406), (path, status)
            assert headers["content-type"].startswith("application/json")
            assert b"<form" not in body and b"<html" not in body.lower()
        status, headers, body = _get(port, "/api/docs/", **auth)
        assert status == 200 and headers["content-type"].startswith("text/html")
        bundle = re.search(r'src="([^"]*swagger-ui-bundle[^"]*\.js)"', body.decode())
        assert bundle, body[:1000]
        _static_file(port, bundle.group(1), "text/javascript|application/javascript")
        status, _, _ = _get(port, "/api/orders/", Authorization="Token not-a-key")
        assert status == 401
