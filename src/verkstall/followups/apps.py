from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "verkstall.followups"
    verbose_name = "Uppföljningar"
