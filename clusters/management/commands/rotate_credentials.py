"""`manage.py rotate_credentials`: re-encrypt every stored cluster credential with the newest key.

Rotation: put a new key first in FERNET_KEYS (keep the old ones after it), run this, then drop the old keys.
"""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from clusters import crypto, services


class Command(BaseCommand):
    help = "Re-encrypt every cluster credential with the newest key in FERNET_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        crypto.reset_keys()
        try:
            count = services.rotate_credentials()
        except crypto.CredentialKeyError as exc:
            raise CommandError(f"{exc}; nothing was changed") from None
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {count} cluster credential(s) with the newest key."))
