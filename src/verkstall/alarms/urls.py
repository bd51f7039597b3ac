from django.urls import path

from . import views

urlpatterns = [
    path("alarms/", views.alarm_inbox, name="alarm-inbox"),
    path(
        "alarms/moves/<int:pk>/confirm/",
        views.confirm_contact_move,
        name="alarm-contact-move-confirm",
    ),
    path("orders/<int:pk>/alarm/", views.order_alarm, name="order-alarm"),
    path("orders/<int:pk>/meal/", views.order_meal, name="order-meal"),
]
