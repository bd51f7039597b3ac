from django.urls import path

from . import views

urlpatterns = [
    path("watchlist/", views.watchlist, name="watchlist"),
    path("watchlist/<int:pk>/", views.due_item_detail, name="watchlist-item"),
]
