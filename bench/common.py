"""What the benchmark scripts share: Django set-up, timing, profiles and their summaries."""

import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("BENCH_OUT", ROOT / "bench" / "out"))


def own_sqlite(name):
    """A benchmark on its own SQLite file: the one make bench names in its work folder, else a
    temporary one removed at exit; never a configured server."""
    if "SQLITE_PATH" not in os.environ:
        work = tempfile.mkdtemp(prefix=f"jibao-{name}-")
        atexit.register(shutil.rmtree, work, ignore_errors=True)
        os.environ["SQLITE_PATH"] = str(Path(work) / f"{name}.sqlite3")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def collect_static():
    """DEBUG off serves static files through the manifest storage, which needs collectstatic: into
    a temporary folder (BENCH_STATIC_ROOT, shared by the steps of one `make bench`), never into
    the checkout."""
    if not os.environ.get("BENCH_STATIC_ROOT"):
        os.environ["BENCH_STATIC_ROOT"] = tempfile.mkdtemp(prefix="jibao-bench-static-")
        atexit.register(shutil.rmtree, os.environ["BENCH_STATIC_ROOT"], ignore_errors=True)
    if not (Path(os.environ["BENCH_STATIC_ROOT"]) / "staticfiles.json").exists():
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    return os.environ["BENCH_STATIC_ROOT"]


def media_root():
    """Evidence uploaded by the benchmarks goes to a temporary folder (MEDIA_ROOT, shared by the
    steps of one `make bench`), never into the checkout's media/."""
    if not os.environ.get("MEDIA_ROOT"):
        os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="jibao-bench-media-")
        atexit.register(shutil.rmtree, os.environ["MEDIA_ROOT"], ignore_errors=True)
    return os.environ["MEDIA_ROOT"]


def setup_django():
    """Django with the benchmark's production settings, on the database named by SQLITE_PATH."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    collect_static()
    media_root()
    import django

    django.setup()


def timed(function, *, repeat=5, warmup=1):
    """Median and minimum wall time (seconds) of `function()` over `repeat` runs, after `warmup`
    runs that fill caches (imports, templates, the SQLite page cache)."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return {"median": statistics.median(times), "min": min(times), "runs": repeat}


def save(name, data):
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return path


# ---- Profiles ------------------------------------------------------------------------------------

# Where a sample's time goes, by the innermost frame on its stack that belongs to one of these.
# The innermost wins: a query run from a template tag counts as SQL, not as template time.
CATEGORIES = [
    ("SQL", ("/django/db/", "sqlite3", "psycopg")),
    ("python-docx/lxml", ("/docx/", "lxml")),
    ("zip/deflate", ("zipfile", "zlib")),
    # Translations and date formats, wherever they are called from (templates mostly).
    ("i18n/formats", ("/django/utils/translation/", "/django/utils/formats", "/django/utils/dateformat", "gettext")),
    ("URL reversing", ("/django/urls/",)),
    ("templates", ("/django/template/", "/templatetags/", "crispy_forms", "/django/forms/")),
    ("app code", ("/reports/",)),
    ("sessions/auth/middleware", ("/django/contrib/sessions/", "/django/contrib/auth/", "/django/middleware/",
                                  "/axes/", "/whitenoise/", "/django_htmx/", "/simple_history/")),
    ("Django other", ("/django/",)),
]


def category_of(frame):
    while frame is not None:
        path = frame.file_path or ""
        for name, markers in CATEGORIES:
            if any(marker in path for marker in markers):
                return name
        frame = frame.parent
    return "other"


def breakdown(session):
    """{category: share of the profiled time}, from a pyinstrument session."""
    totals = {}

    def walk(frame):
        own = frame.total_self_time
        if own:
            key = category_of(frame)
            totals[key] = totals.get(key, 0.0) + own
        for child in frame.children:
            walk(child)

    root = session.root_frame()
    if root is None:
        return {}
    walk(root)
    whole = sum(totals.values()) or 1.0
    return {key: round(value / whole, 3) for key, value in sorted(totals.items(), key=lambda kv: -kv[1])}


def profile(function, *, label, repeat=10):
    """Profile `repeat` calls of `function()` with pyinstrument; write the text tree to
    bench/out/profile-<label>.txt and return the share of time per category."""
    from pyinstrument import Profiler

    function()  # warm
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(repeat):
        function()
    session = profiler.stop()
    OUT.mkdir(parents=True, exist_ok=True)
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    (OUT / f"profile-{label}.txt").write_text(text, encoding="utf-8")
    return breakdown(session)


def format_breakdown(shares, limit=4):
    return ", ".join(f"{key} {value:.0%}" for key, value in list(shares.items())[:limit])
