"""Workload endpoints: thin; validation in serializers, the work in selectors/services."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters.api.scoped import ClusterScopedView
from clusters.api.viewsets import ClusterScopedViewSet
from common.pagination import EnvelopePagination, paginate
from common.permissions import Role
from common.responses import ok
from kube import registry
from workloads import actions as workload_actions
from workloads import details, history, selectors, services
from workloads.api.actions import DELETE_PARAMETERS, ScaleView, delete_policy, deleted_message
from workloads.api.kind_serializers import (
    CronJobDetailSerializer,
    DaemonSetDetailSerializer,
    JobDetailSerializer,
    StatefulSetDetailSerializer,
)
from workloads.api.serializers import (
    DeploymentDetailSerializer,
    DeploymentManifestSerializer,
    DeploymentYamlSerializer,
    RestartResultSerializer,
    RevisionDetailSerializer,
    RevisionItemSerializer,
    RevisionPathSerializer,
    RollbackResultSerializer,
    RollbackSerializer,
    WorkloadItemSerializer,
    WorkloadListQuerySerializer,
)


@extend_schema(tags=["workloads"])
class WorkloadViewSet(ClusterScopedViewSet):
    """Deployments, StatefulSets, DaemonSets, Jobs and CronJobs in one sorted, paginated list (five registry kinds)."""

    query_serializer = WorkloadListQuerySerializer
    item_serializer = WorkloadItemSerializer
    view_name = "Workloads"

    @extend_schema(parameters=[WorkloadListQuerySerializer], responses=WorkloadItemSerializer(many=True),
                   summary="Deployments, StatefulSets, DaemonSets, Jobs and CronJobs, by namespace then name")
    def list(self, request: Request, cluster_id: str, namespace: str | None = None) -> Response:
        return super().list(request, cluster_id, namespace)

    def list_items(self, *, namespace: str | None, query: dict[str, Any]) -> tuple[list[dict[str, Any]], None]:
        return selectors.workload_list(cluster=self.cluster, namespace=namespace, types=query.get("type") or None,
                                       search=query.get("search") or None,
                                       label_selector=query.get("labelSelector") or None), None

    def sort_key(self) -> Callable[[dict[str, Any]], Any]:
        return lambda i: (i["namespace"] or "", i["name"] or "", i["kind"])


class _WorkloadKindViewSet(ClusterScopedViewSet):
    """One workload kind's list (`clusters/:id/<plural>`, `…/namespaces/:ns/<plural>`), in the workload item shape."""

    item_serializer = WorkloadItemSerializer
    schema_tag = "workloads"


class _ActionKindViewSet(_WorkloadKindViewSet):
    """A workload kind with its own detail (pods, conditions) and a delete with a propagation policy."""

    action_kind: ClassVar[details.ActionKind]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind is not None:
            kind = registry.get(cls.kind)
            extend_schema_view(destroy=extend_schema(
                tags=["workloads"], parameters=DELETE_PARAMETERS, responses=None,
                summary=f"Delete the {kind.kind} (what it owns goes with it unless propagationPolicy=Orphan)"))(cls)

    def get_detail(self, *, name: str, namespace: str | None = None) -> dict[str, Any]:
        return details.detail(cluster=self.cluster, kind=self.action_kind, namespace=namespace or "", name=name)

    def destroy(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        policy = delete_policy(request)
        workload_actions.delete(cluster=self.cluster, kind=self.action_kind, namespace=namespace, name=name,
                                propagation=policy)
        return ok(message=deleted_message(self.action_kind.kind, policy))


class StatefulSetViewSet(_ActionKindViewSet):
    """StatefulSets: list and one with its pods (viewers); delete (operators)."""

    kind = "statefulsets"
    action_kind = details.STATEFULSET
    detail_serializer = StatefulSetDetailSerializer
    action_labels = {"destroy": "deleting a statefulset"}


class DaemonSetViewSet(_ActionKindViewSet):
    """DaemonSets: list and one with its pods (viewers); delete (operators)."""

    kind = "daemonsets"
    action_kind = details.DAEMONSET
    detail_serializer = DaemonSetDetailSerializer
    action_labels = {"destroy": "deleting a daemonset"}


class JobViewSet(_ActionKindViewSet):
    """Jobs: list and one with its pods (viewers); delete (operators)."""

    kind = "jobs"
    action_kind = details.JOB
    detail_serializer = JobDetailSerializer
    action_labels = {"destroy": "deleting a job"}


class CronJobViewSet(_ActionKindViewSet):
    """CronJobs: list and one with its Jobs and their pods (viewers); delete (operators)."""

    kind = "cronjobs"
    action_kind = details.CRONJOB
    detail_serializer = CronJobDetailSerializer
    action_labels = {"destroy": "deleting a cronjob"}


@extend_schema(tags=["workloads"])
class DeploymentViewSet(_ActionKindViewSet):
    """Deployments: list and one Deployment with its pods (viewers); replace or delete it (operators)."""

    kind = "deployments"
    action_kind = details.DEPLOYMENT
    detail_serializer = DeploymentDetailSerializer
    action_labels = {"update": "changing a deployment", "destroy": "changing a deployment"}
    read_role = Role.VIEWER
    write_role = Role.OPERATOR

    @extend_schema(responses=DeploymentDetailSerializer, summary="One Deployment, with its pods")
    def retrieve(self, request: Request, cluster_id: str, name: str, namespace: str | None = None) -> Response:
        return super().retrieve(request, cluster_id, name, namespace)

    def get_detail(self, *, name: str, namespace: str | None = None) -> dict[str, Any]:
        deployment = selectors.deployment_get(cluster=self.cluster, namespace=namespace or "", name=name)
        return selectors.deployment_detail(cluster=self.cluster, deployment=deployment)

    @extend_schema(request=PolymorphicProxySerializer(
                       component_name="DeploymentUpdate", resource_type_field_name=None,
                       serializers=[DeploymentManifestSerializer, DeploymentYamlSerializer]),
                   responses=DeploymentDetailSerializer,
                   summary="Replace the Deployment with a full manifest (JSON, or YAML in {\"yaml\": ...})")
    def update(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        cluster = self.cluster
        body = DeploymentManifestSerializer(data=request.data, context={"name": name, "namespace": namespace})
        body.is_valid(raise_exception=True)
        updated = services.deployment_update(cluster=cluster, namespace=namespace, name=name,
                                             manifest=body.validated_data, actor=request.user.username)
        detail = selectors.deployment_detail(cluster=cluster, deployment=updated)
        return ok(DeploymentDetailSerializer(detail).data, message="Deployment updated successfully")



@extend_schema(tags=["workloads"])
class DeploymentScaleView(ScaleView):
    """Scale a Deployment through its scale subresource (operators)."""

    kind = details.DEPLOYMENT
    action_label = "scaling a deployment"


@extend_schema(tags=["workloads"])
class DeploymentRestartView(ClusterScopedView, APIView):
    """Rolling restart, exactly as `kubectl rollout restart` does it (operators)."""

    write_role = Role.OPERATOR
    action_label = "restarting a deployment"

    @extend_schema(request=None, responses=RestartResultSerializer,
                   summary="Rolling restart, as `kubectl rollout restart`")
    def post(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        restarted_at = services.deployment_restart(cluster=self.cluster, namespace=namespace, name=name,
                                                   actor=request.user.username)
        result = {"name": name, "namespace": namespace, "restartedAt": restarted_at}
        return ok(RestartResultSerializer(result).data, message="Deployment restarted successfully")


# --- rollout history and rollback: one set of views, one subclass per kind --------------------------

class _HistoryView(ClusterScopedView, APIView):
    kind: history.Kind = history.DEPLOYMENT
    read_role = Role.VIEWER
    pagination_class = EnvelopePagination

    @extend_schema(responses=RevisionItemSerializer(many=True),
                   summary="Rollout history: the revisions, oldest first, as `kubectl rollout history` lists them")
    def get(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        owner = history.owner_get(cluster=self.cluster, kind=self.kind, namespace=namespace, name=name)
        revisions = history.history(cluster=self.cluster, kind=self.kind, owner=owner)
        return paginate(revisions, request, lambda page: RevisionItemSerializer(page, many=True).data)


class _RevisionView(ClusterScopedView, APIView):
    kind: history.Kind = history.DEPLOYMENT
    read_role = Role.VIEWER

    @extend_schema(parameters=[OpenApiParameter("revision", OpenApiTypes.STR, OpenApiParameter.PATH,
                                                 description="A revision number (from 1)")],
                   responses=RevisionDetailSerializer,
                   summary="One revision: its pod template and a unified diff from the current template")
    def get(self, request: Request, cluster_id: str, namespace: str, name: str, revision: str) -> Response:
        path = RevisionPathSerializer(data={"revision": revision})
        path.is_valid(raise_exception=True)
        owner = history.owner_get(cluster=self.cluster, kind=self.kind, namespace=namespace, name=name)
        detail = history.revision_detail(cluster=self.cluster, kind=self.kind, owner=owner,
                                         revision=path.validated_data["revision"])
        return Response(RevisionDetailSerializer(detail).data)


class _RollbackView(ClusterScopedView, APIView):
    kind: history.Kind = history.DEPLOYMENT
    write_role = Role.OPERATOR

    @extend_schema(request=RollbackSerializer, responses=RollbackResultSerializer,
                   summary="Roll back to a revision (0 or absent: the previous), as `kubectl rollout undo`")
    def post(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        body = RollbackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.rollback(cluster=self.cluster, kind=self.kind, namespace=namespace, name=name,
                                   revision=body.validated_data["revision"], actor=request.user.username)
        message = (f"{self.kind.kind} rolled back to revision {result['revision']}" if result["rolledBack"] else
                   f"Rollback skipped: the current template already matches revision {result['revision']}")
        return ok(RollbackResultSerializer(result).data, message=message)


@extend_schema(tags=["workloads"])
class DeploymentHistoryView(_HistoryView):
    """A Deployment's revisions from its ReplicaSets, oldest first like `kubectl rollout history` (viewers)."""


@extend_schema(tags=["workloads"])
class DeploymentRevisionView(_RevisionView):
    """One revision (a ReplicaSet) of a Deployment: its pod template and diff against the current one (viewers)."""


@extend_schema(tags=["workloads"])
class DeploymentRollbackView(_RollbackView):
    """Roll a Deployment back to a revision, as `kubectl rollout undo --to-revision` (operators; not when paused)."""

    action_label = "rolling back a deployment"


@extend_schema(tags=["workloads"])
class StatefulSetHistoryView(_HistoryView):
    """A StatefulSet's revisions from its ControllerRevisions, oldest first like `kubectl rollout history`
    (viewers). `replicas` is the StatefulSet's pods at that revision (from its status)."""

    kind = history.STATEFULSET


@extend_schema(tags=["workloads"])
class StatefulSetRevisionView(_RevisionView):
    """One revision (a ControllerRevision) of a StatefulSet: its pod template and diff against the current one
    (viewers)."""

    kind = history.STATEFULSET


@extend_schema(tags=["workloads"])
class StatefulSetRollbackView(_RollbackView):
    """Roll a StatefulSet back to a revision, as `kubectl rollout undo --to-revision`: the ControllerRevision's
    data patch is applied (operators)."""

    kind = history.STATEFULSET
    action_label = "rolling back a statefulset"


@extend_schema(tags=["workloads"])
class DaemonSetHistoryView(_HistoryView):
    """A DaemonSet's revisions from its ControllerRevisions, oldest first like `kubectl rollout history`
    (viewers). `replicas` is null: a DaemonSet has no pod count per revision."""

    kind = history.DAEMONSET


@extend_schema(tags=["workloads"])
class DaemonSetRevisionView(_RevisionView):
    """One revision (a ControllerRevision) of a DaemonSet: its pod template and diff against the current one
    (viewers)."""

    kind = history.DAEMONSET


@extend_schema(tags=["workloads"])
class DaemonSetRollbackView(_RollbackView):
    """Roll a DaemonSet back to a revision, as `kubectl rollout undo --to-revision`: the ControllerRevision's
    data patch is applied (operators)."""

    kind = history.DAEMONSET
    action_label = "rolling back a daemonset"
