"""Parse, check and reduce the kubeconfigs (or bearer tokens) admins register clusters with.

Pure functions, no database: the API serializers and the admin form both call them and turn a
`CredentialError` into a 400 / form error on the field it names. Messages never quote the credential.

What we store is always a kubeconfig reduced to the one context we use (its cluster and user), with
the cluster's `server` set to the record's `apiServer`: one code path for kubeconfigs and tokens, and
other contexts' credentials that happened to be in the file are not kept.
"""
from __future__ import annotations

import base64
import binascii
import copy
import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

import yaml
from cryptography import x509

MAX_KUBECONFIG_BYTES = 256 * 1024

# Credentials read from the server's own disk or obtained by running a program on the server are refused:
# a kubeconfig is user input, and `exec`/file paths would let an admin run commands or read files here.
_FORBIDDEN_USER_KEYS = ("exec", "auth-provider", "tokenFile", "client-certificate", "client-key")
_FORBIDDEN_CLUSTER_KEYS = ("certificate-authority",)
_DATA_KEYS = ("client-certificate-data", "client-key-data")
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_RE = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*\.?$")


class CredentialError(ValueError):
    """A credential input is unusable; `field` is the API field to blame."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def insecure_http_allowed() -> bool:
    """Plain-http API servers send credentials in clear: only when KUBE_ALLOW_INSECURE_HTTP says so (labs)."""
    from django.conf import settings

    return bool(getattr(settings, "KUBE_ALLOW_INSECURE_HTTP", False))


def validate_server(url: str, field: str = "apiServer") -> str:
    """`https://host[:port][/path]` (http only if allowed), without a trailing slash; else a CredentialError."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise CredentialError(field, "must be a URL like https://host:6443 (port not 1-65535)") from None
    if parts.scheme not in ("http", "https"):
        raise CredentialError(field, "must be a URL like https://host:6443 (scheme http or https)")
    host = parts.hostname or ""
    if not host or not _valid_host(host):
        raise CredentialError(field, "must be a URL like https://host:6443 (missing or invalid host)")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise CredentialError(field, "must be a URL like https://host:6443 (no user info, query or fragment)")
    if port == 0:
        raise CredentialError(field, "must be a URL like https://host:6443 (port 0 is not a port)")
    if parts.scheme == "http" and not insecure_http_allowed():
        raise CredentialError(field, "must use https:// (plain http would send the cluster's credentials in "
                                     "clear; a lab can allow it with KUBE_ALLOW_INSECURE_HTTP=1)")
    return text.rstrip("/")


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in: where credentials are sent."""
    parts = urlsplit((url or "").strip())
    try:
        port = parts.port
    except ValueError:
        port = None
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").rstrip("."), port or {"https": 443, "http": 80}.get(scheme)


def same_origin(a: str, b: str) -> bool:
    """True when both addresses reach the same server (scheme, host and port); the path may differ."""
    return origin(a) == origin(b)


MOVE_NEEDS_CREDENTIALS = ("Changing the API server to another host, scheme or port needs the cluster's credentials "
                          "(kubeConfig or token) in the same request: stored credentials are never sent to a new "
                          "address unasked.")


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(_HOST_RE.match(host))


def decode_base64(text: str, field: str) -> bytes:
    """Strict base64 (standard or URL-safe alphabet, whitespace ignored)."""
    compact = re.sub(r"\s+", "", text or "")
    if not compact:
        raise CredentialError(field, "is empty")
    padded = compact + "=" * (-len(compact) % 4)
    try:
        if "-" in compact or "_" in compact:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        raise CredentialError(field, "is not valid base64") from None


def parse_kubeconfig(encoded: str, field: str = "kubeConfig") -> dict[str, Any]:
    """Base64 → YAML → a mapping. Each failure names what is wrong."""
    raw = decode_base64(encoded, field)
    if len(raw) > MAX_KUBECONFIG_BYTES:
        raise CredentialError(field, f"is larger than {MAX_KUBECONFIG_BYTES // 1024} KiB")
    try:
        text = raw.decode("utf-8")
        document = yaml.safe_load(text)
    except (UnicodeDecodeError, yaml.YAMLError):
        raise CredentialError(field, "is base64 but not a YAML kubeconfig") from None
    if not isinstance(document, dict):
        raise CredentialError(field, "is YAML but not a kubeconfig (expected a mapping with contexts, clusters, users)")
    return document


def _named(document: dict[str, Any], section: str, field: str) -> dict[str, dict[str, Any]]:
    entries = document.get(section) or []
    if not isinstance(entries, list):
        raise CredentialError(field, f"'{section}' must be a list")
    out: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            out[entry["name"]] = entry
    return out


def reduce_kubeconfig(document: dict[str, Any], field: str = "kubeConfig") -> dict[str, Any]:
    """The current context (or the only one) with its cluster and user, checked; a new minimal kubeconfig."""
    contexts = _named(document, "contexts", field)
    if not contexts:
        raise CredentialError(field, "has no contexts")
    current = document.get("current-context")
    if current:
        if current not in contexts:
            raise CredentialError(field, f"current-context '{current}' is not among its contexts")
    elif len(contexts) == 1:
        current = next(iter(contexts))
    else:
        raise CredentialError(field, "has several contexts and no current-context")
    context = contexts[current].get("context") or {}
    if not isinstance(context, dict):
        raise CredentialError(field, f"context '{current}' is not a mapping")
    cluster_name, user_name = context.get("cluster"), context.get("user")
    clusters, users = _named(document, "clusters", field), _named(document, "users", field)
    if not cluster_name or cluster_name not in clusters:
        raise CredentialError(field, f"context '{current}' names no cluster present in 'clusters'")
    if not user_name or user_name not in users:
        raise CredentialError(field, f"context '{current}' names no user present in 'users'")
    cluster = copy.deepcopy(clusters[cluster_name].get("cluster") or {})
    user = copy.deepcopy(users[user_name].get("user") or {})
    if not isinstance(cluster, dict) or not isinstance(user, dict):
        raise CredentialError(field, "cluster and user entries must be mappings")
    _check_cluster(cluster, field)
    _check_user(user, field)
    reduced_context = {"cluster": cluster_name, "user": user_name}
    if context.get("namespace"):
        reduced_context["namespace"] = str(context["namespace"])
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": current,
        "contexts": [{"name": current, "context": reduced_context}],
        "clusters": [{"name": cluster_name, "cluster": cluster}],
        "users": [{"name": user_name, "user": user}],
    }


def _check_cluster(cluster: dict[str, Any], field: str) -> None:
    for key in _FORBIDDEN_CLUSTER_KEYS:
        if cluster.get(key):
            raise CredentialError(field, f"cluster uses '{key}' (a file path); inline it as '{key}-data'")
    if cluster.get("certificate-authority-data"):
        check_ca_pem(decode_base64(str(cluster["certificate-authority-data"]), field), field,
                     "certificate-authority-data")


def _check_user(user: dict[str, Any], field: str) -> None:
    for key in _FORBIDDEN_USER_KEYS:
        if user.get(key):
            raise CredentialError(field, f"user uses '{key}', which is not supported; use a token or inline "
                                         "client-certificate-data/client-key-data")
    for key in _DATA_KEYS:
        if user.get(key):
            decode_base64(str(user[key]), field)
    has_cert = bool(user.get("client-certificate-data")) and bool(user.get("client-key-data"))
    has_token = bool(user.get("token"))
    has_basic = bool(user.get("username")) and bool(user.get("password"))
    if not (has_cert or has_token or has_basic):
        raise CredentialError(field, "user has no usable credentials (token, client certificate and key, "
                                     "or username and password)")


def check_ca_pem(pem: bytes, field: str, what: str = "caData") -> None:
    """The bytes are one or more PEM certificates."""
    try:
        certificates = x509.load_pem_x509_certificates(pem)
    except ValueError:
        certificates = []
    if not certificates:
        raise CredentialError(field, f"{what} is not a PEM certificate")


def server_of(kubeconfig: dict[str, Any]) -> str | None:
    """The server of a reduced kubeconfig's only cluster."""
    return (kubeconfig["clusters"][0].get("cluster") or {}).get("server")


def with_server(kubeconfig: dict[str, Any], server: str) -> dict[str, Any]:
    """A copy of a reduced kubeconfig pointing at `server`."""
    result = copy.deepcopy(kubeconfig)
    result["clusters"][0].setdefault("cluster", {})["server"] = server
    return result


def token_kubeconfig(*, server: str, token: str, ca_data: str | None) -> dict[str, Any]:
    """A kubeconfig for a bearer token; without a CA, the system trust store verifies the server."""
    token = (token or "").strip()
    if not token or any(ch.isspace() for ch in token):
        raise CredentialError("token", "must be a non-empty bearer token without spaces")
    cluster: dict[str, Any] = {"server": server}
    if ca_data:
        pem = ca_data.encode() if "-----BEGIN" in ca_data else decode_base64(ca_data, "caData")
        check_ca_pem(pem, "caData")
        cluster["certificate-authority-data"] = base64.b64encode(pem).decode()
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "kubepolaris",
        "contexts": [{"name": "kubepolaris", "context": {"cluster": "kubepolaris", "user": "kubepolaris"}}],
        "clusters": [{"name": "kubepolaris", "cluster": cluster}],
        "users": [{"name": "kubepolaris", "user": {"token": token}}],
    }


def dump(kubeconfig: dict[str, Any]) -> str:
    return yaml.safe_dump(kubeconfig, default_flow_style=False, sort_keys=False)


def load(text: str) -> dict[str, Any]:
    return yaml.safe_load(text)
