"""ASGI application of the real-HTTP test: creates its tables, then serves the test URLs."""

import os

import django
from django.core.management import call_command

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.core.views.server_settings")
django.setup()
call_command("migrate", run_syncdb=True, verbosity=0)

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
