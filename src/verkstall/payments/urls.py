from django.urls import path

from . import views

urlpatterns = [
    path("payments/prices/", views.price_list, name="payment-prices"),
    path("payments/prices/add/", views.price_add, name="payment-price-add"),
    path("payments/prices/<int:pk>/end/", views.price_end, name="payment-price-end"),
    path("payments/orders/<int:pk>/time/", views.order_time, name="payment-order-time"),
    path("payments/orders/<int:pk>/time/add/", views.time_add, name="payment-time-add"),
    path("payments/time/<int:pk>/change/", views.time_change, name="payment-time-change"),
    path("payments/time/<int:pk>/remove/", views.time_remove, name="payment-time-remove"),
    path("payments/basis/", views.basis_page, name="payment-basis"),
    path("payments/basis/export.<str:fmt>", views.basis_export, name="payment-basis-export"),
    path("payments/basis/export-job/", views.basis_export_job, name="payment-basis-export-job"),
    path("payments/months/close/", views.month_close, name="payment-month-close"),
]
