"""Hardening: security headers and CSP, templates that comply, login throttling, deploy check."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from verkstall.core.security import CSP_EXEMPT_PATHS, POLICY

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# HTML e-mail bodies: mail clients need inline styles, and no CSP of ours applies to them.
EMAIL_BODIES = {"deadlines/email/reminder.html", "months/email/reminder.html"}
# Laid out by WeasyPrint only; never served as a web page.
PDF_ONLY = {"decisions/decision_letter.html"}
# Served as the print view too: its <style> block carries the per-request CSP nonce.
NONCED_STYLE_BLOCKS = {
    "orders/order_pdf.html",
    "vouchers/voucher_pdf.html",
    "vouchers/report_form_pdf.html",
    "ivo/report_pdf.html",
}

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def _templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        yield path.relative_to(TEMPLATES).as_posix(), path.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_headers_on_a_normal_page(client, world):  # R10.1
    client.force_login(world.officer)
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    assert POLICY == EXPECTED_CSP
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    html = response.content.decode()
    assert '"includeIndicatorStyles": false' in html
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


@pytest.mark.django_db
def test_login_page_has_the_policy(client):  # R10.1
    response = client.get(reverse("login"))
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP


@pytest.mark.django_db
def test_only_the_api_viewers_are_exempt(client, world):  # R10.1
    assert {"/api/docs/", "/api/redoc/"} == CSP_EXEMPT_PATHS
    client.force_login(world.officer)
    for path in CSP_EXEMPT_PATHS:
        response = client.get(path)
        assert response.status_code == 200
        assert "Content-Security-Policy" not in response.headers
        assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.django_db
def test_print_view_style_block_gets_a_nonce(client, world):  # R10.1
    order = world.order()
    client.force_login(world.officer)
    response = client.get(reverse("order-print", args=[order.pk]))
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"style-src 'self' 'nonce-([^']+)'", csp).group(1)
    assert f'<style nonce="{nonce}">' in response.content.decode()
    assert "script-src 'self';" in csp
    assert "onclick" not in response.content.decode()


def test_no_inline_script_or_style_in_templates():  # R10.1
    problems = []
    for name, text in _templates():
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            problems.append(f"{name}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text) or "javascript:" in text:
            problems.append(f"{name}: event handler or javascript: URL")
        if name in EMAIL_BODIES:
            continue
        if re.search(r"\sstyle\s*=", text):
            problems.append(f"{name}: style attribute")
        if name in PDF_ONLY:
            continue
        for tag in re.findall(r"<style\b[^>]*>", text):
            if name not in NONCED_STYLE_BLOCKS or "csp_nonce" not in tag:
                problems.append(f"{name}: <style> block without the CSP nonce")
    assert problems == []


@pytest.mark.django_db
def test_five_bad_logins_lock_the_username(client, world):  # R10.1
    url = reverse("login")
    for _ in range(5):
        response = client.post(url, {"username": "officer", "password": "wrong"})
    assert response.status_code in (403, 429)
    # Now even the right password is refused, with a clear Swedish page.
    response = client.post(url, {"username": "officer", "password": "pw-test-123"})
    assert response.status_code in (403, 429)
    html = response.content.decode()
    assert "Inloggningen är tillfälligt spärrad" in html
    assert "15 minuter" in html
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP
    assert "_auth_user_id" not in client.session
    # Another user from the same address is not locked.
    response = client.post(url, {"username": "officer2", "password": "pw-test-123"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_success_resets_the_failures(client, world):  # R10.1
    url = reverse("login")
    for _ in range(4):
        client.post(url, {"username": "officer", "password": "wrong"})
    assert client.post(url, {"username": "officer", "password": "pw-test-123"}).status_code == 302
    client.logout()
    for _ in range(4):
        assert client.post(url, {"username": "officer", "password": "wrong"}).status_code == 200
    assert client.post(url, {"username": "officer", "password": "pw-test-123"}).status_code == 302


@pytest.mark.django_db
def test_token_auth_is_untouched_by_axes(client, world):  # R12.2
    from verkstall.access.token_services import issue_token

    _, key = issue_token(user=world.officer)
    response = client.get("/api/persons/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


def _deploy_check(env_extra):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment would not.
    unset = {"DJANGO_SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        DJANGO_SETTINGS_MODULE="verkstall.settings_production",
        VERKSTALL_ALLOWED_HOSTS="verkstall.example.se",
        **env_extra,
    )
    return subprocess.run(
        [sys.executable, "-m", "verkstall", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():  # R10.1
    result = _deploy_check({"DJANGO_SECRET_KEY": secrets.token_urlsafe(50)})
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_need_a_secret_key():  # R10.1
    result = _deploy_check({})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
