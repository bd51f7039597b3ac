"""The isolation proof's background jobs (issue 17 item 8; jobs/): in each municipality of a
generated world its LOV administrator or its fee officer starts the month's payment basis as a
CSV file (payments/job_kinds.py, "payment_basis_file"), and the job is run as its task would
run it (jobs.services.run_job).

A job is its starter's alone (jobs/selectors.py). The author's page and file must be served
(200), and the file must name the clients the world paid for this month: every client with
performed time (tooling/isolation_months.py), by name and personnummer (so the check is not
vacuous). Nobody else may open either: not the colleague of the same municipality who may start
the same kind and read the same basis on its own screen (the other of the LOV administrator and
the fee officer), nor a user drawn from the whole world. Both are refused (403 or 404), and their
answers must hold none of the file's client data: each client's name and personnummer is
forbidden there as `extra` of the scan, whatever the oracle allows the reader elsewhere. Mixed
into tooling/isolation_checker.Checker."""

from __future__ import annotations

from dataclasses import dataclass

from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.payments.basis_types import Period
from verkstall.tooling import canaries
from verkstall.tooling.isolation_stats import DETAIL

KIND = "payment_basis_file"
PAGE, FILE = "jobs/{pk}/", "jobs/{pk}/file/"
AUTHORS = (Role.LOV_ADMIN, Role.FEE_OFFICER)


@dataclass(frozen=True)
class FinishedJob:
    author: object
    colleague: object  # the municipality's other reader of the basis
    muni: int
    pk: int
    persons: tuple[int, ...]  # the clients the file names (the job's own record)

    def url(self, template: str) -> str:
        return "/" + template.format(pk=self.pk)


class JobWalks:
    """The checker's background jobs: started and run per municipality, then asked for by
    their author and by other users."""

    def _client_forms(self, person: int) -> tuple[dict[str, str], list[str]]:
        """A client's name canaries (as registered and as corrected since) and personnummer
        forms, each with what it is; and the forms the file must hold: the current first and
        last name (the last one recorded) and the personnummer as the basis writes it."""
        names = [
            rec
            for rec in self.w.canaries
            if rec.person == person and rec.what in ("first name", "last name")
        ]
        forms = {rec.token: rec.what for rec in names}
        number = self.w.numbers[person]
        for form in canaries.number_forms(number):
            forms[form] = "personnummer"
        current = {rec.what: rec.token for rec in names}  # the last of each wins
        return forms, [*current.values(), f"{number[:8]}-{number[8:]}"]

    def _paid_persons(self, muni: int) -> set[int]:
        """The municipality's clients with performed time: on this month's basis (a price per
        performed hour, tooling/isolation_months.py)."""
        orders = set(self.w.performed_time.values())
        return {r.person for o, r in self.w.orders.items() if o in orders and r.muni == muni}

    def _start_jobs(self, period: str) -> list[FinishedJob]:
        from verkstall.jobs import queue_services
        from verkstall.jobs import services as job_services
        from verkstall.jobs.models import Job

        finished = []
        for muni in self.w.municipalities():
            users = {
                role: next(
                    u for u in self.w.users if u.role_enum == role and u.municipality_id == muni
                )
                for role in AUTHORS
            }
            author_role = self.rng.choice(AUTHORS)
            author = users[author_role]
            colleague = next(u for r, u in users.items() if r != author_role)
            params = {"period": period, "provider": None, "format": "csv"}
            try:
                job = queue_services.start_job(author, kind=KIND, params=params)
                status = job_services.run_job(job_id=job.pk)
            except Exception as exc:  # a failure in the service, not a request
                self.stats.errors.append(f"job {KIND} of {author.username}: {exc!r}")
                continue
            job.refresh_from_db()
            if status != Job.Status.DONE or job.status != Job.Status.DONE:
                self.stats.errors.append(
                    f"job {job.pk} ({KIND}) of {author.username}: {status} {job.failure!r}"
                )
                continue
            self.stats.writes_done += 1
            persons = tuple(job.person_ids)
            outside = [p for p in persons if self.w.persons.get(p, (None,))[0] != muni]
            if outside:
                self._crossing(author, f"job {job.pk}: the file names clients {outside}")
            finished.append(FinishedJob(author, colleague, muni, job.pk, persons))
        return finished

    def jobs_walk(self) -> int:
        """Start and run a job per municipality, then read its page and file as its author,
        the colleague and a stranger; returns the requests."""
        period = Period.of(clock.today()).label
        requests = 0
        named = 0  # clients named in the authors' files, across the municipalities
        for job in self._start_jobs(period):
            page, file = job.url(PAGE), job.url(FILE)
            # The author: the page, and the file with every client paid for this month.
            shown = self._call(job.author, "get", page, endpoint=PAGE, screen=True)
            requests += 1
            if shown is not None and shown.status_code != 200:
                self.stats.errors.append(f"{page}: {shown.status_code} for its author")
            elif shown is not None and file not in shown.content.decode():
                self.stats.errors.append(f"{page}: the author's page offers no file")
            got = self._call(job.author, "get", file, endpoint=FILE, screen=True, register="basis")
            requests += 1
            text = ""
            if got is not None and got.status_code != 200:
                self.stats.errors.append(f"{file}: {got.status_code} for its author")
            elif got is not None:
                text = got.content.decode("utf-8-sig", errors="replace")
            expected = self._paid_persons(job.muni)
            if missing := sorted(expected - set(job.persons)):
                self.stats.errors.append(f"{file}: the job does not name the clients {missing}")
            forbidden = {}
            for person in job.persons:
                forms, written = self._client_forms(person)
                if text and not all(form in text for form in written):
                    self.stats.errors.append(f"{file}: client {person} is not in the file")
                elif text:
                    named += 1
                for form, what in forms.items():
                    forbidden[form] = (
                        f"{what} of client {person} in job {job.pk} of user {job.author.pk}"
                    )
            # The colleague and a stranger: refused, and nothing of the file in the answers.
            others = [u for u in self.w.users if u.pk not in (job.author.pk, job.colleague.pk)]
            for reader in (job.colleague, self.rng.choice(others)):
                for template, url in ((PAGE, page), (FILE, file)):
                    response = self._call(
                        reader,
                        "get",
                        url,
                        endpoint=template,
                        screen=True,
                        htmx=template == PAGE and self.rng.random() < 0.3,
                        context=DETAIL,
                        extra=forbidden,
                    )
                    requests += 1
                    if response is None:
                        continue
                    if response.status_code in (403, 404):
                        self.stats.outside_refused += 1
                    else:
                        self._crossing(
                            reader, f"GET {url}: {response.status_code} for another's job"
                        )
        if named == 0:
            self.stats.errors.append(f"jobs walk: no job's file named a client ({period})")
        return requests
