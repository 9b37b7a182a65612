"""The layers hold: `common/` and `kube/` import no app, so the gateway stands alone (docs/architecture.md)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from clusters import crypto
from clusters.models import Cluster
from kube import errors as kube_errors
from kube.target import ClusterTarget, CredentialKeyError

ROOT = Path(__file__).resolve().parents[2]
APPS = {"accounts", "clusters", "workloads", "pods", "audit", "kubepolaris", "resources", "namespaces", "configuration",
        "manifests", "search", "observe"}
BOTTOM_LAYERS = ("common", "kube")


def _modules(package: str) -> list[Path]:
    return sorted(path for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts)


def _imported(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every import in the module, wherever it sits (functions, TYPE_CHECKING)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.args[0].value.split(".")[0]))
    return found


@pytest.mark.parametrize("package", BOTTOM_LAYERS)
def test_bottom_layers_import_no_app(package: str) -> None:
    modules = _modules(package)
    assert modules, f"no modules found under {package}/"
    offending = [f"{path.relative_to(ROOT)}:{line} imports {top}"
                 for path in modules for line, top in _imported(path) if top in APPS]
    assert not offending, "\n".join(offending)


def test_the_checker_sees_imports_inside_functions_and_type_checking(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from clusters.models import Cluster\n"
                      "def f():\n    import accounts.tickets\n    importlib.import_module('pods.status')\n")
    assert {top for _, top in _imported(module)} >= {"clusters", "accounts", "pods"}


def test_cluster_model_satisfies_the_target_protocol() -> None:
    members = {name for name in vars(ClusterTarget) if not name.startswith("_")}
    assert members == {"pk", "name", "api_server", "credential_fingerprint", "get_kubeconfig"}
    cluster = Cluster(pk=7, name="c", api_server="https://k8s.example:6443")
    missing = [name for name in members if not hasattr(cluster, name)]
    assert not missing


def test_credential_key_error_is_one_class_raised_by_clusters_and_translated_by_kube() -> None:
    assert crypto.CredentialKeyError is CredentialKeyError
    translated = kube_errors.translate(CredentialKeyError("nope"), "c")
    assert isinstance(translated, kube_errors.CredentialsUnusable)
    assert "FERNET_KEYS" in translated.message
