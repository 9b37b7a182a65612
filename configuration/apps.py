from django.apps import AppConfig


class ConfigurationConfig(AppConfig):
    name = "configuration"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """ConfigMaps' and Secrets' shapes, for the registry (kube/registry.py; Secrets' values are masked there
        before a shaper sees them)."""
        from configuration import shapes
        from kube import registry

        registry.shape("configmaps", item=shapes.configmap_item, detail=shapes.configmap_detail)
        registry.shape("secrets", item=shapes.secret_item, detail=shapes.secret_detail)
