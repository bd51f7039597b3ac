from django.urls import path

from . import switch_views as views

urlpatterns = [
    path("switches/", views.switch_list, name="switch-list"),
    path("switches/new/<int:order_pk>/", views.switch_request, name="switch-request"),
    path("switches/<int:pk>/", views.switch_detail, name="switch-detail"),
    path("switches/<int:pk>/<str:step>/", views.switch_action, name="switch-action"),
]
