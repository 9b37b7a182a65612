from django.apps import AppConfig


class PodsConfig(AppConfig):
    name = "pods"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Pods' list-item and detail shapes, for the registry (kube/registry.py)."""
        from kube import registry
        from pods.selectors import pod_detail, pod_item

        registry.shape("pods", item=pod_item, detail=pod_detail)
