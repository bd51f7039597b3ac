from django.urls import path

from . import views

urlpatterns = [
    path("statistics/on-time/", views.ontime_page, name="ontime-page"),
    path("statistics/on-time/export.csv", views.ontime_csv, name="ontime-csv"),
    path("statistics/on-time/job/", views.ontime_job, name="ontime-job"),
]
