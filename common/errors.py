"""The application's error hierarchy. Raised by services, selectors and the Kubernetes gateway;
rendered once, by `common.exceptions.envelope_exception_handler` (and by the socket consumers)."""
from __future__ import annotations

from django.db.utils import InterfaceError, OperationalError
from rest_framework import status
from rest_framework.exceptions import APIException

# What the database driver raises when the server is down, restarting or unreachable (Django wraps
# psycopg's and sqlite3's errors in these). Rendered as DatabaseUnavailable: a 503, or a 4503 close.
DATABASE_UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


class AppError(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Invalid request"
    default_code = "invalid"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(detail=message or self.default_detail)

    @property
    def message(self) -> str:
        return str(self.detail)


class InvalidRequest(AppError):
    """The request itself is wrong (also: Kubernetes rejected the object as invalid)."""


class Unauthenticated(AppError):
    """Wrong credentials at login (DRF's own AuthenticationFailed would become a 403 on views without auth)."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = "Authentication failed"
    default_code = "not_authenticated"


class NotFound(AppError):
    status_code = status.HTTP_404_NOT_FOUND
    default_detail = "Not found"
    default_code = "not_found"


class Conflict(AppError):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict"
    default_code = "conflict"


class PermissionDenied(AppError):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "You do not have permission to perform this action"
    default_code = "permission_denied"


class TooManyRequests(AppError):
    """Kubernetes throttled us, or refused an eviction because of a PodDisruptionBudget."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Too many requests"
    default_code = "too_many_requests"


class ClusterForbidden(AppError):
    """The cluster understood our credentials and refused the action (its 403)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = "cluster_forbidden"


class ClusterUnreachable(AppError):
    """Connection refused, DNS or TLS failure: we could not talk to the cluster."""

    status_code = status.HTTP_502_BAD_GATEWAY
    default_code = "cluster_unreachable"


class ClusterCredentialsRejected(AppError):
    """The cluster answered 401 to our stored credentials. Never our own 401: the user's token is fine."""

    status_code = status.HTTP_502_BAD_GATEWAY
    default_code = "cluster_credentials_rejected"


class ClusterTimeout(AppError):
    status_code = status.HTTP_504_GATEWAY_TIMEOUT
    default_code = "cluster_timeout"


class ClusterError(AppError):
    """Any other failure reported by the cluster (its 5xx)."""

    status_code = status.HTTP_502_BAD_GATEWAY
    default_code = "cluster_error"


class DatabaseUnavailable(AppError):
    """Our own database could not be reached: a moment's outage the client may retry, not a bug (503)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Database unavailable; try again shortly"
    default_code = "database_unavailable"
