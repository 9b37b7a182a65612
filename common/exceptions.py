"""The one exception handler: every error raised under DRF becomes an envelope here."""
from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from common.envelope import Envelope
from common.errors import DATABASE_UNAVAILABLE_ERRORS, DatabaseUnavailable

logger = logging.getLogger("kubepolaris.errors")

NON_FIELD_KEYS = {"non_field_errors", "__all__"}


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into `{"field.sub": ["reason", ...]}`."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = key if not prefix else (prefix if key in NON_FIELD_KEYS else f"{prefix}.{key}")
            out.update(flatten_errors(value, name))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        out = {}
        for index, item in enumerate(detail):
            out.update(flatten_errors(item, f"{prefix}[{index}]" if prefix else str(index)))
        return out
    return {prefix or "non_field_errors": [str(detail)]}


def validation_message(errors: dict[str, list[str]]) -> str:
    """Name the first bad field in plain words."""
    field, reasons = next(iter(errors.items()))
    reason = reasons[0] if reasons else "is invalid"
    if field in NON_FIELD_KEYS:
        return reason
    return f"{field}: {reason}"


def plain_detail(detail: Any) -> str:
    if isinstance(detail, dict):
        if "detail" in detail:
            return plain_detail(detail["detail"])
        return validation_message(flatten_errors(detail))
    if isinstance(detail, list):
        return plain_detail(detail[0]) if detail else "Invalid request"
    return str(detail)


def envelope_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(Envelope(message=f"Request body too large (at most {limit} bytes)"),
                        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, DATABASE_UNAVAILABLE_ERRORS):
        logger.warning("Database unavailable during %s: %s", type(context.get("view")).__name__, exc)
        exc = DatabaseUnavailable()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        body = Envelope(data={"errors": errors}, message=validation_message(errors))
        return Response(body, status=status.HTTP_400_BAD_REQUEST)

    if isinstance(exc, exceptions.APIException):
        headers: dict[str, str] = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        message = plain_detail(exc.detail)
        if isinstance(exc, exceptions.ParseError):
            message = f"Malformed request body: {message}"
        set_rollback()
        return Response(Envelope(message=message), status=exc.status_code, headers=headers)

    view = context.get("view")
    logger.exception("Unhandled error in %s", type(view).__name__ if view else "request")
    set_rollback()
    return Response(Envelope(message="Internal server error"), status=status.HTTP_500_INTERNAL_SERVER_ERROR)
