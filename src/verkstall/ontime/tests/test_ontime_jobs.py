"""A large on-time report as a background job (issue 17 item 8, SPEC R9.4 "statistics"): above
VERKSTALL_BACKGROUND_ONTIME_ITEMS due items the page and its CSV start a job that counts month
by month; its page shows the same table as the report in the request, its file is the same
CSV, and it is its starter's alone."""

from __future__ import annotations

import re

from verkstall.jobs import services as job_services
from verkstall.jobs.models import Job
from verkstall.ontime import selectors

from .conftest import MARCH
from .test_statistics import QUERY, URL

TABLE = re.compile(r'<table id="ontime-table".*?</table>', re.S)


def _job_of(response) -> Job:
    assert response.status_code == 302, response.content[:300]
    match = re.fullmatch(r"/jobs/(\d+)/", response["Location"])
    assert match, response["Location"]
    return Job.objects.get(pk=int(match.group(1)))


def test_a_large_report_is_counted_by_a_task_and_shows_the_same_table(stats, client, settings):
    client.force_login(stats.lov)
    page = client.get(URL, QUERY).content.decode()  # 6 items: in the request
    csv = client.get(URL + "export.csv", QUERY).content
    settings.VERKSTALL_BACKGROUND_ONTIME_ITEMS = 5
    # Large: the page shows the filter and a button; nothing is started by a GET.
    offered = client.get(URL, QUERY)
    html = offered.content.decode()
    assert offered.status_code == 200 and 'action="/statistics/on-time/job/"' in html
    assert "Urvalet omfattar 6 bevakningar" in html and 'name="first"' in html
    assert client.get(URL + "export.csv", QUERY)["Location"].startswith(URL + "?")
    assert not Job.objects.exists()
    posted = {**QUERY, "rule": "", "provider": ""}
    job = _job_of(client.post(URL + "job/", posted))
    assert _job_of(client.post(URL + "job/", posted)) == job  # the same work: one job
    assert "Jobbet väntar i kön" in client.get(f"/jobs/{job.pk}/").content.decode()
    assert job_services.run_job(job_id=job.pk) == "done"
    done = client.get(f"/jobs/{job.pk}/").content.decode()
    assert TABLE.search(done).group(0) == TABLE.search(page).group(0)
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in done
    assert "Månaderna 2026-03–2026-03." in done
    assert client.get(f"/jobs/{job.pk}/file/").content == csv
    # Back on the page: the filter again, not a job started on the way.
    back = client.get(f"{URL}?first=2026-03&last=2026-03").content.decode()
    assert 'action="/statistics/on-time/job/"' in back and Job.objects.count() == 1
    assert client.post(URL + "job/", {"first": "mars"}).status_code == 400
    client.force_login(stats.officer)  # another user of the municipality: nothing
    assert client.get(f"/jobs/{job.pk}/").status_code == 404


def test_a_providers_job_is_not_read_once_its_user_is_another_providers(stats, client, settings):
    settings.VERKSTALL_BACKGROUND_ONTIME_ITEMS = 0
    client.force_login(stats.manager_b)
    job = _job_of(client.post(URL + "job/", QUERY))
    job_services.run_job(job_id=job.pk)
    assert client.get(f"/jobs/{job.pk}/").status_code == 200
    stats.manager_b.provider = stats.provider_a
    stats.manager_b.save(update_fields=["provider"])
    assert client.get(f"/jobs/{job.pk}/").status_code == 404


def test_the_job_counts_month_by_month(stats):
    seen = []
    filters = selectors.Filters(first=MARCH.replace(month=1), last=MARCH)
    progressed = selectors.statistics(
        stats.lov, filters, progress=lambda step, done=0, total=0: seen.append((done, total))
    )
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert progressed.rows == selectors.statistics(stats.lov, filters).rows


def test_the_count_that_chooses_is_the_reports_items(stats):
    filters = selectors.Filters(first=MARCH, last=MARCH)
    assert selectors.item_count(stats.lov, filters) == 6  # March, not closed, not February
    assert selectors.item_count(stats.manager_b, filters) == 6  # the average needs them all
