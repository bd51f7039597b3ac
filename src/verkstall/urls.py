"""Project wiring only: each app owns its own routes."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from verkstall import health, monitoring

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),  # liveness and readiness (issue 18)
    path("readyz", health.readyz, name="readyz"),
    path("metrics", monitoring.metrics_view, name="metrics"),  # Prometheus (issue 18)
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("api/", include("verkstall.api_urls")),
    path("", include("verkstall.core.urls")),
    # Each app's screens; the wiring lives here, above every app (docs/architecture.md).
    path("clients/", include("verkstall.orders.person_urls")),
    path("clients/", include("verkstall.people.urls")),  # corrections and history (R1.1)
    path("audit/", include("verkstall.audit.urls")),
    path("", include("verkstall.drafts.urls")),  # drafts while typing (issue 17 item 1)
    path("", include("verkstall.jobs.urls")),  # long work run as a task (issue 17 item 8)
    path("", include("verkstall.decisions.urls")),
    path("", include("verkstall.decisions.iub_urls")),  # requests for IUB (R1.3)
    path("", include("verkstall.decisions.document_urls")),
    path("", include("verkstall.journal.urls")),  # before orders.urls: see the module
    path("", include("verkstall.orders.document_urls")),  # before orders.urls: see the module
    path("", include("verkstall.plans.urls")),  # before orders.urls: see the module
    path("", include("verkstall.followups.urls")),  # before orders.urls: see the module
    path("", include("verkstall.transfers.urls")),  # the transfer at an age (R1.4)
    path("", include("verkstall.absences.urls")),  # before orders.urls: orders/<pk>/<action>/
    path("", include("verkstall.alarms.urls")),  # before orders.urls: orders/<pk>/<action>/
    path("", include("verkstall.fees.urls")),  # before orders.urls: orders/<pk>/<action>/
    path("", include("verkstall.orders.change_urls")),  # before orders.urls
    path("", include("verkstall.orders.draft_urls")),  # before orders.urls (R1.1)
    path("", include("verkstall.orders.urls")),
    path("", include("verkstall.orders.switch_urls")),
    path("", include("verkstall.deadlines.urls")),
    path("", include("verkstall.deadlines.calendar_urls")),  # one's due items as iCalendar
    path("", include("verkstall.providers.urls")),
    path("", include("verkstall.providers.rotation_urls")),
    path("", include("verkstall.placements.urls")),
    path("", include("verkstall.vouchers.urls")),  # cleaning and service on voucher (R4.2)
    path("", include("verkstall.payments.urls")),  # prices, performed time, basis (R9.2, R9.4)
    path("", include("verkstall.ivo.urls")),  # the quarterly report to IVO (R9.5)
    path("", include("verkstall.ontime.urls")),  # on-time statistics per provider (R9.4)
    path("", include("verkstall.months.urls")),  # the month's registration by the 5th (R9.1)
    path("", include("verkstall.integrations.urls")),  # providers' own systems (issue 20)
    path("", include("verkstall.national_statistics.urls")),  # national statistics (R9.6)
]

handler404 = "verkstall.core.views.not_found"
handler500 = "verkstall.core.views.server_error"  # Swedish, without the request (issue 17)
