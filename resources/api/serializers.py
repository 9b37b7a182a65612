"""Query parameters and response shapes of Services, Ingresses, storage, Events and HorizontalPodAutoscalers.

Every field the shapers (resources/shapes/) produce is declared here with its real type and nullability, so the
OpenAPI document describes the answers exactly (tests check every response against it).
"""
from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clusters.api.viewsets import ResourceListQuerySerializer
from resources.shapes.events import SINCE_HELP, parse_since

# ruff: noqa: N815 - the API's field names are camelCase


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}], "nullable": True,
                      "description": "A port number or a port name (Kubernetes IntOrString)"})
class IntOrStringField(serializers.Field):
    def to_representation(self, value: Any) -> Any:
        return value


def _nullable_str(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(allow_null=True, **kwargs)


def _str_map(**kwargs: Any) -> serializers.DictField:
    return serializers.DictField(child=serializers.CharField(), **kwargs)


def _str_list(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), **kwargs)


class _Meta(serializers.Serializer):
    name = serializers.CharField()
    namespace = serializers.CharField()
    labels = _str_map()
    createdAt = _nullable_str()


class _ClusterMeta(_Meta):
    namespace = serializers.CharField(allow_null=True, help_text="Always null: the kind belongs to no namespace")


class _DetailMeta(serializers.Serializer):
    uid = _nullable_str()
    annotations = _str_map(help_text="kubectl's last-applied-configuration is left out")
    resourceVersion = _nullable_str()


class StatusConditionSerializer(serializers.Serializer):
    type = serializers.CharField()
    status = serializers.CharField()
    reason = _nullable_str()
    message = _nullable_str()
    lastTransitionTime = _nullable_str()


class _Boolean(serializers.BooleanField):
    """A boolean query filter: absent means no filtering (not `false`)."""

    default_empty_html = None
    initial = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, allow_null=True, default=None, **kwargs)


# --- Services ------------------------------------------------------------------------------------

SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")


class ServiceListQuerySerializer(ResourceListQuerySerializer):
    type = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                 help_text="Only this type: ClusterIP, NodePort, LoadBalancer or ExternalName "
                                           "(any case)")
    noReadyEndpoints = _Boolean(help_text="true: only Services with no ready endpoint (ExternalName Services, which "
                                          "have no endpoints by design, are left out); false: only those with one")

    def validate_type(self, value: str) -> str:
        if not value:
            return value
        for known in SERVICE_TYPES:
            if value.strip().lower() == known.lower():
                return known
        raise serializers.ValidationError(f"unknown Service type '{value[:40]}'; valid: {', '.join(SERVICE_TYPES)}")


class ServicePortSerializer(serializers.Serializer):
    name = _nullable_str()
    protocol = serializers.CharField()
    port = serializers.IntegerField(allow_null=True)
    targetPort = IntOrStringField()
    nodePort = serializers.IntegerField(allow_null=True)


class ServiceItemSerializer(_Meta):
    type = serializers.CharField(help_text="ClusterIP, NodePort, LoadBalancer or ExternalName")
    clusterIP = _nullable_str(help_text='"None" for a headless Service')
    externalIPs = _str_list()
    loadBalancerIngress = _str_list(help_text="The load balancer's addresses (IP, else hostname)")
    externalName = _nullable_str()
    ports = ServicePortSerializer(many=True)
    selector = _str_map()
    readyEndpoints = serializers.IntegerField(
        allow_null=True, help_text="Ready endpoints in the Service's EndpointSlices (null for ExternalName, or when "
                                   "the cluster serves no discovery.k8s.io/v1)")
    notReadyEndpoints = serializers.IntegerField(allow_null=True, help_text="Endpoints not ready (or terminating)")


class EndpointSerializer(serializers.Serializer):
    addresses = _str_list()
    ready = serializers.BooleanField()
    terminating = serializers.BooleanField()
    nodeName = _nullable_str()
    targetKind = _nullable_str()
    targetName = _nullable_str()


class ServiceDetailSerializer(ServiceItemSerializer, _DetailMeta):
    clusterIPs = _str_list()
    ipFamilies = _str_list()
    sessionAffinity = _nullable_str()
    externalTrafficPolicy = _nullable_str()
    internalTrafficPolicy = _nullable_str()
    endpoints = EndpointSerializer(many=True, help_text="One row per backend, from the EndpointSlices")


# --- Ingresses -----------------------------------------------------------------------------------

class IngressListQuerySerializer(ResourceListQuerySerializer):
    ingressClass = serializers.CharField(required=False, allow_blank=True, max_length=253,
                                         help_text="Only Ingresses of this class")


class BackendSerializer(serializers.Serializer):
    kind = _nullable_str(help_text="Service, or the kind of a resource backend")
    name = _nullable_str()
    port = IntOrStringField()


class IngressPathSerializer(serializers.Serializer):
    host = _nullable_str(help_text="null: any host")
    path = serializers.CharField()
    pathType = _nullable_str()
    backend = BackendSerializer(allow_null=True)


class IngressTLSSerializer(serializers.Serializer):
    hosts = _str_list()
    secretName = _nullable_str()


class IngressItemSerializer(_Meta):
    ingressClass = _nullable_str(help_text="spec.ingressClassName, else the kubernetes.io/ingress.class annotation")
    hosts = _str_list()
    paths = IngressPathSerializer(many=True)
    defaultBackend = BackendSerializer(allow_null=True)
    tls = IngressTLSSerializer(many=True)
    addresses = _str_list(help_text="The load balancer's addresses")


class IngressDetailSerializer(IngressItemSerializer, _DetailMeta):
    pass


# --- storage -------------------------------------------------------------------------------------

class PVCListQuerySerializer(ResourceListQuerySerializer):
    phase = serializers.ChoiceField(choices=["Pending", "Bound", "Lost"], required=False,
                                    help_text="Only claims in this phase")


class PVCItemSerializer(_Meta):
    status = _nullable_str(help_text="The phase, or Terminating")
    phase = _nullable_str(help_text="Pending, Bound or Lost")
    capacity = _nullable_str(help_text="The bound volume's capacity (null until bound)")
    requested = _nullable_str(help_text="spec.resources.requests.storage")
    accessModes = _str_list()
    storageClass = _nullable_str()
    volumeName = _nullable_str(help_text="The bound PersistentVolume")
    volumeMode = _nullable_str()
    usedBy = _str_list(help_text="Pods (not finished) whose volumes reference the claim")


class PVCDetailSerializer(PVCItemSerializer, _DetailMeta):
    conditions = StatusConditionSerializer(many=True)


class PVListQuerySerializer(ResourceListQuerySerializer):
    namespace = None
    phase = serializers.ChoiceField(choices=["Pending", "Available", "Bound", "Released", "Failed"], required=False,
                                    help_text="Only volumes in this phase")
    storageClass = serializers.CharField(required=False, allow_blank=True, max_length=253,
                                         help_text="Only volumes of this StorageClass")


class ClaimRefSerializer(serializers.Serializer):
    namespace = _nullable_str()
    name = serializers.CharField()


class PVSourceSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="The volume plugin: csi, hostPath, nfs, local, ...")
    driver = _nullable_str(help_text="The CSI driver (csi only)")


class PVItemSerializer(_ClusterMeta):
    status = _nullable_str(help_text="The phase, or Terminating")
    phase = _nullable_str()
    capacity = _nullable_str()
    accessModes = _str_list()
    reclaimPolicy = _nullable_str()
    storageClass = _nullable_str()
    claim = ClaimRefSerializer(allow_null=True, help_text="The claim it is bound to (or reserved for)")
    volumeMode = _nullable_str()
    reason = _nullable_str()


class PVDetailSerializer(PVItemSerializer, _DetailMeta):
    message = _nullable_str()
    source = PVSourceSerializer(allow_null=True)
    mountOptions = _str_list()


class StorageClassListQuerySerializer(ResourceListQuerySerializer):
    namespace = None


class StorageClassItemSerializer(_ClusterMeta):
    provisioner = _nullable_str()
    reclaimPolicy = serializers.CharField(help_text="Delete (the default) or Retain")
    volumeBindingMode = serializers.CharField(help_text="Immediate (the default) or WaitForFirstConsumer")
    allowVolumeExpansion = serializers.BooleanField()
    isDefault = serializers.BooleanField(help_text="storageclass.kubernetes.io/is-default-class is true")


class StorageClassDetailSerializer(StorageClassItemSerializer, _DetailMeta):
    parameters = _str_map()
    mountOptions = _str_list()


# --- Events --------------------------------------------------------------------------------------

class EventListQuerySerializer(ResourceListQuerySerializer):
    search = serializers.CharField(required=False, allow_blank=True, max_length=1024,
                                   help_text="Substring of the event's name, the involved object's name or the "
                                             "message, any case")
    type = serializers.ChoiceField(choices=["Normal", "Warning"], required=False, help_text="Normal or Warning")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1024,
                                   help_text="Only this reason (e.g. BackOff, FailedScheduling), any case")
    involvedKind = serializers.CharField(required=False, allow_blank=True, max_length=253,
                                         help_text="Only events about this kind (e.g. Pod), any case")
    involvedName = serializers.CharField(required=False, allow_blank=True, max_length=253,
                                         help_text="Only events about the object of this name")
    since = serializers.CharField(required=False, allow_blank=True, max_length=64, help_text=SINCE_HELP)

    def to_internal_value(self, data: Any) -> Any:
        """`type` in any case (`warning` means Warning)."""
        if hasattr(data, "get") and isinstance(data.get("type"), str):
            data = data.copy()
            data["type"] = data["type"].strip().capitalize()
        return super().to_internal_value(data)

    def validate_since(self, value: str) -> Any:
        import datetime as dt

        if not value:
            return None
        try:
            return parse_since(value, dt.datetime.now(dt.UTC))
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


class EventItemSerializer(_Meta):
    type = _nullable_str(help_text="Normal or Warning")
    reason = _nullable_str()
    message = _nullable_str()
    involvedKind = _nullable_str()
    involvedName = _nullable_str()
    involvedNamespace = _nullable_str()
    source = _nullable_str(help_text="The reporting controller (or core source component)")
    action = _nullable_str()
    count = serializers.IntegerField(help_text="How many times it happened")
    firstSeen = _nullable_str()
    lastSeen = _nullable_str()


# --- HorizontalPodAutoscalers --------------------------------------------------------------------

class HPAListQuerySerializer(ResourceListQuerySerializer):
    atMax = _Boolean(help_text="true: only autoscalers running their maximum replicas; false: the others")


class ScaleTargetSerializer(serializers.Serializer):
    apiVersion = _nullable_str()
    kind = _nullable_str()
    name = _nullable_str()


class HPAMetricSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="Resource, ContainerResource, Pods, Object or External")
    name = _nullable_str(help_text="The resource (cpu, memory) or metric name")
    container = _nullable_str()
    describedObject = _nullable_str(help_text="Object metrics: Kind/name")
    targetType = _nullable_str(help_text="Utilization, AverageValue or Value")
    target = _nullable_str(help_text="As kubectl prints it: 80% or a quantity")
    current = _nullable_str(help_text="The current value (null until measured)")


class HPAItemSerializer(_Meta):
    target = ScaleTargetSerializer()
    minReplicas = serializers.IntegerField()
    maxReplicas = serializers.IntegerField(allow_null=True)
    currentReplicas = serializers.IntegerField(allow_null=True)
    desiredReplicas = serializers.IntegerField(allow_null=True)
    atMax = serializers.BooleanField(help_text="currentReplicas has reached maxReplicas: it cannot scale further up")
    metrics = HPAMetricSerializer(many=True)
    lastScaleTime = _nullable_str()
    conditions = StatusConditionSerializer(many=True)


class HPADetailSerializer(HPAItemSerializer, _DetailMeta):
    behavior = serializers.DictField(help_text="spec.behavior as the cluster holds it")
