"""`python -m verkstall faults [--size ci|full] [--database-url URL]` (issue 18 items 1 and 5).

Runs the production processes on 127.0.0.1 against one PostgreSQL database (two application
servers, two task workers, the outbox's mail sender and a local mail server) and, under load,
kills and restarts them: an application server (SIGKILL), PostgreSQL itself, a task worker in
the middle of a job, the mail server. Afterwards the database is checked: every answered write
is there once, every order's state is the fold of its events, every due item equals a fresh
recompute, every mail went out once. Prints a table, then one line of JSON; exits non-zero
when anything was lost, duplicated or half-written, or a server error came back.

Uses (and on first use generates) the benchmark's world; give it a database of its own.
"""

from __future__ import annotations

import json
import os
import tempfile
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from verkstall.core import clock
from verkstall.tooling import bench_selectors, fault_rotation, fault_scenarios, generator_world
from verkstall.tooling import generator_services as generator
from verkstall.tooling.fault_processes import (
    AppServer,
    Background,
    MailSink,
    drop_connections,
    restart_postgresql,
    wait_for_postgresql,
)

SIZES = {
    "ci": {"clients": 200, "lives": 40, "kills": 2, "concurrency": 4, "mail_orders": 10,
           "rotations": 16, "conflicts": 10, "smtp_down_seconds": 4},
    "full": {"clients": 2000, "lives": 300, "kills": 5, "concurrency": 8, "mail_orders": 60,
             "rotations": 60, "conflicts": 40, "smtp_down_seconds": 10},
}  # fmt: skip
#: What the child processes are told: mail to the local server, short waits.
CHILD_ENV = {
    "VERKSTALL_EMAIL_BACKEND": "smtp",
    "VERKSTALL_EMAIL_HOST": "127.0.0.1",
    "VERKSTALL_EMAIL_TIMEOUT": "2",
    "VERKSTALL_OUTBOX_FIRST_RETRY_SECONDS": "1",
    "VERKSTALL_OUTBOX_RETRY_CAP_SECONDS": "8",
    "VERKSTALL_WORKER_LEASE_SECONDS": "4",
    "VERKSTALL_WORKER_BEAT_SECONDS": "1",
    "VERKSTALL_REQUEST_LOG_LEVEL": "WARNING",
}
COUNTS = ("sent", "succeeded", "failed_cleanly", "server_errors", "no_answer")


class Command(BaseCommand):
    help = "Fault runs: processes killed under load, then nothing lost, twice or half-written."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="ci")
        parser.add_argument("--database-url", help="A PostgreSQL database of its own.")
        parser.add_argument(
            "--no-restart",
            action="store_true",
            help="End the database's connections instead of restarting PostgreSQL.",
        )

    def handle(self, *args, **opt):
        if connection.vendor != "postgresql":
            raise CommandError("faults kör mot PostgreSQL: ange --database-url postgres://...")
        sizes = SIZES[opt["size"]]
        started = time.monotonic()
        self._world(sizes["clients"])
        sink = MailSink()  # down until the mail scenario starts it
        os.environ |= {**CHILD_ENV, "VERKSTALL_EMAIL_PORT": str(sink.port)}
        metrics_dir = tempfile.mkdtemp(prefix="verkstall-faults-")
        os.environ["VERKSTALL_METRICS_DIR"] = metrics_dir
        cluster = self._cluster(sink, sizes)
        results = []
        run_started = clock.now()
        try:
            results.append(fault_scenarios.app_server_killed(cluster))
            restart = _end_connections if opt["no_restart"] else restart_postgresql
            results.append(fault_scenarios.postgresql_restarted(cluster, restart))
            wait_for_postgresql()
            results.append(fault_scenarios.same_order_at_once(cluster))
            results.append(fault_scenarios.task_worker_killed(cluster))
            results.append(fault_scenarios.jobs_twice_at_once(cluster))
            results.append(
                fault_rotation.rotation_twice_at_once(cluster, services=sizes["rotations"])
            )
            # Every mail of the run (the mail server was down from the start) goes out once.
            results.append(fault_scenarios.mail_server_down(cluster, run_started))
        finally:
            cluster.stop()
        report = {
            "size": opt["size"],
            "seconds": round(time.monotonic() - started, 1),
            "scenarios": results,
            "lost": sum(len(r["lost"]) for r in results),
            "duplicated": sum(len(r["duplicated"]) for r in results),
            "half_written": sum(len(r["half_written"]) for r in results),
            "server_errors": sum(r["server_errors"] for r in results),
            "not_exercised": sum(len(r.get("not_exercised", [])) for r in results),
        }
        self._table(results)
        self.stdout.write(json.dumps(report, ensure_ascii=False, default=str))
        bad = report["lost"] + report["duplicated"] + report["half_written"]
        if bad or report["server_errors"]:
            raise CommandError("Något gick förlorat, dubblerades, blev halvskrivet eller gav 500.")
        if report["not_exercised"]:  # a run that did not test what it says proves nothing
            raise CommandError("Ett scenario prövade inte det det skulle: se not_exercised.")

    def _world(self, clients: int) -> None:
        generator.ensure_migrated()
        if generator.generated_size() == 0:
            self.stderr.write(f"Genererar {clients} klienter ...")
            generator.generate(clients, seed=1)
            generator.analyze()

    def _cluster(self, sink: MailSink, sizes: dict) -> fault_scenarios.Cluster:
        subjects = bench_selectors.subjects()
        subjects["email_provider"] = generator_world.email_provider(subjects["municipality"])
        generator_world.give_addresses(subjects["municipality"])
        tokens = {
            "officer": generator.api_token(subjects["officer"]),
            "provider": generator.api_token(subjects["transition_provider_user"]),
        }
        database = connection.settings_dict["NAME"]
        connection.close()
        logs = tempfile.mkdtemp(prefix="verkstall-faults-logs-")
        self.stderr.write(f"Loggar från servrarna, arbetarna och e-postsändaren: {logs}")
        servers = [AppServer(workers=2, log=os.path.join(logs, f"web-{n}.log")) for n in range(2)]
        workers = [
            Background("worker", "--interval", "0.5", "--worker-id", f"faults-{n}",
                       log=os.path.join(logs, f"worker-{n}.log"))
            for n in range(2)
        ]  # fmt: skip
        mailer = Background("deliver_mail", "--every", "1", log=os.path.join(logs, "mail.log"))
        for server in servers:
            server.wait_ready()
        return fault_scenarios.Cluster(
            servers=servers, workers=workers, mailer=mailer, sink=sink, database=database,
            subjects=subjects, tokens=tokens, sizes=sizes,
        )  # fmt: skip

    def _table(self, results: list[dict]) -> None:
        w = self.stdout.write
        w(f"{'scenario':34} " + " ".join(f"{c:>14}" for c in COUNTS) + "  lost dup half")
        for r in results:
            counts = " ".join(f"{r[c]:>14}" for c in COUNTS)
            w(
                f"{r['scenario']:34} {counts}  {len(r['lost']):>4} {len(r['duplicated']):>3} "
                f"{len(r['half_written']):>4}"
            )
            problems = r["lost"] + r["duplicated"] + r["half_written"]
            for problem in (problems + r.get("not_exercised", []))[:5]:
                w(f"    {problem}")


def _end_connections(database: str) -> str:
    drop_connections(database)
    return "connections ended"
