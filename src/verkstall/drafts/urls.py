from django.urls import path

from . import views

urlpatterns = [
    path("drafts/<slug:kind>/<int:pk>/<slug:field>/", views.draft_save, name="draft-save"),
    path(
        "drafts/<slug:kind>/<int:pk>/<slug:field>/discard/",
        views.draft_discard,
        name="draft-discard",
    ),
]
