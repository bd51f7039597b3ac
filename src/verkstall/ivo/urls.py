from django.urls import path

from . import views

urlpatterns = [
    path("ivo/", views.quarter_page, name="ivo-quarter"),
    path("ivo/create/", views.report_create, name="ivo-create"),
    path("ivo/refresh/", views.report_refresh, name="ivo-refresh"),
    path("ivo/submit/", views.report_submit, name="ivo-submit"),
    path("ivo/report.csv", views.report_csv, name="ivo-csv"),
    path("ivo/report.pdf", views.report_pdf, name="ivo-pdf"),
    path("ivo/cases/<int:pk>/reason/", views.case_reason, name="ivo-case-reason"),
]
