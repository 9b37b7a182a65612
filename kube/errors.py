"""Turn every way a call to a cluster can fail into the project's own error hierarchy."""
from __future__ import annotations

import json
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pydantic
import urllib3.exceptions as u3
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from common import errors
from kube.target import CredentialKeyError


class CredentialsUnusable(errors.AppError):
    """Our side: stored credentials cannot be decrypted or loaded."""

    status_code = 500
    default_code = "credentials_unusable"


def kubernetes_message(exc: ApiException) -> str:
    """Kubernetes' own words from a `Status` body, else the HTTP reason."""
    try:
        body = json.loads(exc.body or "")
        if isinstance(body, dict) and body.get("message"):
            return str(body["message"])
    except (TypeError, ValueError):
        pass
    return f"{exc.status} {exc.reason}".strip()


def from_api_exception(exc: ApiException, cluster_name: str) -> errors.AppError:
    status = exc.status or 0
    message = kubernetes_message(exc)
    where = f"cluster '{cluster_name}'"
    if status == 401:
        return errors.ClusterCredentialsRejected(
            f"The {where} rejected the stored credentials (401 Unauthorized); update the cluster's kubeconfig or token"
        )
    if status == 403:
        return errors.ClusterForbidden(f"The {where} forbids this for the stored credentials: {message}")
    if status == 404:
        return errors.NotFound(f"{message} (in {where})")
    if status in (409, 410):
        return errors.Conflict(f"{message} (in {where})")
    if status in (400, 422):
        return errors.InvalidRequest(f"The {where} rejected the request: {message}")
    if status == 429:
        return errors.TooManyRequests(f"{message} (in {where})")
    if status == 504:
        return errors.ClusterTimeout(f"The {where} timed out: {message}")
    return errors.ClusterError(f"The {where} failed: {message}")


def _root_cause(exc: BaseException) -> BaseException:
    seen = exc
    while True:
        nxt = getattr(seen, "reason", None) if isinstance(seen, u3.MaxRetryError) else seen.__cause__
        if nxt is None or nxt is seen or not isinstance(nxt, BaseException):
            return seen
        seen = nxt


def from_transport_error(exc: BaseException, cluster_name: str) -> errors.AppError:
    cause = _root_cause(exc)
    where = f"cluster '{cluster_name}'"
    if isinstance(cause, (u3.TimeoutError, socket.timeout, TimeoutError)) or isinstance(exc, u3.TimeoutError):
        return errors.ClusterTimeout(f"The {where} did not answer in time")
    if isinstance(cause, (u3.SSLError, ssl.SSLError)):
        return errors.ClusterUnreachable(f"TLS handshake with the {where} failed: {cause}")
    if isinstance(cause, u3.NameResolutionError):
        return errors.ClusterUnreachable(f"The {where}'s address cannot be resolved")
    if isinstance(cause, (u3.NewConnectionError, ConnectionRefusedError)):
        return errors.ClusterUnreachable(f"Cannot connect to the {where}: connection refused or host unreachable")
    return errors.ClusterUnreachable(f"Cannot talk to the {where}: {type(cause).__name__}")


def translate(exc: BaseException, cluster_name: str) -> errors.AppError | None:
    """The application error for `exc`, or None if it is not a cluster-call failure."""
    if isinstance(exc, errors.AppError):
        return exc
    if isinstance(exc, ApiException):
        return from_api_exception(exc, cluster_name)
    if isinstance(exc, (u3.HTTPError, OSError, ssl.SSLError)):
        return from_transport_error(exc, cluster_name)
    if isinstance(exc, CredentialKeyError):
        return CredentialsUnusable(
            f"Stored credentials of cluster '{cluster_name}' cannot be decrypted: check FERNET_KEYS"
        )
    if isinstance(exc, ConfigException):
        return CredentialsUnusable(f"Stored kubeconfig of cluster '{cluster_name}' is unusable: {exc}")
    if isinstance(exc, pydantic.ValidationError):
        return from_model_validation(exc)
    return None


def from_model_validation(exc: pydantic.ValidationError) -> errors.InvalidRequest:
    """The client's own models refused an object before it was sent (e.g. a Deployment without a selector)."""
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ())) or "body"
    return errors.InvalidRequest(f"{where}: {first.get('msg', 'invalid value')}")


Translator = Callable[[BaseException, str], "errors.AppError | None"]


@contextmanager
def translated(cluster_name: str, translator: Translator | None = None) -> Iterator[None]:
    """Use around any code that talks to a cluster (e.g. iterating a stream); `translator` for other clients."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - re-raised as an application error or unchanged
        app_error = (translator or translate)(exc, cluster_name)
        if app_error is None or app_error is exc:
            raise
        raise app_error from exc


def cluster_reason(error: BaseException) -> str:
    """Kubernetes' own words behind a translated error (e.g. a PDB's refusal), else the error's message."""
    cause = error.__cause__
    if not isinstance(cause, ApiException):
        return getattr(error, "message", None) or str(error)
    message = kubernetes_message(cause)
    try:
        details = (json.loads(cause.body or "") or {}).get("details") or {}
        causes = [c.get("message") for c in details.get("causes") or [] if isinstance(c, dict) and c.get("message")]
    except (TypeError, ValueError, AttributeError):
        causes = []
    return " ".join([message, *[c for c in causes if c not in message]])
