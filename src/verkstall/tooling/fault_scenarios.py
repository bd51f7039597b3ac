"""The scenarios of `python -m verkstall faults` (issue 18 items 1 and 5). Each runs against
the real processes of a `Cluster` and returns what the load saw and what the database shows
afterwards: requests sent, succeeded, failed cleanly, server errors, and what was lost,
duplicated or half-written.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import close_old_connections, connection
from django_tasks.base import TaskResultStatus

from verkstall.core import clock
from verkstall.deadlines.tasks import send_daily_reminders
from verkstall.outbox.delivery_services import message_id
from verkstall.tooling import fault_selectors as checks
from verkstall.tooling import generator_services as generator
from verkstall.tooling.fault_load import STEPS, Driver, Life, Tally, read_etag
from verkstall.tooling.fault_processes import AppServer, Background, MailSink


@dataclass
class Cluster:
    """Application servers, task workers and the mail sender, against one database."""

    servers: list[AppServer]
    workers: list[Background]
    mailer: Background
    sink: MailSink
    database: str
    subjects: dict
    tokens: dict
    sizes: dict
    serial: list[int] = field(default_factory=lambda: [0])

    @property
    def ports(self) -> list[int]:
        return [s.port for s in self.servers]

    def lives(self, count: int, provider) -> list[Life]:
        self.serial[0] += 1
        decisions = generator.make_draft_orders(
            count,
            officer=self.subjects["officer"],
            provider=provider,
            seed=1000 + self.serial[0],
            with_orders=False,
        )
        run = f"f{int(time.time())}-{self.serial[0]}"
        return [Life(decision=d, provider=provider.pk, key=f"{run}-{d}") for d in decisions]

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        for worker in self.workers:
            worker.stop()
        self.mailer.stop()
        self.sink.stop()


def _result(name: str, tally: Tally, lives, **extra) -> dict:
    close_old_connections()
    order_ids = checks.orders_of_lives(lives)
    found = checks.life_problems(lives)
    half = checks.fold_problems(order_ids)
    due = checks.due_differences(order_ids)
    completed = sum(1 for life in lives if set(life.answered.values()) <= {200, 201})
    # A life refused (4xx) or left unanswered at the deadline did not test what it was for;
    # a refusal without a message is not a clean failure.
    untested = [f"{len(lives) - completed} of {len(lives)} lives not completed"] * (
        completed < len(lives)
    )
    untested += [f"a refusal without a clear message: {u}" for u in tally.unclear]
    return {
        "scenario": name,
        **tally.as_dict(),
        "lives": len(lives),
        "completed": completed,
        "lost": found["lost"],
        "duplicated": found["duplicated"],
        "half_written": half + due,
        "not_exercised": untested,
        **extra,
    }


def _during(action, *, after: float, every: float = 0, times: int = 1) -> threading.Thread:
    """Run `action` `times` times in a thread: first after `after` seconds, then `every`."""

    def run():
        time.sleep(after)
        for n in range(times):
            action()
            if n + 1 < times:
                time.sleep(every)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def app_server_killed(cluster: Cluster) -> dict:
    """SIGKILL of an application server (master and workers) in the middle of creates, sends,
    acknowledgements and starts; it is started again and the clients retry."""
    lives = cluster.lives(cluster.sizes["lives"], cluster.subjects["transition_provider"])
    kills = []

    def kill_and_restart():
        server = cluster.servers[len(kills) % len(cluster.servers)]
        server.kill()
        kills.append(time.monotonic())
        time.sleep(0.5)
        server.restart()

    driver = Driver(cluster.ports, cluster.tokens, deadline=time.monotonic() + 600)
    killer = _during(kill_and_restart, after=1.0, every=2.0, times=cluster.sizes["kills"])
    tally = driver.run(lives, concurrency=cluster.sizes["concurrency"])
    killer.join()
    return _result("app server killed (SIGKILL)", tally, lives, kills=len(kills))


def postgresql_restarted(cluster: Cluster, restart) -> dict:
    """PostgreSQL restarted under load: requests fail cleanly (503) and the servers and
    workers go on by themselves."""
    lives = cluster.lives(cluster.sizes["lives"], cluster.subjects["transition_provider"])
    how = []
    connection.close()
    driver = Driver(cluster.ports, cluster.tokens, deadline=time.monotonic() + 600)
    restarter = _during(lambda: how.append(restart(cluster.database)), after=1.0)
    tally = driver.run(lives, concurrency=cluster.sizes["concurrency"])
    restarter.join()
    result = _result("PostgreSQL restarted", tally, lives, how=how[0] if how else "not done")
    if not how:
        result["not_exercised"].append("PostgreSQL was not restarted")
    return result


def _wait(predicate, timeout: float, pause: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        close_old_connections()
        if predicate():
            return True
        time.sleep(pause)
    return False


def task_worker_killed(cluster: Cluster) -> dict:
    """The day's reminders run as a task; its worker is killed (SIGKILL) while the job runs.
    Another worker queues the job again once the dead one's lease is over; each reminder is
    logged once and in exactly one mail."""
    since = clock.now()
    job = send_daily_reminders.enqueue()
    running = _wait(lambda: checks.job_status(job.id) == TaskResultStatus.RUNNING, 60, 0.02)
    victim = None
    if running:
        owner = checks.job_runners(job.id)[-1]
        # The worker that claimed it is one of ours: kill the one whose id it is.
        victim = next((w for w in cluster.workers if w.args[4] == owner), None)
        victim.kill()
    # The other worker finds the job's worker gone once the lease is over and runs it again.
    finished = _wait(lambda: checks.job_status(job.id) == TaskResultStatus.SUCCESSFUL, 120)
    if victim is not None:
        victim.restart()
    found = checks.reminder_problems(since)
    attempts = len(checks.job_runners(job.id))
    return {
        "scenario": "task worker killed (SIGKILL)",
        "sent": 1,
        "succeeded": int(finished),
        "failed_cleanly": 0,
        "server_errors": 0,
        "no_answer": 0,
        "lost": found["lost"] + ([] if finished else [f"job {job.id} not finished"]),
        "duplicated": found["duplicated"],
        "half_written": [],
        "killed_while_running": running,
        "not_exercised": []
        if running and attempts >= 2
        else ["the job was not killed while running"],
        "runs": attempts,
        "reminders": found["reminders"],
    }


def mail_server_down(cluster: Cluster, since) -> dict:
    """SMTP down while orders go to providers by e-mail (and the reminders of the scenario
    before wait): each mail waits in the outbox and goes out once when the server returns."""
    lives = cluster.lives(cluster.sizes["mail_orders"], cluster.subjects["email_provider"])
    driver = Driver(cluster.ports, cluster.tokens, deadline=time.monotonic() + 120)
    # Created and sent: the provider is not connected, the order goes by e-mail.
    tally = driver.run(lives, concurrency=cluster.sizes["concurrency"], steps=STEPS[:2])
    time.sleep(cluster.sizes["smtp_down_seconds"])
    waiting = checks.waiting_mails(since)
    cluster.sink.start()
    # A mail that failed n times waits 2^(n-1) seconds before its next try: wait for the
    # latest of those tries, and a minute more.
    latest = checks.latest_attempt(since)
    wait = 60 + max(0.0, (latest - clock.now()).total_seconds()) if latest else 60
    delivered = _wait(lambda: checks.waiting_mails(since) == 0, timeout=min(wait, 900), pause=0.5)
    found = checks.mail_problems(since, cluster.sink.received, message_id)
    result = _result("SMTP down", tally, lives)
    result["lost"] += found["lost"]
    result["duplicated"] += found["duplicated"]
    result.update(mails=found["mails"], waited_in_outbox=waiting, delivered=delivered)
    return result


def jobs_twice_at_once(cluster: Cluster) -> dict:
    """Two workers and two timers at once (issue 18 item 5): the next day's reminders queued
    twice, taken by both workers together, and the month reminder run by two processes at the
    same moment (as two machines' timers would). Each reminder and each month reminder is
    logged once and mailed once."""
    since = clock.now()
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    jobs = [send_daily_reminders.enqueue(day=tomorrow) for _ in range(2)]
    day = checks.month_reminder_day(cluster.subjects["municipality"])
    timers = [Background("month_reminders", "--today", day.isoformat()) for _ in range(2)]
    done = _wait(
        lambda: all(checks.job_status(j.id) == TaskResultStatus.SUCCESSFUL for j in jobs), 120
    )
    for timer in timers:
        timer.proc.wait(timeout=120)
    reminders = checks.reminder_problems(since)
    months = checks.month_reminder_problems(since)
    runners = {checks.job_runners(j.id)[-1] for j in jobs}
    return {
        "scenario": "two workers, two timers at once",
        "sent": len(jobs) + len(timers),
        "succeeded": (len(jobs) if done else 0) + sum(t.proc.returncode == 0 for t in timers),
        "failed_cleanly": 0,
        "server_errors": 0,
        "no_answer": 0,
        "lost": reminders["lost"] + months["lost"] + ([] if done else ["reminder jobs not done"]),
        "duplicated": reminders["duplicated"] + months["duplicated"],
        "half_written": [],
        "reminders": reminders["reminders"],
        "month_reminders": months["month_reminders"],
        "workers_used": len(runners),
        "month_day": day.isoformat(),
    }


def same_order_at_once(cluster: Cluster) -> dict:
    """Two people change the same order at once (issue 18 item 1): both read it (its ETag),
    then one sends it on one server while the other cancels it on the other, each with
    If-Match. One wins; the other gets 409 `version_conflict` saying what changed."""
    subjects = cluster.subjects
    orders = generator.make_draft_orders(
        cluster.sizes["conflicts"], officer=subjects["officer"],
        provider=subjects["transition_provider"], seed=9000 + cluster.serial[0],
    )  # fmt: skip
    cluster.serial[0] += 1
    driver = Driver(cluster.ports, cluster.tokens, deadline=time.monotonic() + 120)
    tally, lock = Tally(), threading.Lock()
    outcomes: dict[int, list[tuple[str, int, bytes]]] = {pk: [] for pk in orders}

    def write(pk, port_turn, step, body, tag, barrier):
        box = [driver.connect(port_turn), port_turn]
        mine = Tally()
        barrier.wait(timeout=60)
        status, text = driver.request(
            box, mine, "officer", f"/api/orders/{pk}/{step}/", body, f"conflict-{pk}-{step}",
            If_Match=tag,
        )  # fmt: skip
        box[0].close()
        with lock:
            tally.add(mine)
            outcomes[pk].append((step, status, text))

    for pk in orders:
        tag = read_etag(cluster.ports[0], cluster.tokens["officer"], f"/api/orders/{pk}/")
        barrier = threading.Barrier(2)
        pair = [
            threading.Thread(target=write, args=(pk, 0, "send", {}, tag, barrier)),
            threading.Thread(
                target=write,
                args=(pk, 1, "cancel", {"reason": "Fel utförare valdes."}, tag, barrier),
            ),
        ]
        for t in pair:
            t.start()
        for t in pair:
            t.join()
    problems, conflicts = [], 0
    for pk, answers in outcomes.items():
        won = [step for step, status, _ in answers if status == 200]
        refused = [text for _, status, text in answers if status == 409]
        if len(won) != 1 or len(refused) != 1:
            problems.append(f"order {pk}: {[(s, st) for s, st, _ in answers]}")
            continue
        body = json.loads(refused[0])
        if body.get("code") != "version_conflict" or not (
            body.get("changed") or body.get("events")
        ):
            problems.append(f"order {pk}: the refusal does not say what changed: {body}")
        conflicts += 1
    ids = list(outcomes)
    return {
        "scenario": "two people change one order",
        **tally.as_dict(),
        "lost": [],
        "duplicated": problems + checks.one_outcome_problems(ids),
        "half_written": checks.fold_problems(ids) + checks.due_differences(ids),
        "conflicts_reported": conflicts,
    }
