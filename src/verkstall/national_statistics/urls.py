from django.urls import path

from . import views

urlpatterns = [
    path("statistics/national/", views.statistics_page, name="national-statistics"),
    path("statistics/national/export/", views.statistics_export, name="national-statistics-export"),
]
