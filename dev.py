#!/usr/bin/env python3
"""The two set-up commands of the README, on any machine with Python 3.11 and the registries.

    python3 dev.py start   installs into .venv/, migrates, loads demo data, serves :8000 (and
                           runs the task worker for background jobs beside it)
    python3 dev.py test    installs into .venv/ and runs the whole test suite (pytest args pass on)

Only the standard library is used here, since nothing is installed yet when it runs.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".verkstall-installed"
CHROMIUM = "/usr/bin/chromium"


def say(message: str) -> None:
    print(f"[verkstall] {message}", flush=True)


def run(*args: str, env: dict | None = None) -> None:
    subprocess.run(args, check=True, cwd=ROOT, env=env)


def ensure_venv() -> None:
    """Create .venv and install the project when pyproject.toml changed since the last time."""
    if sys.version_info < (3, 11):
        sys.exit("Verkställ needs Python 3.11 or newer.")
    if not PYTHON.exists():
        say("creating .venv/")
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    say("installing dependencies into .venv/ (first run takes a minute)")
    run(str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(str(PYTHON), "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    STAMP.write_text(wanted)


def ensure_chromium() -> None:
    """Browser tests drive Debian's Chromium; install the package if we may (never a download
    by the test tool itself)."""
    if os.path.exists(CHROMIUM) or os.environ.get("VERKSTALL_SKIP_BROWSER") == "1":
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing Debian's chromium for the browser tests")
        run("apt-get", "update", "-qq")
        run("apt-get", "install", "-y", "-qq", "chromium")
    else:
        say(
            "Chromium is missing: run 'sudo apt-get install chromium', or set "
            "VERKSTALL_SKIP_BROWSER=1 to leave the browser tests out of this run."
        )


def ensure_pdf_libraries() -> None:
    """WeasyPrint (order documents and decision letters as PDF) needs Pango and a font."""
    found = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    if "libpangoft2-1.0" in found:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing Pango and fonts for PDF documents")
        run("apt-get", "update", "-qq")
        run(
            "apt-get",
            "install",
            "-y",
            "-qq",
            "libpango-1.0-0",
            "libpangoft2-1.0-0",
            "fonts-dejavu-core",
        )
    else:
        say("PDF documents need Pango: run 'sudo apt-get install libpangoft2-1.0-0'.")


def manage(*args: str) -> None:
    run(str(PYTHON), "-m", "verkstall", *args)


def start(args: list[str]) -> None:
    ensure_venv()
    ensure_pdf_libraries()
    os.environ.setdefault("VERKSTALL_DEBUG", "1")
    manage("migrate", "--no-input", "-v", "0")
    manage("seed_demo")
    # The task worker beside the server: long work (a large contract import, a month's payment
    # basis as a file, the month close, a large statistics report) runs as a background job.
    worker = subprocess.Popen([str(PYTHON), "-m", "verkstall", "worker"], cwd=ROOT)
    say("Verkställ runs on http://127.0.0.1:8000/ (demo users: see README.md). Ctrl-C stops it.")
    try:
        manage("runserver", "127.0.0.1:8000", *args)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()


def test(args: list[str]) -> None:
    ensure_venv()
    ensure_chromium()
    ensure_pdf_libraries()
    extra = []
    if os.environ.get("VERKSTALL_SKIP_BROWSER") == "1":
        extra = ["-m", "not browser"]
    db = os.environ.get("DATABASE_URL") or "SQLite (default)"
    say(f"running the test suite against {db.split('@')[-1]}")
    result = subprocess.run([str(PYTHON), "-m", "pytest", *extra, *args], cwd=ROOT)
    sys.exit(result.returncode)


COMMANDS = {"start": start, "test": test, "setup": lambda args: ensure_venv()}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(f"usage: python3 dev.py {{{'|'.join(COMMANDS)}}} [args...]")
    COMMANDS[sys.argv[1]](sys.argv[2:])
