"""A real CAS server for the sign-on tests: django-cas-server (tests/cas_server), migrated in a
temporary folder and served on a free port by its own process, with the unit's people in it and a
service pattern that lets the application under test ask it for tickets. No mocked client: the
application checks each ticket with the server over HTTP, as it would with the unit's own."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.object_storage import free_port

ROOT = Path(__file__).resolve().parent.parent

PEOPLE = """
from django.contrib.auth import get_user_model
from cas_server.models import ServicePattern
for username, password in {people!r}:
    get_user_model().objects.create_user(username, password=password)
ServicePattern.objects.create(name="季报", pattern=r"^http://(127\\.0\\.0\\.1|localhost)(:[0-9]+)?/.*$")
"""


@contextmanager
def running_cas_server(tmp_path: Path, people):
    """(base url, ending in /cas/) of a CAS server holding these people: (username, password) each."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.cas_server.settings",
                   "CAS_TEST_DATABASE": str(tmp_path / "cas.sqlite3")}
    environment.pop("DATABASE_URL", None)
    django = [sys.executable, "-m", "django"]
    for command in (["migrate", "--noinput", "-v0"], ["shell", "-c", PEOPLE.format(people=list(people))]):
        done = subprocess.run([*django, *command], cwd=ROOT, env=environment, capture_output=True, text=True,
                              timeout=120)
        if done.returncode:
            raise RuntimeError(f"the CAS server's {command[0]} failed: {done.stderr}")
    port = free_port()
    process = subprocess.Popen([*django, "runserver", f"127.0.0.1:{port}", "--noreload"],
                               cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/cas/"
    try:
        for _attempt in range(200):
            try:
                if requests.get(url + "login", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None:
                raise RuntimeError(f"the CAS server did not start: {process.stderr.read().decode()}")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
