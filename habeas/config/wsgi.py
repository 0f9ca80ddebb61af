from __future__ import annotations

import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habeas.config.settings")
application = get_wsgi_application()
# the URLs, with the API's routers (seconds to build), loaded here: ``habeas serve`` runs gunicorn with --preload,
# so they are built once before the workers are forked, not on each worker's first request
import_module(settings.ROOT_URLCONF)
