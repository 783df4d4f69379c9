"""A real S3-compatible server for the storage tests: moto's server mode, started by the test run
as its own process on a free port (no mocked client: requests go over HTTP as they would to MinIO
or a cloud's object storage)."""

import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

BUCKET = "jibao-evidence"
KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server():
    """(process, endpoint URL) of a moto server that answers; the caller stops the process."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint, timeout=1)  # noqa: S310 - our own local server
            return process, endpoint
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("moto's S3 server did not start") from None
            time.sleep(0.1)


@contextmanager
def running_server():
    """The endpoint of a moto server that runs while the block does."""
    process, endpoint = start_server()
    try:
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


def storages_setting(endpoint: str) -> dict:
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": BUCKET, "endpoint_url": endpoint, "region_name": "us-east-1", "default_acl": None,
        "file_overwrite": False, "access_key": KEYS["AWS_ACCESS_KEY_ID"], "secret_key": KEYS["AWS_SECRET_ACCESS_KEY"],
    }}


def client(endpoint: str):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"], aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"])
