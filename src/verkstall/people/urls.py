"""Routes of the screens that correct a client's data and relatives and show its history
(people/views.py, R1.1), under /clients/ beside the client page's own routes."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("<int:pk>/history/", views.person_history, name="person-history"),
    path("<int:pk>/relatives/new/", views.relative_add, name="relative-add"),
    path("<int:pk>/relatives/<int:relative_pk>/edit/", views.relative_edit, name="relative-edit"),
    path(
        "<int:pk>/relatives/<int:relative_pk>/remove/",
        views.relative_remove,
        name="relative-remove",
    ),
]
