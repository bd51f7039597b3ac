"""The client screens' routes (orders/person_views.py), under /clients/."""

from django.urls import path

from . import client_search_views
from . import person_views as views

urlpatterns = [
    path("", views.person_list, name="person-list"),
    # The header's client search and recently opened clients (issue 17 item 5).
    path("search/", client_search_views.client_search, name="client-search"),
    path("recent/", client_search_views.recent_clients, name="client-recent"),
    path("new/", views.person_create, name="person-create"),
    path("<int:pk>/", views.person_detail, name="person-detail"),
    path("<int:pk>/protection/", views.person_protection, name="person-protection"),
    path(
        "<int:pk>/protection-requests/<int:request_pk>/",
        views.protection_request_decide,
        name="protection-request-decide",
    ),
    path("<int:pk>/protected-access/", views.protected_access_grant, name="protected-access-grant"),
    path(
        "<int:pk>/protected-access/<int:grant_pk>/revoke/",
        views.protected_access_revoke,
        name="protected-access-revoke",
    ),
    path(
        "orders/<int:order_pk>/oral-briefing/",
        views.oral_briefing_create,
        name="oral-briefing-create",
    ),
]
