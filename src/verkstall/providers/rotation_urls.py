from django.urls import path

from . import rotation_views as views

urlpatterns = [
    path("rotation/", views.rotation_report, name="rotation-report"),
    path("rotation/history.csv", views.rotation_history_csv, name="rotation-history-csv"),
    path(
        "rotation/assign/<int:granted_service_pk>/",
        views.rotation_assign,
        name="rotation-assign",
    ),
    path("rotation/assignments/<int:pk>/", views.rotation_assignment, name="rotation-assignment"),
]
