"""User and auth bodies, camelCase as in the contract."""
from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import Grant, Scope, User
from common.names import DNS1123_LABEL_MAX, name_problem
from common.permissions import Role


class UserSerializer(serializers.ModelSerializer):
    email = serializers.CharField(read_only=True, help_text="May be empty")  # not `format: email`: '' is valid
    isActive = serializers.BooleanField(source="is_active", read_only=True)  # noqa: N815
    lastLogin = serializers.DateTimeField(source="last_login", read_only=True, allow_null=True)  # noqa: N815
    createdAt = serializers.DateTimeField(source="date_joined", read_only=True)  # noqa: N815

    class Meta:
        model = User
        fields = ["id", "username", "email", "role", "isActive", "lastLogin", "createdAt"]
        read_only_fields = fields


class ManagedUserSerializer(UserSerializer):
    """A user as `/api/users` shows it to admins: plus `scope` (`all`, or `granted` once given a grant).
    `/api/auth/me` and the login keep the contract's user shape."""

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields[:4], "scope", *UserSerializer.Meta.fields[4:]]
        read_only_fields = fields


class UserCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+$", max_length=150,
                                      error_messages={"invalid": "Use letters, digits and @/./+/-/_ only."})
    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=128,
                                     style={"input_type": "password"})
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.choices, default=Role.VIEWER)
    isActive = serializers.BooleanField(source="is_active", default=True)  # noqa: N815


class UserUpdateSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+$", max_length=150, required=False)
    password = serializers.CharField(write_only=True, required=False, trim_whitespace=False, max_length=128,
                                     style={"input_type": "password"})
    email = serializers.EmailField(required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    scope = serializers.ChoiceField(choices=Scope.choices, required=False,
                                    help_text="'all' gives back the global role on every cluster; grants then "
                                              "count again only once a new grant is given")
    isActive = serializers.BooleanField(source="is_active", required=False)  # noqa: N815


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expire = serializers.DateTimeField(help_text="RFC 3339, UTC")


class WsTicketSerializer(serializers.Serializer):
    ticket = serializers.CharField(help_text="Pass as `?ticket=` to a WebSocket; valid once, for seconds")
    expire = serializers.DateTimeField(help_text="RFC 3339, UTC; never later than the token's own expiry")


class LoginResultSerializer(TokenSerializer):
    user = UserSerializer()


class GrantSerializer(serializers.ModelSerializer):
    clusterId = serializers.IntegerField(source="cluster_id", read_only=True)  # noqa: N815
    namespace = serializers.CharField(read_only=True, allow_null=True, help_text="null: the whole cluster")
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)  # noqa: N815

    class Meta:
        model = Grant
        fields = ["id", "clusterId", "namespace", "role", "createdAt"]
        read_only_fields = fields


class StrictCharField(serializers.CharField):
    """A string, never a number turned into one (`12` is a wrong type here, not the namespace "12")."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class GrantCreateSerializer(serializers.Serializer):
    clusterId = serializers.IntegerField(min_value=1, max_value=2**63 - 1)  # noqa: N815
    namespace = StrictCharField(required=False, allow_null=True, allow_blank=True,
                                      max_length=DNS1123_LABEL_MAX + 1, default=None,
                                      help_text="A namespace of the cluster; null or absent: the whole cluster")
    role = serializers.ChoiceField(choices=[(Role.VIEWER, "Viewer"), (Role.OPERATOR, "Operator")])

    def validate_namespace(self, value: str | None) -> str | None:
        problem = name_problem(value, "namespace") if value else None
        if problem:
            raise serializers.ValidationError(problem)
        return value or None
