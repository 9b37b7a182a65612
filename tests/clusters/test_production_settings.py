"""Production settings pass Django's own deployment check, and a server without FERNET_KEYS refuses to start.

Each case runs `manage.py` in a child process with a production-like environment (settings are read once per
process, so they cannot be switched inside the test run).
"""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEST_FERNET_KEY = "a3ViZXBvbGFyaXMtdGVzdHMtb25seS1mZXJuZXQtayE="  # test-only


def manage(tmp_path: Path, *args: str, **overrides: str | None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SECURE_", "SESSION_", "CSRF_", "FERNET", "ALLOWED_HOSTS", "DEBUG"))}
    env.update({
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FERNET_KEYS": TEST_FERNET_KEY,
        "ALLOWED_HOSTS": "kubepolaris.example.com",
        "KUBEPOLARIS_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    })
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def last_line(done: subprocess.CompletedProcess[str]) -> str:
    """`manage.py shell` may print a line about auto-imports first."""
    return done.stdout.strip().splitlines()[-1]


def test_check_deploy_reports_nothing_with_production_settings(tmp_path: Path) -> None:
    done = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_defaults(tmp_path: Path) -> None:
    script = ("from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
              "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_CONTENT_TYPE_NOSNIFF, "
              "'testserver' in s.ALLOWED_HOSTS, getattr(s, 'SECURE_PROXY_SSL_HEADER', None))")
    done = manage(tmp_path, "shell", "-c", script, ALLOWED_HOSTS=None)
    assert done.returncode == 0, done.stderr
    assert last_line(done).split() == ["True", "True", "True", "31536000", "True", "False", "None"]

    behind_proxy = manage(tmp_path, "shell", "-c", "from django.conf import settings as s; "
                          "print(s.SECURE_PROXY_SSL_HEADER)", SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert last_line(behind_proxy) == "('HTTP_X_FORWARDED_PROTO', 'https')"


@pytest.mark.parametrize(("keys", "message"), [
    (None, "FERNET_KEYS must be set when DEBUG is off"),
    ("", "FERNET_KEYS must be set when DEBUG is off"),
    ("not-a-fernet-key", "FERNET_KEYS entry 1 is not a Fernet key"),
])
def test_server_refuses_to_start_without_fernet_keys(tmp_path: Path, keys: str | None, message: str) -> None:
    done = manage(tmp_path, "check", FERNET_KEYS=keys)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and message in done.stderr
    assert not (tmp_path / "var" / "fernet.key").exists()


def test_debug_keeps_the_local_key_file(tmp_path: Path) -> None:
    """The demo (DEBUG on) still runs without FERNET_KEYS: it creates and uses var/fernet.key."""
    script = "from clusters import crypto; print(crypto.decrypt(crypto.encrypt('x')))"
    done = manage(tmp_path, "shell", "-c", script, DEBUG="1", FERNET_KEYS=None)
    assert done.returncode == 0, done.stderr
    assert last_line(done) == "x"
    assert (tmp_path / "var" / "fernet.key").exists()
