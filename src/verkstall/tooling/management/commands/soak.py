"""`python -m verkstall soak [--minutes 10] [--database-url URL]` (issue 18 item 6).

Simulated officers and providers through the API for the given minutes against gunicorn (the
production unit's worker count, no worker recycling), on the benchmark's world (generated on
first use). Prints a table and one line of JSON: requests by outcome, read latency, and each
worker's memory after the first minute, at the end and its growth over the second half. Exits
non-zero on a server error. Figures go to bench/RESULTS.md.
"""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from verkstall.tooling import bench_selectors, generator_world
from verkstall.tooling import generator_services as generator
from verkstall.tooling.fault_load import Life
from verkstall.tooling.measure_http import Server, children
from verkstall.tooling.soak_load import Soak, memory_trend


class Command(BaseCommand):
    help = "Soak: simulated officers and providers through the API; memory per worker."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=float, default=10)
        parser.add_argument("--clients", type=int, default=2000, help="World size if generated.")
        parser.add_argument("--workers", type=int, default=5)
        parser.add_argument("--concurrency", type=int, default=6)
        parser.add_argument("--lives", type=int, default=3000, help="Orders created at most.")
        parser.add_argument("--database-url", help="A database of its own.")

    def handle(self, *args, **opt):
        generator.ensure_migrated()
        if generator.generated_size() == 0:
            self.stderr.write(f"Genererar {opt['clients']} klienter ...")
            generator.generate(opt["clients"], seed=1)
            generator.analyze()
        subjects = bench_selectors.subjects()
        generator_world.give_addresses(subjects["municipality"])
        provider = subjects["transition_provider"]
        decisions = generator.make_draft_orders(
            opt["lives"], officer=subjects["officer"], provider=provider, seed=int(time.time()),
            with_orders=False,
        )  # fmt: skip
        run = f"soak{int(time.time())}"
        lives = [Life(decision=d, provider=provider.pk, key=f"{run}-{d}") for d in decisions]
        tokens = {
            "officer": generator.api_token(subjects["officer"]),
            "provider": generator.api_token(subjects["transition_provider_user"]),
        }
        connection.close()
        server = Server(workers=opt["workers"], threads=1, worker_class="sync")
        samples: list = []
        try:
            server.wait_ready()
            soak = Soak(port=server.port, tokens=tokens, lives=lives, seconds=opt["minutes"] * 60)
            result = soak.run(
                concurrency=opt["concurrency"],
                samples=samples,
                worker_pids=lambda: children(server.proc.pid),
            )
        finally:
            server.stop()
        result |= {"minutes": opt["minutes"], "workers": opt["workers"]}
        result["memory"] = memory_trend(samples)
        w = self.stdout.write
        for kind in ("writes", "reads"):
            t = result[kind]
            w(
                f"{kind:7} sent {t['sent']:>7} ok {t['succeeded']:>7} "
                f"refused {t['failed_cleanly']:>5} server errors {t['server_errors']:>3} "
                f"no answer {t['no_answer']:>3}"
            )
        mem = result["memory"]
        w(
            f"memory MiB after 1 min {mem.get('after_first_minute_mib')}, at end "
            f"{mem.get('at_end_mib')}, second half growth {mem.get('second_half_growth_mib')}"
        )
        self.stdout.write(json.dumps(result, ensure_ascii=False))
        if result["writes"]["server_errors"] or result["reads"]["server_errors"]:
            raise CommandError("Serverfel under soak-körningen.")
