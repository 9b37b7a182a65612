#!/usr/bin/env python3
"""Set-up and entry points, needing only python3:

    python3 run.py demo     # venv + install + migrate + demo admin + simulated cluster + daphne on 127.0.0.1:8000
    python3 run.py test     # venv + install + the whole test suite in parallel (extra args go to pytest;
                            # naming test files, or -n 0, runs them in this process)
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".requirements.sha256"


def ensure_venv() -> None:
    """Create .venv and install requirements.txt, again only when it changes."""
    wanted = hashlib.sha256((ROOT / "requirements.txt").read_bytes()).hexdigest()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if not PYTHON.exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("Installing requirements (first run takes a minute) ...", flush=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "-q", "-r", str(ROOT / "requirements.txt")], check=True)
    STAMP.write_text(wanted)


def run(args: list[str], env: dict[str, str] | None = None) -> int:
    return subprocess.call([str(PYTHON), *args], cwd=ROOT, env={**os.environ, **(env or {})})


def demo() -> int:
    env = {"DEBUG": os.environ.get("DEBUG", "1")}  # the watch cache is on by default (KUBE_WATCH_CACHE=0: off)
    if run(["manage.py", "migrate", "--noinput"], env):
        return 1
    return run(["manage.py", "demo", *sys.argv[2:]], env)


# Test-only credential key (tests run with DEBUG off, which requires FERNET_KEYS); never use it for real data.
TEST_FERNET_KEY = "a3ViZXBvbGFyaXMtdGVzdHMtb25seS1mZXJuZXQtayE="  # base64("kubepolaris-tests-only-fernet-k!")


# Whole-suite runs spread test files over this many pytest-xdist workers: most tests wait on subprocesses
# (daphne, kubectl) and simulated clusters, so more workers than cores still pay. TEST_WORKERS overrides.
TEST_WORKERS = 3


def parallel_args(args: list[str]) -> list[str]:
    """xdist options unless the user chose their own, debugs (--pdb), or names test files/dirs (run those as is)."""
    own = ("-n", "--numprocesses", "--dist", "--pdb", "--trace")
    if any(a.startswith(own) or a.endswith("no:xdist") for a in args):
        return []
    if any(not a.startswith("-") and (ROOT / a.split("::")[0]).exists() for a in args):
        return []
    workers = os.environ.get("TEST_WORKERS", str(TEST_WORKERS))
    # loadfile: a file's tests share one worker, so a module's live server or simulator starts once.
    return ["-n", workers, "--dist", "loadfile"] if workers != "0" else []


def test() -> int:
    env = {
        "SECRET_KEY": os.environ.get("SECRET_KEY", "test-only-secret-key-" + "x" * 40),
        "FERNET_KEYS": os.environ.get("FERNET_KEYS", TEST_FERNET_KEY),
    }
    args = sys.argv[2:]
    code = run(["-m", "pytest", *parallel_args(args), *args], env)
    return code


def main() -> int:
    commands = {"demo": demo, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    ensure_venv()
    return commands[sys.argv[1]]()


if __name__ == "__main__":
    sys.exit(main())
