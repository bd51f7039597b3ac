from django.urls import path

from . import views

# Included before verkstall.orders.urls, whose "orders/<pk>/<action>/" would catch ours.
urlpatterns = [
    path("clients/<int:person_pk>/journal/", views.case_journal, name="case-journal"),
    path(
        "clients/<int:person_pk>/journal/<int:entry_pk>/document/",
        views.case_document,
        name="case-document",
    ),
    path(
        "orders/<int:order_pk>/provider-journal/", views.provider_journal, name="provider-journal"
    ),
    path("messages/", views.message_list, name="message-list"),
    path("messages/new/", views.message_create, name="message-create"),
    path("messages/<int:pk>/", views.message_detail, name="message-detail"),
]
