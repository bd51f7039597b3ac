"""The processes of the fault runs (issue 18 items 1 and 5): application servers (gunicorn,
as measure_http starts it for the benchmark), task workers (`python -m verkstall worker`), the
outbox's mail sender (`deliver_mail --every`), a local SMTP server that counts what it is
given, and PostgreSQL itself. Each can be killed and started again on the same address.
"""

from __future__ import annotations

import contextlib
import email
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

from verkstall.tooling.measure_http import Server, children, free_port, stop_process

PYTHON = [sys.executable, "-m", "verkstall"]


class AppServer:
    """gunicorn on a fixed loopback port, killed with SIGKILL (master and workers) and started
    again on the same port."""

    def __init__(self, *, workers: int = 2, log: str = os.devnull):
        self.workers = workers
        self.log = open(log, "ab")  # noqa: SIM115 - kept open for the server's life
        self.server = Server(workers=workers, threads=1, worker_class="sync", log=self.log)
        self.port = self.server.port

    def wait_ready(self) -> None:
        self.server.wait_ready()

    def kill(self) -> None:
        pids = [self.server.proc.pid, *children(self.server.proc.pid)]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.server.proc.wait()

    def restart(self) -> None:
        self.server = Server(
            workers=self.workers, threads=1, worker_class="sync", port=self.port, log=self.log
        )
        self.server.wait_ready()

    def worker_pids(self) -> list[int]:
        return children(self.server.proc.pid)

    def stop(self) -> None:
        self.server.stop()
        self.log.close()


class Background:
    """A command of ours run as its own process (a task worker, the mail sender)."""

    def __init__(self, *args: str, log: str = os.devnull):
        self.args = list(args)
        self.log = log
        self.proc = self._start()

    def _start(self) -> subprocess.Popen:
        with open(self.log, "ab") as log:
            return subprocess.Popen(  # noqa: S603 - our own fixed command
                [*PYTHON, *self.args], stdout=log, stderr=log
            )

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def restart(self) -> None:
        self.kill()
        self.proc = self._start()

    def stop(self) -> None:
        stop_process(self.proc)


class MailSink:
    """A local SMTP server (aiosmtpd) that counts each Message-ID it accepts; stopped and
    started again on the same port to play a mail server that is down for a while."""

    def __init__(self):
        self.port = free_port()
        self.received: Counter = Counter()
        self.lock = threading.Lock()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.received[message.get("Message-ID", "")] += 1
        return "250 OK"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def restart_postgresql(database: str) -> str:
    """Restart the PostgreSQL cluster on this machine (pg_ctlcluster, as root); where that
    cannot be done, end every connection to `database` and refuse new ones for three seconds,
    which is what the application sees of a restart. Returns which of the two was done."""
    clusters = "/etc/postgresql"
    tool = "/usr/bin/pg_ctlcluster"
    if (
        os.geteuid() == 0
        and os.path.exists(tool)
        and os.path.isdir(clusters)
        and os.listdir(clusters)
    ):
        version = sorted(os.listdir(clusters))[-1]
        done = subprocess.run(  # noqa: S603 - a fixed command
            [tool, "--skip-systemctl-redirect", version, "main", "restart"],
            capture_output=True,
            check=False,
        )
        if done.returncode == 0:
            return "restart"
    drop_connections(database)
    return "connections ended"


def drop_connections(database: str) -> None:
    import psycopg
    from django.db import connection

    params = {k: v for k, v in connection.get_connection_params().items() if k != "dbname"}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        time.sleep(3)
        admin.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true')


def wait_for_postgresql(timeout: float = 60) -> None:
    """Until the application's database takes connections again."""
    from django.db import connection

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection.close()
            connection.ensure_connection()
            return
        except Exception:  # not up yet
            time.sleep(0.3)
    raise RuntimeError("PostgreSQL did not come back")
