"""StatefulSet, DaemonSet, Job and CronJob actions (their detail and delete are viewsets in workloads/api/views.py).

Thin: one base per shape (detail, scale, restart, suspend), one declarative subclass per kind. The door
(ClusterScopedView) checks the path names and decides access with the view's roles: viewers read,
operators act.
"""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters.api.scoped import ClusterScopedView
from common.permissions import Role
from common.responses import ok
from kube.times import rfc3339
from workloads import actions, details
from workloads.api.kind_serializers import (
    DeleteQuerySerializer,
    SuspendResultSerializer,
    TriggerResultSerializer,
    TriggerSerializer,
)
from workloads.api.serializers import RestartResultSerializer, ScaleResultSerializer, ScaleSerializer

DELETE_PARAMETERS = [OpenApiParameter("propagationPolicy", str, enum=list(actions.PROPAGATION_POLICIES),
                                      description="Background (default), Foreground or Orphan")]


def delete_policy(request: Request) -> str:
    """The validated `?propagationPolicy=` (Background when absent)."""
    query = DeleteQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return str(query.validated_data["propagationPolicy"])


def deleted_message(kind: str, policy: str) -> str:
    """`<Kind> deleted successfully`, naming a policy other than the default: the audit log keeps the message,
    not the query string, and an orphaning delete should read as one."""
    suffix = "" if policy == "Background" else f" (propagationPolicy {policy})"
    return f"{kind} deleted successfully{suffix}"


class ScaleView(ClusterScopedView, APIView):
    """Scale a workload through its scale subresource (operators); `kind` says which (Deployment, StatefulSet)."""

    kind: details.ActionKind
    write_role = Role.OPERATOR

    @extend_schema(request=ScaleSerializer, responses=ScaleResultSerializer,
                   summary="Set the replica count (scale subresource); 0 is valid")
    def post(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        body = ScaleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        replicas = actions.scale(cluster=self.cluster, kind=self.kind, namespace=namespace, name=name,
                                 replicas=body.validated_data["replicas"], actor=request.user.username)
        result = {"name": name, "namespace": namespace, "replicas": replicas}
        return ok(ScaleResultSerializer(result).data, message=f"{self.kind.kind} scaled to {replicas} replicas")


@extend_schema(tags=["workloads"])
class StatefulSetScaleView(ScaleView):
    """Scale a StatefulSet through its scale subresource (operators), as for Deployments."""

    kind = details.STATEFULSET
    action_label = "scaling a statefulset"


class _RestartView(ClusterScopedView, APIView):
    kind: details.ActionKind
    write_role = Role.OPERATOR

    @extend_schema(request=None, responses=RestartResultSerializer,
                   summary="Rolling restart, as `kubectl rollout restart`")
    def post(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        restarted_at, strategy = actions.restart(cluster=self.cluster, kind=self.kind, namespace=namespace,
                                                 name=name, actor=request.user.username)
        result = {"name": name, "namespace": namespace, "restartedAt": restarted_at}
        message = f"{self.kind.kind} restarted successfully"
        if strategy == "OnDelete":
            message += " (its update strategy is OnDelete: each pod is replaced only when it is deleted)"
        return ok(RestartResultSerializer(result).data, message=message)


@extend_schema(tags=["workloads"])
class StatefulSetRestartView(_RestartView):
    """Rolling restart of a StatefulSet, exactly as `kubectl rollout restart` does it (operators)."""

    kind = details.STATEFULSET
    action_label = "restarting a statefulset"


@extend_schema(tags=["workloads"])
class DaemonSetRestartView(_RestartView):
    """Rolling restart of a DaemonSet, exactly as `kubectl rollout restart` does it (operators)."""

    kind = details.DAEMONSET
    action_label = "restarting a daemonset"


class _SuspendView(ClusterScopedView, APIView):
    suspend: bool = True
    write_role = Role.OPERATOR

    def post(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        now = actions.set_suspend(cluster=self.cluster, namespace=namespace, name=name, suspend=self.suspend)
        result = {"name": name, "namespace": namespace, "suspend": now}
        return ok(SuspendResultSerializer(result).data,
                  message=f"CronJob {'suspended' if self.suspend else 'resumed'} successfully")


@extend_schema(tags=["workloads"])
class CronJobSuspendView(_SuspendView):
    """Suspend a CronJob's schedule (operators): no new Jobs; running ones go on."""

    action_label = "suspending a cronjob"

    @extend_schema(request=None, responses=SuspendResultSerializer, summary="Suspend the schedule (spec.suspend)")
    def post(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        return super().post(request, cluster_id, namespace, name)


@extend_schema(tags=["workloads"])
class CronJobResumeView(_SuspendView):
    """Resume a suspended CronJob's schedule (operators)."""

    suspend = False
    action_label = "resuming a cronjob"

    @extend_schema(request=None, responses=SuspendResultSerializer, summary="Resume the schedule")
    def post(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        return super().post(request, cluster_id, namespace, name)


@extend_schema(tags=["workloads"])
class CronJobTriggerView(ClusterScopedView, APIView):
    """Run a CronJob now (operators): a Job made as `kubectl create job --from=cronjob/<name>` makes it."""

    write_role = Role.OPERATOR
    action_label = "triggering a cronjob"

    @extend_schema(request=TriggerSerializer, responses={201: TriggerResultSerializer},
                   summary="Create a Job from the CronJob now (name: given, or <cronjob>-manual-<suffix>)")
    def post(self, request: Request, cluster_id: str, namespace: str, name: str) -> Response:
        body = TriggerSerializer(data=request.data if request.data not in (None, "") else {})
        body.is_valid(raise_exception=True)
        job = actions.trigger(cluster=self.cluster, namespace=namespace, name=name,
                              job_name=body.validated_data.get("name") or None)
        metadata = job.get("metadata") or {}
        result = {"name": metadata.get("name"), "namespace": namespace, "cronJob": name,
                  "createdAt": rfc3339(metadata.get("creationTimestamp"))}
        return ok(TriggerResultSerializer(result).data, status=201,
                  message=f"Job '{result['name']}' created from CronJob '{name}'")
