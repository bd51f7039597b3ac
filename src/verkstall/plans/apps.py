from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "verkstall.plans"
    verbose_name = "Genomförandeplaner"

    def ready(self):
        # The screens whose long text fields keep drafts while typed (drafts/registry.py).
        from . import draft_text_selectors

        draft_text_selectors.register()
