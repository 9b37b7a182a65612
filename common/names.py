"""Kubernetes' own name grammar, checked on every path before anything reaches a cluster.

A namespace is a DNS-1123 label; an object or node name is a DNS-1123 subdomain (the rules of
k8s.io/apimachinery/pkg/util/validation). Anything else (`.`, `..`, a slash, upper case, too long)
could never name a real object, and some of it (dot segments) would be rewritten by the HTTP
client into a different URL: `pods/..` becomes the namespace itself. So it is refused here, with a
400 that names the parameter.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

DNS1123_LABEL_MAX = 63
DNS1123_SUBDOMAIN_MAX = 253
_LABEL = r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?"
DNS1123_LABEL = re.compile(rf"^{_LABEL}$")
DNS1123_SUBDOMAIN = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")
# The same grammar for the OpenAPI document (ECMA regex syntax is the same here).
LABEL_PATTERN = DNS1123_LABEL.pattern
SUBDOMAIN_PATTERN = DNS1123_SUBDOMAIN.pattern

# Path parameter → (grammar, longest, what it is called in a message).
PATH_NAME_RULES: dict[str, tuple[re.Pattern[str], int, str]] = {
    "namespace": (DNS1123_LABEL, DNS1123_LABEL_MAX, "a DNS-1123 label"),
    "name": (DNS1123_SUBDOMAIN, DNS1123_SUBDOMAIN_MAX, "a DNS-1123 subdomain"),
}


def name_problem(value: str, parameter: str) -> str | None:
    """Why `value` cannot be the `parameter` path name, or None when it can."""
    grammar, longest, called = PATH_NAME_RULES[parameter]
    if len(value) > longest:
        return f"'{_shown(value)}' is too long: {parameter} must be at most {longest} characters"
    if not grammar.match(value):
        return (f"'{_shown(value)}' is not a valid {parameter}: it must be {called} (lower-case letters, digits"
                f"{', dots' if grammar is DNS1123_SUBDOMAIN else ''} and '-', starting and ending with a "
                "letter or digit)")
    return None


def path_name_problems(kwargs: Mapping[str, Any]) -> dict[str, list[str]]:
    """`{parameter: [reason]}` for every namespace/name path parameter that breaks Kubernetes' grammar."""
    return {
        parameter: [problem]
        for parameter in PATH_NAME_RULES
        if parameter in kwargs and (problem := name_problem(str(kwargs[parameter]), parameter))
    }


def validate_path_names(kwargs: Mapping[str, Any]) -> None:
    """Raise a 400 (validation error) naming every bad namespace/name path parameter."""
    problems = path_name_problems(kwargs)
    if problems:
        raise ValidationError(problems)


def _shown(value: str, limit: int = 40) -> str:
    """A name as it may appear in a message: shortened, control characters escaped."""
    shown = value if len(value) <= limit else value[:limit] + "…"
    return shown.encode("unicode_escape").decode("ascii")


def query_name_field(parameter: str, help_text: str) -> serializers.CharField:
    """An optional query parameter naming a namespace (`parameter="namespace"`) or an object (`"name"`):
    blank means "any", anything else must follow the same grammar as a path name (it may become one)."""

    def check(value: str) -> None:
        problem = name_problem(value, parameter) if value else None
        if problem:
            raise serializers.ValidationError(problem)

    return serializers.CharField(required=False, allow_blank=True, help_text=help_text, validators=[check])
