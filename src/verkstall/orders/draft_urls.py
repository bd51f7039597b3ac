"""The route of the draft correction (orders/draft_views.py), included before orders.urls:
`orders/<pk>/<action>/` would take it otherwise."""

from django.urls import path

from . import draft_views

urlpatterns = [
    path("orders/<int:pk>/edit/", draft_views.draft_edit, name="order-draft-edit"),
]
