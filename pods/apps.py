from django.apps import AppConfig


class PodsConfig(AppConfig):
    name = "pods"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Pods' list-item and detail shapes for the registry (kube/registry.py); the list row is also what the lean
        watch cache keeps of each pod (kube/cache_rows.py)."""
        from kube import registry
        from kube.cache_rows import register_row
        from pods.selectors import pod_detail, pod_item

        registry.shape("pods", item=pod_item, detail=pod_detail)
        register_row("pods", pod_item)
