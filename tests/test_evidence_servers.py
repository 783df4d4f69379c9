"""Two app servers behind a balancer share nothing on local disk but the store: a file uploaded
through one is served by the other. Two real server processes, one database, one store (the
same folder, or a real S3-compatible server), driven over HTTP as a browser would."""

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from PIL import Image

from tests import object_storage

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "jibao-servers"
SETUP = f"""
from django.contrib.auth import get_user_model
from reports.models import Item, Membership, Organization, Report, Section
body = Organization.objects.create(name="市政协党组")
user = get_user_model().objects.create_user("drafter", password="{PASSWORD}")
Membership.objects.create(user=user, organization=body, role="drafter")
report = Report.objects.create(organization=body, year=2023, quarter=1, title="报告")
section = Section.objects.create(report=report, title="主要做法", kind="practices", position=1)
Item.objects.create(section=section, text="召开学习会议3次。", position=1)
print(report.pk)
"""


def manage(environment, *arguments, timeout=180):
    done = subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A database file both servers use, migrated, with a body, its drafter and a draft."""
    path = tmp_path_factory.mktemp("servers") / "db.sqlite3"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "DEBUG": "true"}
    manage(environment, "migrate", "--noinput")
    report_id = int(manage(environment, "shell", "-c", SETUP).strip().splitlines()[-1])
    return environment, report_id


@pytest.fixture(scope="module")
def s3_endpoint():
    with object_storage.running_server() as endpoint:
        yield endpoint


@pytest.fixture(params=["filesystem", "s3"])
def store_environment(request, database, tmp_path):
    environment, report_id = database
    if request.param == "filesystem":
        return {**environment, "MEDIA_ROOT": str(tmp_path / "media")}, report_id
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = f"servers-{len(object_storage.client(endpoint).list_buckets()['Buckets'])}"
    object_storage.client(endpoint).create_bucket(Bucket=bucket)
    return {**environment, **object_storage.KEYS, "JIBAO_S3_BUCKET": bucket, "JIBAO_S3_ENDPOINT_URL": endpoint,
            "MEDIA_ROOT": str(tmp_path / "unused")}, report_id


def start_server(environment):
    port = object_storage.free_port()
    log = open(os.environ.get("SERVER_LOG", os.devnull), "a")  # noqa: SIM115 - kept open for the server's life
    process = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=ROOT,
                               env=environment, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"{base}/login/", timeout=2)
            return process, base
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the app server did not start") from None
            time.sleep(0.2)


@pytest.fixture
def two_servers(store_environment):
    environment, report_id = store_environment
    first, second = start_server(environment), start_server(environment)
    yield first[1], second[1], report_id
    for process, _base in (first, second):
        process.terminate()
        process.wait(timeout=10)


def logged_in(base):
    session = requests.Session()
    page = session.get(f"{base}/login/", timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    answer = session.post(f"{base}/login/", data={"username": "drafter", "password": PASSWORD,
                                                  "csrfmiddlewaretoken": token}, timeout=10, allow_redirects=False)
    assert answer.status_code == 302, "logged in"
    return session


def test_a_file_uploaded_through_one_server_is_served_by_the_other(two_servers):
    first, second, report_id = two_servers
    output = io.BytesIO()
    Image.new("RGB", (64, 48), tuple(os.urandom(3))).save(output, "PNG")  # new bytes for each store
    session = logged_in(first)
    answer = session.post(f"{first}/reports/{report_id}/evidence/upload/", files={"files": ("会场.png", output.getvalue())},
                          data={"target": ""}, headers={"Accept": "application/json",
                                                        "X-CSRFToken": session.cookies["csrftoken"]}, timeout=30)
    assert answer.json() == {"ok": True}
    panel = session.get(f"{first}/reports/{report_id}/evidence/", timeout=10).text
    url = max(re.findall(rf'href="(/reports/{report_id}/evidence/\d+/)"', panel), key=lambda u: int(u.split("/")[-2]))

    other = logged_in(second)
    served = other.get(f"{second}{url}", timeout=10)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(served.content)).size == (64, 48)
    thumbnail = other.get(f"{second}{url}thumbnail.png", timeout=10)
    assert thumbnail.status_code == 200 and Image.open(io.BytesIO(thumbnail.content)).format == "PNG"
    assert requests.get(f"{second}{url}", timeout=10, allow_redirects=False).status_code == 302, "no public URL"
