"""Bearer-token authentication: SimpleJWT sliding tokens, checked against the blacklist (logout/refresh),
the user's active flag, a password fingerprint and the user's session epoch (a change of role, active
flag or password kills every token issued before it). Sockets use this class too (accounts.ws_auth)."""
from __future__ import annotations

from typing import Any

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.tokens import Token

from accounts.tokens import EPOCH_CLAIM

STALE_TOKEN = "Your access changed since this token was issued; log in again"


class BearerTokenAuthentication(JWTAuthentication):
    www_authenticate_realm = "api"

    def get_validated_token(self, raw_token: bytes) -> Token:
        try:
            return super().get_validated_token(raw_token)
        except InvalidToken as exc:
            # One short, actionable message instead of SimpleJWT's per-token-class list.
            raise InvalidToken("Token is invalid, expired or revoked; log in again") from exc

    def get_user(self, validated_token: Token) -> Any:
        """The token's user, refused if the user's access changed after the token was issued."""
        user = super().get_user(validated_token)
        # Tokens from before the epoch existed carry none: they count as epoch 0.
        if validated_token.get(EPOCH_CLAIM, 0) != getattr(user, "session_epoch", 0):
            raise AuthenticationFailed(STALE_TOKEN, code="token_stale")
        return user
