"""A real daphne process on a loopback port, with its own migrated SQLite database, for concurrency tests.

Under ASGI each synchronous Django request runs in its own thread; these tests prove that a request
stuck on a slow cluster (or a long drain) does not hold up the others.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests
from cryptography.fernet import Fernet

from tests.kube.faults import refused_port

ROOT = Path(__file__).resolve().parents[2]
DAPHNE = ROOT / ".venv" / "bin" / "daphne"

_SETUP = """
import json, sys, django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from accounts.models import User
from accounts.tokens import SessionToken
from clusters import kubeconfig as kc, services
spec = json.loads(sys.stdin.read())
user = User.objects.create_user(username="live-admin", password="Sturdy-Passw0rd!", role="admin")
ids = {}
for name, entry in spec.items():
    config = kc.reduce_kubeconfig(entry["kubeconfig"])
    ids[name] = services.create_cluster(name=name, api_server=entry["server"], kubeconfig=config).pk
print(json.dumps({"token": str(SessionToken.for_user(user)), "ids": ids}))
"""


class LiveServer:
    """`LiveServer(tmp_path, clusters={name: (server, kubeconfig_dict)}, env={...})`, a context manager."""

    def __init__(self, tmp_path: Path, clusters: dict[str, tuple[str, dict[str, Any]]],
                 env: dict[str, str] | None = None) -> None:
        self.port = refused_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kubepolaris.settings",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "live-test-secret-key-0123456789abcdef0123",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}",
            "KUBEPOLARIS_VAR_DIR": str(tmp_path / "var"),
            "FERNET_KEYS": Fernet.generate_key().decode(),
            "SECURE_SSL_REDIRECT": "0",  # plain http on loopback
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        self.clusters = clusters
        self.process: subprocess.Popen[bytes] | None = None
        self.token = ""
        self.ids: dict[str, int] = {}
        self.log_path = tmp_path / "daphne.log"

    def _run(self, args: list[str], stdin: str = "") -> str:
        done = subprocess.run(args, cwd=ROOT, env=self.env, input=stdin.encode(), capture_output=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"{args[:3]} failed: {done.stderr.decode()[-2000:]}")
        return done.stdout.decode()

    def __enter__(self) -> LiveServer:
        # daphne loads the app while one other process migrates and sets up (it opens the database per request).
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [str(DAPHNE), "-b", "127.0.0.1", "-p", str(self.port), "kubepolaris.asgi:application"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        spec = {name: {"server": server, "kubeconfig": config} for name, (server, config) in self.clusters.items()}
        try:
            answer = json.loads(self._run([sys.executable, "-c", _SETUP], json.dumps(spec)).strip().splitlines()[-1])
        except BaseException:
            self.__exit__()
            raise
        self.token, self.ids = answer["token"], answer["ids"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited: {self.log_path.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("daphne did not start listening in 30 s")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", 60)
        return requests.request(method, f"{self.url}{path}", headers=headers, **kwargs)
