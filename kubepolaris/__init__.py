"""KubePolaris: the Django project package, and the Python SDK (`from kubepolaris import Client`).

Importing this package must not import Django, so that the SDK works in a venv without it.
"""
from __future__ import annotations

from typing import Any

__all__ = ["Client"]


def __getattr__(name: str) -> Any:
    # Lazy, so `import kubepolaris.settings` never pulls in the SDK and the SDK never pulls in Django.
    if name == "Client":
        from kubepolaris.client import Client

        return Client
    raise AttributeError(name)
