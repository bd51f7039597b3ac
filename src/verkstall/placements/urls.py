"""Routes of the queue and placement screens (SPEC R8, R8.4 temporary stays)."""

from django.urls import path

from . import stay_views, views

urlpatterns = [
    path("queue/", views.queue_page, name="placement-queue"),
    path("queue/new/<int:person_pk>/", views.entry_new, name="placement-entry-new"),
    path("queue/<int:pk>/", views.entry_detail, name="placement-entry"),
    path("queue/<int:pk>/offer/", views.entry_offer, name="placement-offer"),
    path(
        "queue/<int:pk>/offers/<int:offer_pk>/answer/",
        views.offer_answer,
        name="placement-answer",
    ),
    path("queue/<int:pk>/order/", views.entry_order, name="placement-order"),
    path("queue/<int:pk>/withdraw/", views.entry_withdraw, name="placement-withdraw"),
    # temporary stays from another municipality (R8.4)
    path("stays/", stay_views.stay_list, name="placement-stays"),
    path("stays/<int:pk>/", stay_views.stay_detail, name="placement-stay"),
    path("stays/<int:pk>/register/", stay_views.stay_register, name="placement-stay-register"),
    path("stays/<int:pk>/decline/", stay_views.stay_decline, name="placement-stay-decline"),
]
