from django.apps import AppConfig


class NamespacesConfig(AppConfig):
    name = "namespaces"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Namespaces' list-item and detail shapes, for the registry (kube/registry.py)."""
        from kube import registry
        from namespaces.selectors import namespace_item

        registry.shape("namespaces", item=namespace_item)
