"""Running simulators for the kubesim tests, driven by the official client and by kubectl."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kubernetes
import pytest

from kubesim import KubeSim

FAST = {"tick": 0.1, "start_seconds": 0.2, "stop_seconds": 0.2, "job_seconds": 0.5}
KUBECTL = shutil.which("kubectl")


def wait_for(cond: Callable[[], Any], timeout: float = 10.0, interval: float = 0.1, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = cond()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last value: {last!r})")


class Kubectl:
    def __init__(self, kubeconfig: Path, cache: Path) -> None:
        self.kubeconfig = kubeconfig
        self.env = {**os.environ, "KUBECACHEDIR": str(cache), "HOME": str(cache)}

    def __call__(self, *args: str, timeout: float = 30, check: bool = True,
                 input: str | None = None) -> subprocess.CompletedProcess[str]:
        if KUBECTL is None:
            pytest.skip("kubectl is not installed")
        proc = subprocess.run([KUBECTL, "--kubeconfig", str(self.kubeconfig), *args], capture_output=True,
                              text=True, timeout=timeout, env=self.env, input=input)
        if check and proc.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    def popen(self, *args: str) -> subprocess.Popen[str]:
        if KUBECTL is None:
            pytest.skip("kubectl is not installed")
        return subprocess.Popen([KUBECTL, "--kubeconfig", str(self.kubeconfig), *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=self.env)


@pytest.fixture(scope="session")
def demo_sim() -> Iterator[KubeSim]:
    """The demo fleet, shared: tests may add their own namespaces but must not break the demo pods."""
    with KubeSim(fleet="demo", seed=1, **FAST) as sim:
        yield sim


@pytest.fixture(scope="module")
def sim() -> Iterator[KubeSim]:
    """A small fleet (3 Ready nodes) per test module, free to mutate."""
    with KubeSim(fleet="empty", seed=2, **FAST) as s:
        yield s


def _client(sim: KubeSim) -> kubernetes.client.ApiClient:
    return kubernetes.config.new_client_from_config_dict(sim.kubeconfig())


@pytest.fixture(scope="module")
def api(sim: KubeSim) -> Iterator[kubernetes.client.ApiClient]:
    client = _client(sim)
    yield client
    client.close()


@pytest.fixture(scope="session")
def demo_api(demo_sim: KubeSim) -> Iterator[kubernetes.client.ApiClient]:
    client = _client(demo_sim)
    yield client
    client.close()


@pytest.fixture(scope="module")
def kubectl(sim: KubeSim, tmp_path_factory: pytest.TempPathFactory) -> Kubectl:
    d = tmp_path_factory.mktemp("kubectl")
    path = d / "kubeconfig.yaml"
    sim.write_kubeconfig(path)
    return Kubectl(path, d)


@pytest.fixture(scope="session")
def demo_kubectl(demo_sim: KubeSim, tmp_path_factory: pytest.TempPathFactory) -> Kubectl:
    d = tmp_path_factory.mktemp("kubectl-demo")
    path = d / "kubeconfig.yaml"
    demo_sim.write_kubeconfig(path)
    return Kubectl(path, d)
