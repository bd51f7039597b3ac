from django.urls import path

from . import views

urlpatterns = [
    path("fee-notices/", views.inbox, name="fee-notice-inbox"),
    path("fee-notices/<int:pk>/handle/", views.handle, name="fee-notice-handle"),
    path("orders/<int:pk>/fee-notices/", views.order_fee_notices, name="order-fee-notices"),
]
