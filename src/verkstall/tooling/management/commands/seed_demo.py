from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from verkstall.tooling.demo import seed


class Command(BaseCommand):
    help = "Create (or complete) the demo data: four municipalities, providers, 50 clients."

    def handle(self, *args, **options):
        # Demo orders to e-mail-channel providers must never leave the machine.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            seed(stdout=self.stdout)
