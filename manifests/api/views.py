"""Apply a manifest, and read any object as YAML: thin views, the work in services/selectors."""
from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters.api.scoped import ClusterScopedView
from common.permissions import Role
from common.renderers import EnvelopeRenderer
from common.responses import ok
from manifests import selectors, services
from manifests.api.serializers import (
    ApplyResponseSerializer,
    ApplySerializer,
    ObjectYamlQuerySerializer,
    ObjectYamlSerializer,
)


class YamlRenderer(BaseRenderer):
    """The object's YAML as the body itself (`?format=yaml` or `Accept: application/yaml`)."""

    media_type = "application/yaml"
    format = "yaml"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: dict | None = None) -> bytes:
        return str(data).encode("utf-8")


@extend_schema(tags=["manifests"])
class ApplyView(ClusterScopedView, APIView):
    """Server-side apply of a multi-document manifest, with a per-object dry-run diff (operators)."""

    write_role = Role.OPERATOR
    action_label = "applying a manifest"

    @extend_schema(request=ApplySerializer, responses=ApplyResponseSerializer,
                   summary="Server-side apply (field manager `kubepolaris`) of one or more objects of any kind; "
                           "per object: action, diff, error")
    def post(self, request: Request, cluster_id: str) -> Response:
        length = request.META.get("CONTENT_LENGTH") or "0"
        limit = 2 * services.max_bytes() + 4096  # JSON escaping of the YAML text; the YAML itself is checked after
        if length.isdigit() and int(length) > limit:
            raise services.PayloadTooLarge(f"The request body is larger than {limit} bytes")
        body = ApplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        docs = services.documents_from(yaml_text=data.get("yaml"), objects=data.get("objects"))
        results = services.apply_manifest(cluster=self.cluster, user=request.user, docs=docs,
                                          dry_run=data["dryRun"], force=data["force"],
                                          namespace=data.get("namespace"))
        answer = {"dryRun": data["dryRun"], "results": results}
        return ok(ApplyResponseSerializer(answer).data, message=services.summary(results, data["dryRun"]))


class _YamlView(ClusterScopedView, APIView):
    read_role = Role.VIEWER
    action_label = "reading an object's YAML"
    renderer_classes = [EnvelopeRenderer, YamlRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        # errors keep the envelope, whatever format the answer would have had
        self.request.accepted_renderer = EnvelopeRenderer()
        self.request.accepted_media_type = EnvelopeRenderer.media_type
        return super().handle_exception(exc)

    def answer(self, request: Request, plural: str, namespace: str | None, name: str) -> Response:
        ObjectYamlQuerySerializer(data=request.query_params).is_valid(raise_exception=True)
        text = selectors.object_yaml(cluster=self.cluster, plural=plural, namespace=namespace, name=name)
        if getattr(request.accepted_renderer, "format", None) == "yaml":
            return Response(text, content_type="application/yaml; charset=utf-8")
        return Response(ObjectYamlSerializer({"yaml": text}).data)


YAML_RESPONSES = {
    (200, "application/json"): ObjectYamlSerializer,
    (200, "application/yaml"): OpenApiResponse(OpenApiTypes.OBJECT, description="The object, as YAML"),
}


@extend_schema(tags=["manifests"])
class NamespacedYamlView(_YamlView):
    """A namespaced object of any kind the cluster serves, as clean YAML (viewers)."""

    @extend_schema(parameters=[ObjectYamlQuerySerializer], responses=YAML_RESPONSES,
                   summary="A namespaced object as YAML, ready to edit and apply back (Secret values masked)")
    def get(self, request: Request, cluster_id: str, namespace: str, plural: str, name: str) -> Response:
        return self.answer(request, plural, namespace, name)


@extend_schema(tags=["manifests"])
class ClusterYamlView(_YamlView):
    """A cluster-scoped object (a Namespace, a Node, a CRD...) as clean YAML (viewers with a whole-cluster grant)."""

    cluster_wide = True

    @extend_schema(parameters=[ObjectYamlQuerySerializer], responses=YAML_RESPONSES,
                   summary="A cluster-scoped object as YAML, ready to edit and apply back")
    def get(self, request: Request, cluster_id: str, plural: str, name: str) -> Response:
        return self.answer(request, plural, None, name)
