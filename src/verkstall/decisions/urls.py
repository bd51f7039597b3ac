from django.urls import path

from . import views

urlpatterns = [
    path("clients/<int:person_pk>/decisions/new/", views.decision_create, name="decision-create"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision-detail"),
    path("decisions/<int:pk>/correct/", views.decision_correct, name="decision-correct"),
]
