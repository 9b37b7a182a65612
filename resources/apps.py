from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    """Services, Ingresses, storage, Events and HorizontalPodAutoscalers (issue 12): shapers and read-only routes."""

    name = "resources"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Each kind's list-item and detail shapers, for the registry (kube/registry.py)."""
        from kube import registry
        from resources.shapes import autoscaling, events, network, storage

        registry.shape("services", item=network.service_item, detail=network.service_detail)
        registry.shape("ingresses", item=network.ingress_item, detail=network.ingress_detail)
        registry.shape("persistentvolumeclaims", item=storage.pvc_item, detail=storage.pvc_detail)
        registry.shape("persistentvolumes", item=storage.pv_item, detail=storage.pv_detail)
        registry.shape("storageclasses", item=storage.storageclass_item, detail=storage.storageclass_detail)
        registry.shape("events", item=events.event_item, detail=events.event_item)
        registry.shape("horizontalpodautoscalers", item=autoscaling.hpa_item, detail=autoscaling.hpa_detail)
