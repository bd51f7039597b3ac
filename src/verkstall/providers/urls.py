from django.urls import path

from . import import_views, views

urlpatterns = [
    path(
        "clients/<int:person_pk>/services/<int:granted_service_pk>/choice/",
        views.choice,
        name="provider-choice",
    ),
    path(
        "clients/<int:person_pk>/services/<int:granted_service_pk>/proximity/",
        views.proximity,
        name="provider-proximity",
    ),
    path("lov/contracts/", views.contract_list, name="contract-list"),
    path("lov/contracts/import/", views.contract_import, name="contract-import"),
    path("lov/contracts/import/<int:pk>/", import_views.import_job, name="contract-import-job"),
    path("lov/contracts/<int:pk>/capacity/", views.contract_capacity, name="contract-capacity"),
]
