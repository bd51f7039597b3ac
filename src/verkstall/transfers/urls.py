"""Routes of the transfer at an age (SPEC R1.4)."""

from django.urls import path

from . import views

urlpatterns = [
    path("transfers/", views.transfer_list, name="transfer-list"),
    path("clients/<int:pk>/transfer/", views.transfer_person, name="transfer-person"),
]
