"""Routes of the implementation plan. Included before orders.urls, whose
`orders/<pk>/<action>/` would otherwise take `plan/` as an action."""

from django.urls import path

from . import views

urlpatterns = [
    path("orders/<int:pk>/plan/", views.plan_page, name="plan-page"),
    path("orders/<int:pk>/plan/start/", views.plan_start, name="plan-start"),
    path("orders/<int:pk>/plan/<int:plan_pk>/save/", views.plan_save, name="plan-save"),
    path("orders/<int:pk>/plan/<int:plan_pk>/confirm/", views.plan_confirm, name="plan-confirm"),
    path("orders/<int:pk>/plan/<int:plan_pk>/review/", views.plan_review, name="plan-review"),
    path("orders/<int:pk>/plan/<int:plan_pk>/share/", views.plan_share, name="plan-share"),
    path(
        "orders/<int:pk>/plan/<int:plan_pk>/document/",
        views.plan_document,
        name="plan-document",
    ),
]
