from django.urls import path

from . import views

urlpatterns = [
    path("jobs/<int:pk>/", views.job_page, name="job"),
    path("jobs/<int:pk>/file/", views.job_file, name="job-file"),
]
