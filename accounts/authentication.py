"""Bearer-token authentication: SimpleJWT sliding tokens, checked against the blacklist (logout/refresh),
the user's active flag and a password fingerprint (a changed password kills every old token)."""
from __future__ import annotations

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken


class BearerTokenAuthentication(JWTAuthentication):
    www_authenticate_realm = "api"

    def get_validated_token(self, raw_token: bytes):
        try:
            return super().get_validated_token(raw_token)
        except InvalidToken as exc:
            # One short, actionable message instead of SimpleJWT's per-token-class list.
            raise InvalidToken("Token is invalid, expired or revoked; log in again") from exc
