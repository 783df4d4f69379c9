"""Settings come from the environment; production mode passes Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, env_overrides, unset=()):
    not_inherited = {"DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", *unset}
    env = {k: v for k, v in os.environ.items() if k not in not_inherited}
    env.update(env_overrides)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_production_mode_passes_check_deploy(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env_overrides={
            "DEBUG": "false",
            "SECRET_KEY": "x7#kq2-production-secret-" + "a1b2c3d4e5f6g7h8i9j0" * 3,
            "ALLOWED_HOSTS": "jibao.example.org",
            "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        },
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_manage("check", env_overrides={"DEBUG": "false", "SQLITE_PATH": str(tmp_path / "db.sqlite3")})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_sqlite_file_runs_in_wal_mode(tmp_path):
    result = run_manage(
        "shell", "-c",
        "from django.db import connection; c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
        env_overrides={"SQLITE_PATH": str(tmp_path / "db.sqlite3")},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "wal"


def test_database_url_selects_postgresql():
    result = run_manage(
        "shell", "-c",
        "from django.conf import settings; d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['HOST'])",
        env_overrides={"DATABASE_URL": "postgres://u:p@db.example.org:5432/jibao"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["django.db.backends.postgresql", "jibao", "db.example.org"]


def test_chinese_by_default_in_shanghai_time_with_english_available():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert "en" in dict(settings.LANGUAGES)


def test_the_suite_runs_on_the_database_ci_asked_for():
    """CI runs the suite twice; this makes sure the second run really is on PostgreSQL."""
    from django.db import connection

    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected


def test_settings_name_their_callables_by_dotted_path():
    """Settings are declarations: django-axes' hooks are named, not defined, there."""
    import inspect

    from django.utils.module_loading import import_string

    import config.settings as project_settings

    for name in ("AXES_CLIENT_IP_CALLABLE", "AXES_LOCKOUT_CALLABLE"):
        value = getattr(settings, name)
        assert isinstance(value, str), name
        assert callable(import_string(value)), name
    assert not [name for name, value in vars(project_settings).items()
                if inspect.isfunction(value) and value.__module__ == project_settings.__name__]


def test_links_in_e_mails_point_at_the_port_the_demo_server_runs_on(tmp_path):
    """`PORT=9000 make run` serves on 9000: the mails' links say so unless SITE_URL is set."""
    script = "from django.conf import settings; print(settings.SITE_URL, settings.EMAIL_BACKEND)"
    base, unset = {"SQLITE_PATH": str(tmp_path / "db.sqlite3"), "PORT": "9123"}, ("SITE_URL", "EMAIL_BACKEND")
    result = run_manage("shell", "-c", script, env_overrides=base, unset=unset)
    assert result.returncode == 0, result.stderr
    site_url, backend = result.stdout.strip().splitlines()[-1].split()
    assert (site_url, backend) == ("http://127.0.0.1:9123", "django.core.mail.backends.console.EmailBackend")
    result = run_manage("shell", "-c", script, env_overrides={**base, "SITE_URL": "https://jibao.example.org/"}, unset=unset)
    assert result.stdout.strip().splitlines()[-1].split()[0] == "https://jibao.example.org"
