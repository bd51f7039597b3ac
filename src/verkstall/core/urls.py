from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("clients/", include("verkstall.orders.person_urls")),
    path("audit/", include("verkstall.audit.urls")),
    path("", include("verkstall.decisions.urls")),
    path("", include("verkstall.decisions.document_urls")),
    path("", include("verkstall.journal.urls")),  # before orders.urls: see the module
    path("", include("verkstall.orders.document_urls")),  # before orders.urls: see the module
    path("", include("verkstall.plans.urls")),  # before orders.urls: see the module
    path("", include("verkstall.followups.urls")),  # before orders.urls: see the module
    path("", include("verkstall.absences.urls")),  # before orders.urls: orders/<pk>/<action>/
    path("", include("verkstall.orders.change_urls")),  # before orders.urls
    path("", include("verkstall.orders.urls")),
    path("", include("verkstall.orders.switch_urls")),
    path("", include("verkstall.deadlines.urls")),
    path("", include("verkstall.providers.urls")),
    path("", include("verkstall.providers.rotation_urls")),
]
