from django.apps import AppConfig


class ClustersConfig(AppConfig):
    name = "clusters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Start-up: remove client TLS files that dead processes (or older versions) left in VAR_DIR/kube-tmp."""
        from kube import secretfiles

        secretfiles.clear_stale()
