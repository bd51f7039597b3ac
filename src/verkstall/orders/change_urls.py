from django.urls import path

from . import change_views as views

urlpatterns = [
    path("orders/<int:pk>/change/report/", views.change_report, name="order-change-report"),
    path("orders/<int:pk>/change/reissue/", views.change_reissue, name="order-change-reissue"),
]
