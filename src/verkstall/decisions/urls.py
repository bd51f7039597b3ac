from django.urls import path

from . import views

urlpatterns = [
    path("clients/<int:person_pk>/decisions/new/", views.decision_create, name="decision-create"),
]
