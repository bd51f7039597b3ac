"""WSGI entry point (gunicorn verkstall.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verkstall.settings")
application = get_wsgi_application()
