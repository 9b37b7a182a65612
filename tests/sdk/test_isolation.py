"""The SDK must work where Django is not installed: only the standard library, requests and websockets."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.liveserver import LiveServer

ROOT = Path(__file__).resolve().parents[2]
SDK_FILES = [ROOT / "kubepolaris" / "__init__.py", ROOT / "kubepolaris" / "client.py",
             *sorted((ROOT / "kubepolaris" / "sdk").glob("*.py"))]
ALLOWED = {"requests", "websockets", "kubepolaris"}
# What requests and websockets need at run time (their own dependencies), and nothing else.
SDK_DISTRIBUTIONS = ["requests", "urllib3", "idna", "charset_normalizer", "certifi", "websockets"]


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", SDK_FILES, ids=lambda p: p.name)
def test_sdk_imports_only_stdlib_requests_and_websockets(path: Path) -> None:
    outside = {name for name in imported_modules(path)
               if name.split(".")[0] not in sys.stdlib_module_names | ALLOWED}
    assert not outside, f"{path.name} imports {outside}"
    own = {name for name in imported_modules(path) if name.split(".")[0] == "kubepolaris"}
    assert all(name == "kubepolaris.client" or name.startswith("kubepolaris.sdk") for name in own), own


def test_importing_the_sdk_never_touches_django() -> None:
    code = ("import sys; sys.modules['django'] = None; sys.modules['rest_framework'] = None\n"
            "from kubepolaris import Client\n"
            "from kubepolaris.client import KubePolarisError\n"
            "Client('http://127.0.0.1:1', token='x').pods(1)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'channels', 'kubernetes')))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd="/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['django']"  # only our None placeholder


def sdk_only_venv(tmp_path: Path) -> Path:
    """A plain venv (no system site-packages) that sees only the SDK and its own dependencies.

    Without network access we cannot pip-install, so the venv gets a .pth file pointing at a folder
    holding links to exactly those distributions (taken from the project's venv) and the
    `kubepolaris` package folder: Django and everything else stay out of reach.
    """
    import requests
    import websockets

    base = getattr(sys, "_base_executable", sys.executable)
    venv_dir = tmp_path / "venv"
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv_dir)], check=True)
    python = venv_dir / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    deps = tmp_path / "sdk-deps"
    deps.mkdir()
    packages = Path(requests.__file__).parent.parent
    assert Path(websockets.__file__).parent.parent == packages
    for name in SDK_DISTRIBUTIONS:
        (deps / name).symlink_to(packages / name)
    (deps / "kubepolaris").symlink_to(ROOT / "kubepolaris")
    (site / "sdk-deps.pth").write_text(str(deps) + "\n")
    return python


def test_seed_example_runs_in_a_venv_without_django(tmp_path: Path, live: LiveServer) -> None:
    python = sdk_only_venv(tmp_path)
    token = live.token()
    seed_example = (
        "import importlib.util\n"
        "assert importlib.util.find_spec('django') is None, 'django is reachable'\n"
        "from kubepolaris import Client\n"
        f"client = Client(base_url={live.url!r}, token={token!r})\n"
        "clusters = client.clusters.list()\n"
        "print(type(clusters).__name__, clusters.total, len(clusters))\n"
        "me = client.auth.me()\n"
        "print(me['username'])\n"
    )
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "DJANGO_SETTINGS_MODULE"}}
    result = subprocess.run([str(python), "-I", "-c", seed_example], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    kind, total, count = result.stdout.splitlines()[0].split()
    assert kind == "Page" and int(total) >= int(count) >= 0
    assert result.stdout.splitlines()[1] == live.admin_username
