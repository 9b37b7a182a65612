"""Raw JSON from a cluster, without the client's model deserialization.

Deserializing 20k pods into generated models is slow, and the models' dicts need converting back to camelCase;
the plain JSON the API server sent is what we want anyway. Also used for logs: the generated client would try
to parse a log that happens to be valid JSON into a dict.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from kube.errors import translated
from kube.target import ClusterTarget


def read_bytes(cluster: ClusterTarget, method: Callable[..., Any], *args: Any, **kwargs: Any) -> bytes:
    """`method(*args, **kwargs)` of a gateway API, answered as the raw body."""
    kwargs["_preload_content"] = False
    response = method(*args, **kwargs)  # a gateway method: errors are already translated
    with translated(cluster.name):
        try:
            return response.data
        finally:
            response.release_conn()


def read_json(cluster: ClusterTarget, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`method(*args, **kwargs)` of a gateway API, answered as the parsed JSON body."""
    return json.loads(read_bytes(cluster, method, *args, **kwargs) or b"null")


def read_text(cluster: ClusterTarget, method: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """`method(*args, **kwargs)` answered as text (UTF-8, undecodable bytes replaced)."""
    return read_bytes(cluster, method, *args, **kwargs).decode("utf-8", errors="replace")
