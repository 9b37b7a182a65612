from django.apps import AppConfig


class PodsConfig(AppConfig):
    name = "pods"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """The pod list row is what the lean watch cache keeps of each pod (kube/cache_rows.py)."""
        from kube.cache_rows import register_row
        from pods.selectors import pod_item

        register_row("pods", pod_item)
