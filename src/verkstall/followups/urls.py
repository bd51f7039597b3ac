"""Routes of the follow-ups. Included before orders.urls, whose `orders/<pk>/<action>/` would
otherwise take `followups/` as an action."""

from django.urls import path

from . import views

urlpatterns = [
    path("orders/<int:pk>/followups/", views.followup_page, name="followup-page"),
    path("orders/<int:pk>/followups/request/", views.followup_request, name="followup-request"),
    path(
        "orders/<int:pk>/followups/<int:followup_pk>/answer/",
        views.followup_answer,
        name="followup-answer",
    ),
    path("orders/<int:pk>/followups/record/", views.followup_record, name="followup-record"),
    path("orders/<int:pk>/followups/iub-request/", views.iub_request, name="followup-iub-request"),
]
