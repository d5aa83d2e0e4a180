"""WSGI entry point for gunicorn: `gunicorn keepline.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keepline.settings")
application = get_wsgi_application()
