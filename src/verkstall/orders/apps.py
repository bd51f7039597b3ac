from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "verkstall.orders"
    label = "orders"
    verbose_name = "Beställningar"

    def ready(self):
        # Hooks that lower layers call (core/hooks.py); see docs/architecture.md.
        from verkstall.core import hooks
        from verkstall.outbox import registry as outbox

        from . import document_services, draft_text_selectors, selectors, views

        hooks.register(hooks.DECISION_ORDER_EVENTS, selectors.decision_clock_event_rows)
        hooks.register(hooks.OFFICER_START_PAGE, views.officer_start)
        draft_text_selectors.register()  # the order form's drafts (drafts/registry.py)
        # The order e-mailed to its provider is built when the outbox delivers it (R3.3).
        outbox.register(
            document_services.MAIL_KIND,
            build=document_services.build_queued_email,
            on_sent=document_services.record_sent,
            on_given_up=document_services.record_given_up,
        )
