from django.urls import path

from . import views

urlpatterns = [
    path("integrationer/", views.client_list, name="integrations"),
    path("integrationer/klienter/", views.client_create, name="api-client-create"),
    path(
        "integrationer/klienter/<int:pk>/nycklar/",
        views.client_key_create,
        name="api-client-key-create",
    ),
    path(
        "integrationer/klienter/<int:pk>/nycklar/<int:token_pk>/aterkalla/",
        views.client_key_revoke,
        name="api-client-key-revoke",
    ),
    path("integrationer/klienter/<int:pk>/avsluta/", views.client_end, name="api-client-end"),
    path("integrationer/klienter/<int:pk>/webhooks/", views.webhook_create, name="webhook-create"),
    path("integrationer/webhooks/<int:pk>/", views.webhook_detail, name="webhook-detail"),
    path(
        "integrationer/webhooks/<int:pk>/skicka-igen/", views.webhook_replay, name="webhook-replay"
    ),
    path("integrationer/webhooks/<int:pk>/aktiv/", views.webhook_active, name="webhook-active"),
]
