"""Workload endpoints: thin; validation in serializers, the work in selectors/services."""
from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters.api.scoped import ClusterScopedView
from common.pagination import EnvelopePagination, paginate
from common.permissions import Role
from common.responses import ok
from workloads import selectors, services
from workloads.api.serializers import (
    DeploymentDetailSerializer,
    DeploymentManifestSerializer,
    DeploymentYamlSerializer,
    RestartResultSerializer,
    ScaleResultSerializer,
    ScaleSerializer,
    WorkloadItemSerializer,
    WorkloadListQuerySerializer,
)


@extend_schema(tags=["workloads"])
class WorkloadListView(ClusterScopedView, APIView):
    """Deployments, StatefulSets, DaemonSets, Jobs and CronJobs in one sorted, paginated list."""

    read_role = Role.VIEWER
    pagination_class = EnvelopePagination

    @extend_schema(parameters=[WorkloadListQuerySerializer], responses=WorkloadItemSerializer(many=True),
                   summary="Deployments, StatefulSets, DaemonSets, Jobs and CronJobs, by namespace then name")
    def get(self, request: Request, cluster_id: str) -> Response:
        query = WorkloadListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        allowed = self.list_scope(query.validated_data.get("namespace") or None)
        workloads = selectors.workload_list(
            cluster=self.cluster,
            namespace=query.validated_data.get("namespace") or None,
            types=query.validated_data.get("type") or None,
            search=query.validated_data.get("search") or None,
        )
        return paginate(self.narrow(workloads, allowed), request,
                        lambda page: WorkloadItemSerializer(page, many=True).data)


@extend_schema(tags=["workloads"])
class DeploymentDetailView(ClusterScopedView, APIView):
    """One Deployment (viewers); replace or delete it (operators)."""

    read_role = Role.VIEWER
    write_role = Role.OPERATOR
    action_label = "changing a deployment"

    @extend_schema(responses=DeploymentDetailSerializer, summary="One Deployment, with its pods")
    def get(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        cluster = self.cluster
        deployment = selectors.deployment_get(cluster=cluster, namespace=namespace, name=name)
        return Response(DeploymentDetailSerializer(selectors.deployment_detail(cluster=cluster,
                                                                               deployment=deployment)).data)

    @extend_schema(request=PolymorphicProxySerializer(
                       component_name="DeploymentUpdate", resource_type_field_name=None,
                       serializers=[DeploymentManifestSerializer, DeploymentYamlSerializer]),
                   responses=DeploymentDetailSerializer,
                   summary="Replace the Deployment with a full manifest (JSON, or YAML in {\"yaml\": ...})")
    def put(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        cluster = self.cluster
        body = DeploymentManifestSerializer(data=request.data, context={"name": name, "namespace": namespace})
        body.is_valid(raise_exception=True)
        updated = services.deployment_update(cluster=cluster, namespace=namespace, name=name,
                                             manifest=body.validated_data)
        detail = selectors.deployment_detail(cluster=cluster, deployment=updated)
        return ok(DeploymentDetailSerializer(detail).data, message="Deployment updated successfully")

    @extend_schema(responses=None, summary="Delete the Deployment (its pods go with it)")
    def delete(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        services.deployment_delete(cluster=self.cluster, namespace=namespace, name=name)
        return ok(message="Deployment deleted successfully")


@extend_schema(tags=["workloads"])
class DeploymentScaleView(ClusterScopedView, APIView):
    """Scale a Deployment through its scale subresource (operators)."""

    write_role = Role.OPERATOR
    action_label = "scaling a deployment"

    @extend_schema(request=ScaleSerializer, responses=ScaleResultSerializer,
                   summary="Set the replica count (scale subresource); 0 is valid")
    def post(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        cluster = self.cluster
        body = ScaleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        replicas = services.deployment_scale(cluster=cluster, namespace=namespace, name=name,
                                             replicas=body.validated_data["replicas"])
        result = {"name": name, "namespace": namespace, "replicas": replicas}
        return ok(ScaleResultSerializer(result).data, message=f"Deployment scaled to {replicas} replicas")


@extend_schema(tags=["workloads"])
class DeploymentRestartView(ClusterScopedView, APIView):
    """Rolling restart, exactly as `kubectl rollout restart` does it (operators)."""

    write_role = Role.OPERATOR
    action_label = "restarting a deployment"

    @extend_schema(request=None, responses=RestartResultSerializer,
                   summary="Rolling restart, as `kubectl rollout restart`")
    def post(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        restarted_at = services.deployment_restart(cluster=self.cluster,
                                                   namespace=namespace, name=name)
        result = {"name": name, "namespace": namespace, "restartedAt": restarted_at}
        return ok(RestartResultSerializer(result).data, message="Deployment restarted successfully")
