"""Credentials at rest: Fernet with key rotation (MultiFernet, newest key first).

Keys come from `FERNET_KEYS` (comma-separated, newest first). Without it, a key file under
`var/` is used, created on first use; that is what the demo does. Production sets FERNET_KEYS.
"""
from __future__ import annotations

import logging
import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from kube.target import CredentialKeyError

__all__ = ["CredentialKeyError", "decrypt", "encrypt", "reset_keys", "rotate"]

logger = logging.getLogger(__name__)


def _load_keys() -> list[bytes]:
    if settings.FERNET_KEYS:
        return [key.strip().encode() for key in settings.FERNET_KEYS if key.strip()]
    path = settings.FERNET_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
        logger.warning("FERNET_KEYS is not set: created a local credential key file %s", path)
    return [line.strip() for line in path.read_bytes().splitlines() if line.strip()]


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _load_keys()])


def reset_keys() -> None:
    """Forget the loaded keys (after the key settings change)."""
    _fernet.cache_clear()


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise CredentialKeyError("Stored cluster credentials cannot be decrypted with the configured keys") from exc


def rotate(ciphertext: str) -> str:
    """Re-encrypt with the newest key."""
    try:
        return _fernet().rotate(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise CredentialKeyError("Stored cluster credentials cannot be decrypted with the configured keys") from exc
