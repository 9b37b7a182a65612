"""Session tokens: SimpleJWT sliding tokens whose revocation list never stores a usable token."""
from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import SlidingToken, Token
from rest_framework_simplejwt.utils import datetime_from_epoch

EPOCH_CLAIM = "sepoch"


class SessionToken(SlidingToken):
    """Revocable by jti. The blacklist tables keep the jti and expiry, never the token text."""

    @classmethod
    def for_user(cls, user):  # noqa: ANN001, ANN206 - SimpleJWT's signature
        # Skip BlacklistMixin.for_user: it would store every issued token in clear in OutstandingToken.
        token = Token.for_user.__func__(cls, user)
        # The user's session epoch: a later change of role, active flag or password makes this token stale.
        token[EPOCH_CLAIM] = int(getattr(user, "session_epoch", 0) or 0)
        return token

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.payload["exp"], tz=UTC)

    def blacklist(self) -> BlacklistedToken:
        user_id = self.payload.get(api_settings.USER_ID_CLAIM)
        user = get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}).first()
        outstanding, _ = OutstandingToken.objects.get_or_create(
            jti=self.payload[api_settings.JTI_CLAIM],
            defaults={
                "user": user,
                "created_at": self.current_time,
                "token": "",
                "expires_at": datetime_from_epoch(self.payload["exp"]),
            },
        )
        blacklisted, _ = BlacklistedToken.objects.get_or_create(token=outstanding)
        return blacklisted
