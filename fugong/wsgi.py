import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fugong.settings")
application = get_wsgi_application()
# Import every view (and the pinyin dictionary they bring) now, while the worker starts, rather
# than on its first request: 1–2 s of a core per worker, which on the busy morning after a
# restart made the first requests of each worker wait (docs/benchmarks.md, issue 7).
get_resolver().url_patterns  # noqa: B018
