"""The screens with an object in their path that the isolation proof does not walk, and why
(tooling/isolation_screens.py); tests/test_idor.py requests each of them with another
organisation's object and scans the answers for that organisation's canaries."""

from __future__ import annotations

# Screens the property does not walk, and why (tests/test_idor.py requests each of them with
# another organisation's object and scans the answers for that organisation's canaries).
SCREENS_NOT_WALKED = {
    "logout/": "ends the session",
    "integrationer/klienter/{pk}/nycklar/": "a POST that issues an API key (issue 20)",
    "integrationer/klienter/{pk}/nycklar/{token_pk}/aterkalla/": "a POST that revokes a key",
    "integrationer/klienter/{pk}/avsluta/": "a POST that ends an API client",
    "integrationer/klienter/{pk}/webhooks/": "a POST that registers a webhook",
    "integrationer/webhooks/{pk}/skicka-igen/": "a POST that replays a webhook's events",
    "integrationer/webhooks/{pk}/aktiv/": "a POST that pauses or resumes a webhook",
    "orders/{pk}/correct-date/": "a POST that corrects a registered date (R9.1)",
    "clients/{pk}/relatives/{relative_pk}/remove/": "a POST that removes a relative (R1.1)",
    "clients/{pk}/protected-access/{grant_pk}/revoke/": "a POST of a grant",
    "clients/{pk}/protection-requests/{request_pk}/": "a POST that decides a request",
    "clients/{person_pk}/journal/{entry_pk}/document/": "the world makes no uploads",
    "orders/{pk}/followups/{followup_pk}/answer/": "the world makes no follow-ups",
    "absences/{pk}/end/": "the world makes no absences",
    "absences/{pk}/report/": "the world makes no absences",
    "switches/{pk}/{step}/": "a POST of a step of the switch (R2.6)",
    "lov/contracts/{pk}/capacity/": "the world makes no contracts",
    "lov/contracts/import/{pk}/": "a contract import's progress: contract data, no client data",
    "rotation/assignments/{pk}/": "the world makes no rotation assignments",
    "alarms/moves/{pk}/confirm/": "a POST (the moves are read on the aids centre's inbox and "
    "/api/alarm-contact-moves/)",
    "queue/{pk}/offer/": "a POST that offers a place",
    "queue/{pk}/offers/{offer_pk}/answer/": "a POST of the client's answer",
    "queue/{pk}/order/": "a POST that sends the order to the home",
    "queue/{pk}/withdraw/": "a POST that ends the entry",
    "stays/{pk}/register/": "a POST that registers the stay (R8.4)",
    "stays/{pk}/decline/": "a POST that declines the stay (R8.4)",
    "vouchers/orders/{pk}/issue/": "a POST that issues a voucher (R4.2)",
    "vouchers/orders/{pk}/report/": "a POST of a report-form report (R4.2)",
    "payments/orders/{pk}/time/add/": "a POST of performed time (R9.2)",
    "payments/time/{pk}/remove/": "a POST that removes performed time (R9.2)",
    "payments/prices/{pk}/end/": "a POST that ends a price (R9.4)",
    "fee-notices/{pk}/handle/": "a POST that marks a fee notice handled (R9.3)",
    "ivo/cases/{pk}/reason/": "a POST of the reason for a delay (R9.5)",
    # A secret in its URL, not the session, says whose it is (issue 17 item 7): every user's
    # own feed is fetched by tooling/isolation_calendar.py (tests/test_idor.py: SECRET_ROUTES).
    "calendar/{secret}.ics": "the calendar feed, walked by tooling/isolation_calendar.py",
    # Drafts while typing (issue 17 item 1): planted, read and written across users by
    # tooling/isolation_drafts.py; every kind is in tests/test_idor.py.
    "drafts/{kind}/{pk}/{field}/": "the draft endpoint, walked by tooling/isolation_drafts.py",
    "drafts/{kind}/{pk}/{field}/discard/": "a POST that removes one's own draft",
    # Background jobs (issue 17 item 8): started and run in every municipality, then asked for
    # by their author, a colleague and a stranger by tooling/isolation_jobs.py; tests/test_idor.py
    # requests both with another side's job.
    "jobs/{pk}/": "a job's page, walked by tooling/isolation_jobs.py",
    "jobs/{pk}/file/": "a job's file, walked by tooling/isolation_jobs.py",
}
