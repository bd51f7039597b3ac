"""The IVO report's screens, exports and API (SPEC R9.5, R10.4): the LOV administrator makes,
exports and sends the report, naming people only as IVO asks; the officer gives the reasons
of the unit's cases; every read is in the access log, the exports as exports."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.test import Client
from rest_framework.test import APIClient

from verkstall.audit.models import AccessLogEntry
from verkstall.core.clock import travel_to
from verkstall.ivo.identity import ivo_number
from verkstall.ivo.models import IvoReport, IvoReportCase

from .conftest import CARE, at

JULY_3 = date(2026, 7, 3)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_reporter_makes_exports_and_sends_the_quarters_report(w):  # R9.5, R10.4
    decision = w.decide(CARE, first_name="Stina")
    person = decision.person
    lov, officer = client_for(w.lov), client_for(w.officer)
    with travel_to(at(JULY_3)):
        page = lov.get("/ivo/?quarter=2026Q2")
        text = page.content.decode()
        assert page.status_code == 200 and "Att rapportera för kvartalet" in text
        assert "Stina" not in text and person.personal_number not in text
        assert lov.post("/ivo/create/", {"quarter": "2026Q2"}).status_code == 302
        report = IvoReport.objects.get(municipality=w.muni, quarter="2026Q2")
        case = report.cases.get()
        refused = lov.post("/ivo/submit/", {"quarter": "2026Q2"}, follow=True)
        assert f"ärende {case.pk}" in refused.content.decode()
        assert IvoReport.objects.get(pk=report.pk).submitted_at is None
        # The officer sees the client by name on the unit's page and gives the reason.
        mine = officer.get("/ivo/?quarter=2026Q2").content.decode()
        assert "Stina" in mine and f'id="case-{case.pk}"' in mine
        theirs = client_for(w.other_officer).get("/ivo/?quarter=2026Q2").content.decode()
        assert "Stina" not in theirs
        blank = officer.post(f"/ivo/cases/{case.pk}/reason/", {f"case-{case.pk}-reason": " "})
        assert blank.status_code == 400
        saved = officer.post(
            f"/ivo/cases/{case.pk}/reason/", {f"case-{case.pk}-reason": "Brist på personal."}
        )
        assert saved.status_code == 302
        other = client_for(w.other_officer).post(
            f"/ivo/cases/{case.pk}/reason/", {f"case-{case.pk}-reason": "Fel enhet."}
        )
        assert other.status_code == 404
        exported = lov.get("/ivo/report.csv?quarter=2026Q2")
        pdf = lov.get("/ivo/report.pdf?quarter=2026Q2")
        assert lov.post("/ivo/submit/", {"quarter": "2026Q2"}).status_code == 302
    assert IvoReport.objects.get(pk=report.pk).is_submitted
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Kvartal", "Ärendetyp", "IVO-id (födelsedatum och T-nummer)"]
    serial = IvoReportCase.objects.get(report=report, person=person).serial
    assert rows[1][2] == ivo_number(person.personal_number, serial)
    assert rows[1][15] == "Brist på personal."
    body = exported.content.decode("utf-8-sig")
    assert "Stina" not in body and "Väntesson" not in body
    for form in (person.personal_number, person.personal_number[2:]):
        assert form not in body
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    for route in ("ivo-csv", "ivo-pdf"):
        logged = AccessLogEntry.objects.filter(route=route, person_id=person.pk)
        assert logged.get().action == "export" and logged.get().user_id == w.lov.pk
    assert AccessLogEntry.objects.filter(
        route="ivo-quarter", person_id=person.pk, user_id=w.officer.pk, action="list"
    ).exists()


def test_the_exports_and_steps_are_the_reporters_alone(w):  # R9.5
    w.decide(CARE)
    with travel_to(at(JULY_3)):
        client_for(w.lov).post("/ivo/create/", {"quarter": "2026Q2"})
        for user in (w.officer, w.staff, w.fee_officer):
            client = client_for(user)
            assert client.get("/ivo/report.csv?quarter=2026Q2").status_code == 403
            assert client.post("/ivo/refresh/", {"quarter": "2026Q2"}).status_code == 403
        for user in (w.staff, w.fee_officer):
            assert client_for(user).get("/ivo/").status_code == 403
        # Another municipality's reporter finds no report of this quarter.
        assert client_for(w.elsewhere_lov).get("/ivo/report.csv?quarter=2026Q2").status_code == 404
        assert client_for(w.lov).get("/ivo/?quarter=2027Q1").status_code == 404
        assert client_for(w.lov).get("/ivo/?quarter=nonsens").status_code == 404


def test_the_api_makes_reasons_and_sends_the_report(w):  # R9.5
    decision = w.decide(CARE)
    api = api_for(w.lov)
    with travel_to(at(JULY_3)):
        made = api.post("/api/ivo-reports/", {"quarter": "2026Q2"}, format="json")
        assert made.status_code == 201, made.content
        body = made.json()
        case = body["cases"][0]
        assert case["kind"] == "new" and case["service_type"] == "hemtjanst-omvardnad"
        assert case["ivo_id"] == ivo_number(decision.person.personal_number, 0)  # the first
        assert "person" not in case and decision.person.personal_number not in made.content.decode()
        again = api.post("/api/ivo-reports/", {"quarter": "2026Q2"}, format="json")
        assert again.status_code == 409
        pk = body["id"]
        refused = api.post(f"/api/ivo-reports/{pk}/submit/", format="json")
        assert refused.status_code == 400 and "reason" in refused.json()
        wrong = api.post(
            f"/api/ivo-reports/{pk}/reason/", {"case": 999999, "reason": "x"}, format="json"
        )
        assert wrong.status_code == 400 and "case" in wrong.json()
        given = api.post(
            f"/api/ivo-reports/{pk}/reason/",
            {"case": case["id"], "reason": "Ingen ledig plats."},
            format="json",
        )
        assert given.status_code == 200 and given.json()["reason"] == "Ingen ledig plats."
        assert api.post(f"/api/ivo-reports/{pk}/refresh/", format="json").status_code == 200
        sent = api.post(f"/api/ivo-reports/{pk}/submit/", format="json")
        assert sent.status_code == 200 and sent.json()["submitted"] is True
        assert api.post(f"/api/ivo-reports/{pk}/submit/", format="json").status_code == 409
        assert [r["quarter"] for r in api.get("/api/ivo-reports/").json()["results"]] == ["2026Q2"]
        assert api_for(w.elsewhere_lov).get(f"/api/ivo-reports/{pk}/").status_code == 404
        assert api_for(w.officer).get("/api/ivo-reports/").status_code == 403
        bad = api.post("/api/ivo-reports/", {"quarter": "2026Q9"}, format="json")
        assert bad.status_code == 400 and "quarter" in bad.json()
