from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "verkstall.decisions"
    label = "decisions"
    verbose_name = "Beslut"

    def ready(self):
        # The screens whose long text fields keep drafts while typed (drafts/registry.py).
        from . import draft_text_selectors

        draft_text_selectors.register()
