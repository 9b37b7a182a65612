from django.apps import AppConfig


class WorkloadsConfig(AppConfig):
    name = "workloads"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Each workload kind's list-item shape, for the registry (kube/registry.py)."""
        from functools import partial

        from kube import registry
        from workloads.selectors import KINDS, workload_item

        for kind in KINDS.values():
            registry.shape(kind.plural, item=partial(workload_item, kind))
