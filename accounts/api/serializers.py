"""User and auth bodies, camelCase as in the contract."""
from __future__ import annotations

from rest_framework import serializers

from accounts.models import User
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
