from django.urls import path

from . import views

urlpatterns = [
    path("log/", views.log_review, name="log-review"),
    path("log.csv", views.log_export, name="log-export"),
]
