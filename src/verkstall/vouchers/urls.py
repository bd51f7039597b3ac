from django.urls import path

from . import views

urlpatterns = [
    path("vouchers/orders/<int:pk>/", views.order_vouchers, name="order-vouchers"),
    path("vouchers/orders/<int:pk>/issue/", views.voucher_issue, name="voucher-issue"),
    path("vouchers/orders/<int:pk>/report/", views.report_create, name="voucher-report"),
    path(
        "vouchers/orders/<int:pk>/report-form.pdf",
        views.report_form_pdf,
        name="voucher-report-form",
    ),
    path("vouchers/<int:pk>.pdf", views.voucher_pdf, name="voucher-pdf"),
]
