from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """daphne's access log bypasses Python logging: redact it here, before any server starts (see logging)."""
        from common.logging import redact_daphne_access_log

        redact_daphne_access_log()
