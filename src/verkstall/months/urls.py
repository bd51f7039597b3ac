from django.urls import path

from . import views

urlpatterns = [
    path("months/", views.month_page, name="month-page"),
    path("months/settings/", views.month_settings, name="month-settings"),
]
