from django.urls import path

from . import views

urlpatterns = [
    path("orders/<int:pk>/absences/", views.order_absences, name="order-absences"),
    path("absences/<int:pk>/end/", views.end_absence, name="absence-end"),
    path("absences/<int:pk>/report/", views.report_absence, name="absence-report"),
    path(
        "absences/short-term-stay/<int:person_pk>/",
        views.short_term_stay,
        name="short-term-stay",
    ),
    path("notices/", views.notice_list, name="notice-list"),
    path("notices/<int:pk>/acknowledge/", views.acknowledge_notice, name="notice-acknowledge"),
]
