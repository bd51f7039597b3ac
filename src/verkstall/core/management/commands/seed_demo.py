from django.core.management.base import BaseCommand

from verkstall.core.demo import seed


class Command(BaseCommand):
    help = "Create (or complete) the demo data: four municipalities, providers, 50 clients."

    def handle(self, *args, **options):
        seed(stdout=self.stdout)
