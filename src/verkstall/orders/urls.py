from django.urls import path

from . import death_views, views

urlpatterns = [
    path("inbox/", views.provider_inbox, name="provider-inbox"),
    path("orders/", views.order_list, name="order-list"),
    path("orders/<int:pk>/", views.order_detail, name="order-detail"),
    path("orders/<int:pk>/receipt/", views.order_receipt, name="order-receipt"),
    path("orders/<int:pk>/correct-date/", views.order_correct_date, name="order-correct-date"),
    # Steps beside the transitions (issue 16; orders.casework_services), before <action>.
    path("orders/on-behalf/", views.on_behalf_list, name="order-on-behalf-list"),
    path("orders/<int:pk>/not-started/", views.order_not_started, name="order-not-started"),
    path(
        "orders/<int:pk>/support-not-received/",
        views.order_support_not_received,
        name="order-support-not-received",
    ),
    path(
        "orders/<int:pk>/new-client-told/",
        views.order_new_client_told,
        name="order-new-client-told",
    ),
    path("orders/<int:pk>/route/", views.order_route, name="order-route"),
    path("clients/<int:pk>/death/", death_views.client_death, name="client-death"),
    path("orders/<int:pk>/<str:action>/", views.order_action, name="order-action"),
    path("decisions/<int:decision_pk>/orders/new/", views.order_create, name="order-create"),
]
