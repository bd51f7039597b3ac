from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "verkstall.access"
    label = "access"
    verbose_name = "Behörighet"

    def ready(self):
        # django.contrib.admin (listed first) has loaded every admin module by now: the admins
        # of other packages become the superuser's only (access/admin.py, issue 11).
        from django.contrib import admin

        from .admin import scope_third_party_admins

        scope_third_party_admins(admin.site)

        # Every sign-in starts the session's lifetime and idle clock (issue 11).
        from . import session_timeout

        session_timeout.connect()
