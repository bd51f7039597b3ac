from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "verkstall.followups"
    verbose_name = "Uppföljningar"

    def ready(self):
        # The screens whose long text fields keep drafts while typed (drafts/registry.py).
        from . import draft_text_selectors

        draft_text_selectors.register()
