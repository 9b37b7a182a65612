"""A real KubePolaris server for end-to-end runs (the fuzzer, the README examples, the SDK tests).

Migrates a throw-away SQLite database (or the `database_url` given), creates an admin, starts
daphne on a free loopback port, and (with `with_sim`) starts the simulated cluster and registers
it through the REST API (`POST /api/clusters` with a base64 kubeconfig), as a user would.

    with LiveServer(with_sim=True) as live:
        client = live.client()            # an admin SDK client
        live.cluster_id                   # the registered simulator
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kubepolaris.client import Client  # noqa: E402

# Migrate and create the admin in one process: each Django start costs seconds of CPU on a busy machine.
SETUP_SCRIPT = """
import os
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from accounts.models import User
user, _ = User.objects.get_or_create(username=os.environ["LIVE_ADMIN_USER"])
user.role = "admin"
user.is_active = True
user.set_password(os.environ["LIVE_ADMIN_PASSWORD"])
user.save()
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """daphne + database + admin (+ kubesim registered as a cluster); `stop()` undoes all of it."""

    def __init__(self, *, with_sim: bool = True, fleet: str = "demo", database_url: str | None = None,
                 env: dict[str, str] | None = None, python: str | None = None, keep: bool = False) -> None:
        self.with_sim = with_sim
        self.keep = keep  # keep the work dir (database, daphne.log) after stop()
        self.fleet = fleet
        self.workdir = Path(tempfile.mkdtemp(prefix="kubepolaris-live-"))
        self.database_url = database_url or f"sqlite:///{self.workdir / 'db.sqlite3'}"
        self.python = python or sys.executable
        self.admin_username = f"admin-{secrets.token_hex(3)}"
        self.admin_password = secrets.token_urlsafe(18)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.sim: Any = None
        self.cluster_id: int | None = None
        self.cluster_name = f"sim-{secrets.token_hex(3)}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.workdir / "daphne.log"
        self.env = self._environment(env or {})

    def _environment(self, extra: dict[str, str]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
        env.update({
            "DJANGO_SETTINGS_MODULE": "kubepolaris.settings",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "live-server-secret-" + secrets.token_hex(24),
            "DATABASE_URL": self.database_url,
            "KUBEPOLARIS_VAR_DIR": str(self.workdir),
            "DEBUG": "0",
            # A throw-away key for the throw-away database (DEBUG off requires FERNET_KEYS).
            "FERNET_KEYS": os.environ.get("FERNET_KEYS") or Fernet.generate_key().decode(),
            # Plain http on loopback: no redirect to https, cookies usable over http.
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            # The fuzzer logs in often on purpose (and fails on purpose); the throttle and the login lock
            # are tested elsewhere (tests/accounts), with their own limits passed in `env`.
            "LOGIN_THROTTLE_RATE": "100000/min",
            "LOGIN_LOCKOUT_FAILURES": "100000",
            "LOGIN_LOCKOUT_ADDRESS_FAILURES": "100000",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            "LIVE_ADMIN_USER": self.admin_username,
            "LIVE_ADMIN_PASSWORD": self.admin_password,
        })
        env.update(extra)
        return env

    def _manage(self, *args: str) -> None:
        result = subprocess.run([self.python, str(ROOT / "manage.py"), *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> LiveServer:
        """Start daphne, migrate and create the admin while it loads, wait until it answers, register the
        simulator. daphne opens the database only for a request, and none is sent before the set-up is done."""
        try:
            log = self.log_path.open("wb")
            self.process = subprocess.Popen(
                [self.python, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "kubepolaris.asgi:application"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )
            self._manage("shell", "-c", SETUP_SCRIPT)
            self._wait_until_up()
            if self.with_sim:
                self.attach_sim()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_up(self, timeout: float = 180.0) -> None:
        """Poll the cheap liveness probe (generous waits: test runs share busy machines). Not the OpenAPI
        document: building it takes seconds of CPU, and each timed-out poll would leave one more build running."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"daphne exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=30).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"daphne did not answer within {timeout}s:\n{self.log_tail()}")

    def attach_sim(self) -> int:
        """Start the simulated cluster (once) and register it through the API; returns the cluster id."""
        if self.cluster_id is not None:
            return self.cluster_id
        from kubesim import KubeSim

        self.sim = KubeSim(fleet=self.fleet)
        self.sim.start()
        cluster = self.client().clusters.create(self.cluster_name, api_server=self.sim.url,
                                                kubeconfig=self.sim.kubeconfig(), description="kubesim")
        self.cluster_id = int(cluster["id"])
        return self.cluster_id

    def client(self, **options: Any) -> Client:
        """An SDK client logged in as the admin."""
        return Client(self.url, username=self.admin_username, password=self.admin_password, **options)

    def token(self) -> str:
        """A fresh admin token (each call logs in again)."""
        response = requests.post(f"{self.url}/api/auth/login", timeout=10,
                                 json={"username": self.admin_username, "password": self.admin_password})
        response.raise_for_status()
        return str(response.json()["data"]["token"])

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.sim is not None:
            self.sim.stop()
            self.sim = None
        if not self.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
