"""Production settings for the benchmarks: DEBUG off, served over plain http on localhost.

Everything comes from config.settings as deployed (README, "Deployment"); only what plain http on
127.0.0.1 needs is changed here, and a bench-only URLconf adds the trivial view (the ceiling).
Select with DJANGO_SETTINGS_MODULE=bench.settings.
"""

import os

# Defaults only: a caller may still set any of these. The key is a fixed string because the
# benchmark's sessions live in a throw-away database.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# No TLS in front of the benchmark's gunicorn: without this every request is a redirect to https.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from config.settings import *  # noqa: E402,F403
from config.settings import STATIC_ROOT  # noqa: E402

ROOT_URLCONF = "bench.urls"
# Secure cookies are never sent back over http: the load generator could not stay logged in.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# collectstatic (the manifest that DEBUG-off static storage needs) goes to a temporary folder,
# not into the checkout.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", str(STATIC_ROOT))
