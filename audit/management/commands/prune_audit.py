"""`manage.py prune_audit [--days N]`: delete audit rows (and their recordings) older than the retention."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import services


class Command(BaseCommand):
    help = "Delete audit rows and terminal recordings older than AUDIT_RETENTION_DAYS (or --days)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None,
                            help="Keep this many days instead of AUDIT_RETENTION_DAYS")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else settings.AUDIT_RETENTION_DAYS
        if days < 0:
            raise CommandError("--days must be 0 or more")
        rows, recordings = services.prune(older_than_days=days)
        self.stdout.write(f"Deleted {rows} audit rows and {recordings} recordings older than {days} days.")
