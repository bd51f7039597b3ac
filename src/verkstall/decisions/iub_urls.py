"""Routes of the requests for a service without needs assessment (IUB, SPEC R1.3)."""

from django.urls import path

from . import iub_views as views

urlpatterns = [
    path(
        "clients/<int:person_pk>/iub-requests/new/",
        views.iub_request_create,
        name="iub-request-create",
    ),
    path("iub-requests/", views.iub_request_list, name="iub-request-list"),
]
