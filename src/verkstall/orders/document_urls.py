"""Routes of the order document. Included before orders.urls: `orders/<pk>/<action>/` there
would otherwise take `print/` and `delivery/` as actions."""

from django.urls import path

from . import document_views

urlpatterns = [
    path("orders/<int:pk>/document.pdf", document_views.order_pdf, name="order-document-pdf"),
    path("orders/<int:pk>/print/", document_views.order_print, name="order-print"),
    path("orders/<int:pk>/delivery/", document_views.order_delivery, name="order-delivery"),
    path(
        "orders/<int:pk>/delivery/email/",
        document_views.order_email_again,
        name="order-email-again",
    ),
]
