from django.urls import path

from . import views

urlpatterns = [
    path("inbox/", views.provider_inbox, name="provider-inbox"),
    path("orders/", views.order_list, name="order-list"),
    path("orders/<int:pk>/", views.order_detail, name="order-detail"),
    path("orders/<int:pk>/receipt/", views.order_receipt, name="order-receipt"),
    path("orders/<int:pk>/correct-date/", views.order_correct_date, name="order-correct-date"),
    path("orders/<int:pk>/<str:action>/", views.order_action, name="order-action"),
    path("decisions/<int:decision_pk>/orders/new/", views.order_create, name="order-create"),
]
