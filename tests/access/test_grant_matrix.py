"""Issue 11.1: a user scoped to one namespace of one cluster, driven through every cluster endpoint.

The matrix is generated from the URL configuration: every route under `/api/clusters/<cluster_id>/`
must be a `ClusterScopedView` and must have a recipe below, so a new endpoint without an access rule
fails `test_every_cluster_route_has_a_recipe`. Each recipe is sent three ways: in the granted namespace
(the door lets it through: the answer is the endpoint's own), in another namespace (404, never data)
and on a cluster without a grant (404, as if it did not exist).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from accounts.models import Grant
from clusters.api.scoped import ClusterScopedView
from common.permissions import Role
from tests.api_mixins import assert_envelope, assert_page
from tests.conftest import bearer_client, register_sim

GRANTED, OTHER = "monitoring", "shop"
# A real object of each kind per namespace (the demo fleet's).
DEPLOYMENT = {GRANTED: "grafana", OTHER: "web"}
STATEFULSET = {GRANTED: "prometheus", OTHER: "redis"}
DAEMONSET = {GRANTED: "node-exporter", OTHER: "node-exporter"}  # OTHER has none: the namespace 404 comes first
SERVICE = {GRANTED: "grafana", OTHER: "web"}
INGRESS = {GRANTED: "grafana", OTHER: "shop"}
CLAIM = {GRANTED: "grafana-data", OTHER: "media"}
AUTOSCALER = {GRANTED: "legacy-exporter", OTHER: "web"}


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    """A private simulator: the allowed writes below really happen."""
    from kubesim import KubeSim

    simulator = KubeSim(fleet="demo")
    simulator.start()
    yield simulator
    simulator.stop()


def event_in(sim: Any, namespace: str) -> str:
    events = sorted(e["metadata"]["name"] for e in sim.store.list("events", namespace))
    assert events, f"the demo fleet has events in {namespace}"
    return events[0]


def pod_in(sim: Any, namespace: str) -> str:
    pods = sorted(p["metadata"]["name"] for p in sim.store.list("pods") if p["metadata"]["namespace"] == namespace)
    assert pods, f"the demo fleet has pods in {namespace}"
    return pods[0]


@dataclass
class World:
    granted: Any            # the cluster the user has a grant on
    hidden: Any             # a cluster without any grant (the same simulator, registered again)
    operator: APIClient     # an operator grant on GRANTED of `granted`
    viewer: APIClient       # a viewer grant on GRANTED of `granted`
    sim: Any


@pytest.fixture
def world(db: Any, sim: Any, make_user: Any) -> World:
    granted, hidden = register_sim(sim, "granted"), register_sim(sim, "hidden")
    operator = make_user(role=Role.VIEWER)  # the grant, not the global role, decides for a scoped user
    viewer = make_user(role=Role.OPERATOR)
    Grant.objects.create(user=operator, cluster=granted, namespace=GRANTED, role=Role.OPERATOR)
    Grant.objects.create(user=viewer, cluster=granted, namespace=GRANTED, role=Role.VIEWER)
    return World(granted, hidden, bearer_client(operator), bearer_client(viewer), sim)


@dataclass
class Recipe:
    method: str
    path: str                 # under /api/clusters/<id>/, with {ns}, {pod}, {deployment}, {sts}, {ds}, {node}
    body: Any = None
    allowed: int = 200        # the endpoint's own answer inside the grant (400: its validation ran, the door let it in)
    write: bool = False
    cluster_wide: bool = False


RECIPES: dict[str, list[Recipe]] = {
    "pod-list": [Recipe("get", "pods")],
    "pod-namespaced-list": [Recipe("get", "namespaces/{ns}/pods")],
    "pod-detail": [Recipe("get", "namespaces/{ns}/pods/{pod}"),
                   Recipe("delete", "namespaces/{ns}/pods/{pod}?gracePeriod=-1", allowed=400, write=True)],
    "pod-logs": [Recipe("get", "namespaces/{ns}/pods/{pod}/logs?tailLines=1")],
    "pod-events": [Recipe("get", "namespaces/{ns}/pods/{pod}/events")],
    "workload-list": [Recipe("get", "workloads")],
    **{f"{kind}-list": [Recipe("get", f"{kind}s")] for kind in ("deployment", "statefulset", "daemonset", "job",
                                                               "cronjob")},
    **{f"{kind}-namespaced-list": [Recipe("get", f"namespaces/{{ns}}/{kind}s")]
       for kind in ("deployment", "statefulset", "daemonset", "job", "cronjob")},
    "deployment-detail": [Recipe("get", "namespaces/{ns}/deployments/{deployment}"),
                          Recipe("put", "namespaces/{ns}/deployments/{deployment}", {"spec": 1}, 400, write=True),
                          Recipe("delete", "namespaces/{ns}/deployments/no-such-deployment", allowed=404, write=True)],
    "deployment-scale": [Recipe("post", "namespaces/{ns}/deployments/{deployment}/scale", {"replicas": -1}, 400,
                                write=True)],
    "deployment-restart": [Recipe("post", "namespaces/{ns}/deployments/{deployment}/restart", write=True)],
    "deployment-history": [Recipe("get", "namespaces/{ns}/deployments/{deployment}/history")],
    "deployment-revision": [Recipe("get", "namespaces/{ns}/deployments/{deployment}/history/1")],
    "deployment-rollback": [Recipe("post", "namespaces/{ns}/deployments/{deployment}/rollback", {"revision": "x"},
                                   400, write=True)],
    "statefulset-history": [Recipe("get", "namespaces/{ns}/statefulsets/{sts}/history")],
    "statefulset-revision": [Recipe("get", "namespaces/{ns}/statefulsets/{sts}/history/1")],
    "statefulset-rollback": [Recipe("post", "namespaces/{ns}/statefulsets/{sts}/rollback", {"revision": "x"},
                                    400, write=True)],
    "daemonset-history": [Recipe("get", "namespaces/{ns}/daemonsets/{ds}/history")],
    "daemonset-revision": [Recipe("get", "namespaces/{ns}/daemonsets/{ds}/history/1")],
    "daemonset-rollback": [Recipe("post", "namespaces/{ns}/daemonsets/{ds}/rollback", {"revision": "x"},
                                  400, write=True)],
    # Namespaces: reading one needs a grant in it; creating and deleting need a whole-cluster grant.
    "namespace-list": [Recipe("get", "namespaces"),
                       Recipe("post", "namespaces", {"name": "Bad_Name"}, 400, write=True, cluster_wide=True)],
    "namespace-detail": [Recipe("get", "namespaces/{ns}"),
                         Recipe("delete", f"namespaces/{GRANTED}", allowed=400, write=True, cluster_wide=True)],
    **{f"{kind}-list": [Recipe("get", f"{kind}s")] for kind in ("configmap", "secret")},
    **{f"{kind}-namespaced-list": [Recipe("get", f"namespaces/{{ns}}/{kind}s"),
                                   Recipe("post", f"namespaces/{{ns}}/{kind}s", {"name": "UPPER"}, 400, write=True)]
       for kind in ("configmap", "secret")},
    **{f"{kind}-detail": [Recipe("get", f"namespaces/{{ns}}/{kind}s/no-such-{kind}", allowed=404),
                          Recipe("put", f"namespaces/{{ns}}/{kind}s/no-such-{kind}", {"data": 1}, 400, write=True),
                          Recipe("delete", f"namespaces/{{ns}}/{kind}s/no-such-{kind}", allowed=404, write=True)]
       for kind in ("configmap", "secret")},
    # Revealing needs the admin role by default (SECRET_REVEAL_ROLES): an operator grant is refused by the door.
    "secret-reveal": [Recipe("post", "namespaces/{ns}/secrets/no-such-secret/reveal", allowed=403, write=True)],
    "statefulset-detail": [Recipe("get", "namespaces/{ns}/statefulsets/{sts}"),
                           Recipe("delete", "namespaces/{ns}/statefulsets/no-such-statefulset?propagationPolicy=Orphan",
                                  allowed=404, write=True)],
    "statefulset-scale": [Recipe("post", "namespaces/{ns}/statefulsets/{sts}/scale", {"replicas": -1}, 400,
                                 write=True)],
    "statefulset-restart": [Recipe("post", "namespaces/{ns}/statefulsets/{sts}/restart", write=True)],
    "daemonset-detail": [Recipe("get", "namespaces/{ns}/daemonsets/{ds}"),
                         Recipe("delete", "namespaces/{ns}/daemonsets/no-such-daemonset", allowed=404, write=True)],
    "daemonset-restart": [Recipe("post", "namespaces/{ns}/daemonsets/{ds}/restart", write=True)],
    # GRANTED has no Jobs or CronJobs: the answer inside the grant is the object's own 404
    "job-detail": [Recipe("get", "namespaces/{ns}/jobs/no-such-job", allowed=404),
                   Recipe("delete", "namespaces/{ns}/jobs/no-such-job", allowed=404, write=True)],
    "cronjob-detail": [Recipe("get", "namespaces/{ns}/cronjobs/no-such-cronjob", allowed=404),
                       Recipe("delete", "namespaces/{ns}/cronjobs/no-such-cronjob", allowed=404, write=True)],
    "cronjob-suspend": [Recipe("post", "namespaces/{ns}/cronjobs/no-such-cronjob/suspend", allowed=404, write=True)],
    "cronjob-resume": [Recipe("post", "namespaces/{ns}/cronjobs/no-such-cronjob/resume", allowed=404, write=True)],
    "cronjob-trigger": [Recipe("post", "namespaces/{ns}/cronjobs/no-such-cronjob/trigger", {"name": "Not_A_Name"},
                               400, write=True),
                        Recipe("post", "namespaces/{ns}/cronjobs/no-such-cronjob/trigger", {}, 404, write=True)],
    "manifest-apply": [Recipe("post", "apply", {"yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: matrix, "
                                                       f"namespace: {GRANTED}}}\n", "dryRun": True}, write=True)],
    "object-yaml": [Recipe("get", "namespaces/{ns}/deployments/{deployment}/yaml")],
    "cluster-object-yaml": [Recipe("get", "nodes/{node}/yaml", cluster_wide=True)],
    "node-list": [Recipe("get", "nodes", cluster_wide=True)],
    "node-detail": [Recipe("get", "nodes/{node}", cluster_wide=True)],
    "node-cordon": [Recipe("post", "nodes/{node}/cordon", write=True, cluster_wide=True)],
    "node-uncordon": [Recipe("post", "nodes/{node}/uncordon", write=True, cluster_wide=True)],
    "node-drain": [Recipe("post", "nodes/{node}/drain", {"dryRun": True}, write=True, cluster_wide=True)],
    # networking, storage, events, autoscaling (resources/): read-only
    "service-list": [Recipe("get", "services?noReadyEndpoints=true")],
    "service-namespaced-list": [Recipe("get", "namespaces/{ns}/services")],
    "service-detail": [Recipe("get", "namespaces/{ns}/services/{service}")],
    "ingress-list": [Recipe("get", "ingresses")],
    "ingress-namespaced-list": [Recipe("get", "namespaces/{ns}/ingresses")],
    "ingress-detail": [Recipe("get", "namespaces/{ns}/ingresses/{ingress}")],
    "persistentvolumeclaim-list": [Recipe("get", "persistentvolumeclaims")],
    "persistentvolumeclaim-namespaced-list": [Recipe("get", "namespaces/{ns}/persistentvolumeclaims")],
    "persistentvolumeclaim-detail": [Recipe("get", "namespaces/{ns}/persistentvolumeclaims/{claim}")],
    "persistentvolume-list": [Recipe("get", "persistentvolumes", cluster_wide=True)],
    "persistentvolume-detail": [Recipe("get", "persistentvolumes/old-reports", cluster_wide=True)],
    "storageclass-list": [Recipe("get", "storageclasses", cluster_wide=True)],
    "storageclass-detail": [Recipe("get", "storageclasses/standard", cluster_wide=True)],
    "event-list": [Recipe("get", "events?type=Normal")],
    "event-namespaced-list": [Recipe("get", "namespaces/{ns}/events")],
    "event-detail": [Recipe("get", "namespaces/{ns}/events/{event}")],
    "horizontalpodautoscaler-list": [Recipe("get", "horizontalpodautoscalers")],
    "horizontalpodautoscaler-namespaced-list": [Recipe("get", "namespaces/{ns}/horizontalpodautoscalers")],
    "horizontalpodautoscaler-detail": [Recipe("get", "namespaces/{ns}/horizontalpodautoscalers/{hpa}")],
}


def cluster_routes() -> dict[str, Any]:
    """Every named route whose pattern has a `<cluster_id>`, with its view callback."""
    found: dict[str, Any] = {}

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and "<str:cluster_id>" in prefix + str(pattern.pattern):
                found[pattern.name] = pattern.callback

    walk(get_resolver().url_patterns, "")
    return found


def test_every_cluster_route_has_a_recipe() -> None:
    routes = cluster_routes()
    assert routes, "the URL configuration has cluster routes"
    missing = sorted(set(routes) - set(RECIPES))
    assert not missing, f"cluster routes without an access recipe in this matrix: {missing}"
    for name, callback in routes.items():
        view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        assert view is not None and issubclass(view, ClusterScopedView), f"{name} does not pass ClusterScopedView"


def url(world: World, cluster: Any, recipe: Recipe, namespace: str) -> str:
    path = recipe.path.format(ns=namespace, pod=pod_in(world.sim, namespace), deployment=DEPLOYMENT[namespace],
                              sts=STATEFULSET[namespace], ds=DAEMONSET[namespace], node="worker-1",
                              service=SERVICE[namespace], ingress=INGRESS[namespace], claim=CLAIM[namespace],
                              hpa=AUTOSCALER[namespace],
                              event=event_in(world.sim, namespace) if "{event}" in recipe.path else "")
    return f"/api/clusters/{cluster.pk}/{path}"


def send(client: APIClient, recipe: Recipe, target: str) -> Any:
    return getattr(client, recipe.method)(target, recipe.body, format="json") if recipe.body is not None \
        else getattr(client, recipe.method)(target)


CASES = [(name, index) for name, recipes in RECIPES.items() for index in range(len(recipes))]


@pytest.mark.parametrize(("route", "index"), CASES)
def test_a_cluster_without_a_grant_does_not_exist(world: World, route: str, index: int) -> None:
    recipe = RECIPES[route][index]
    body = assert_envelope(send(world.operator, recipe, url(world, world.hidden, recipe, GRANTED)), 404)
    assert body["message"] == f"Cluster {world.hidden.pk} not found"


@pytest.mark.parametrize(("route", "index"), [c for c in CASES if "{ns}" in RECIPES[c[0]][c[1]].path])
def test_another_namespace_is_a_404_never_data(world: World, route: str, index: int) -> None:
    recipe = RECIPES[route][index]
    body = assert_envelope(send(world.operator, recipe, url(world, world.granted, recipe, OTHER)), 404)
    assert f"Namespace '{OTHER}' not found" in body["message"]


@pytest.mark.parametrize(("route", "index"), [c for c in CASES if RECIPES[c[0]][c[1]].cluster_wide])
def test_cluster_wide_actions_need_a_whole_cluster_grant(world: World, route: str, index: int) -> None:
    recipe = RECIPES[route][index]
    body = assert_envelope(send(world.operator, recipe, url(world, world.granted, recipe, GRANTED)), 403)
    assert "whole cluster" in body["message"]
    Grant.objects.create(user=Grant.objects.filter(role=Role.OPERATOR).first().user, cluster=world.granted,
                         namespace=None, role=Role.OPERATOR)
    assert send(world.operator, recipe, url(world, world.granted, recipe, GRANTED)).status_code == recipe.allowed


@pytest.mark.parametrize(("route", "index"), [c for c in CASES if not RECIPES[c[0]][c[1]].cluster_wide])
def test_inside_the_grant_the_endpoint_answers(world: World, route: str, index: int) -> None:
    recipe = RECIPES[route][index]
    response = send(world.operator, recipe, url(world, world.granted, recipe, GRANTED))
    assert response.status_code == recipe.allowed, response.content[:300]
    viewer = send(world.viewer, recipe, url(world, world.granted, recipe, GRANTED))
    if recipe.write:
        assert_envelope(viewer, 403)
    else:
        assert viewer.status_code == recipe.allowed


def test_lists_are_narrowed_before_pagination(world: World) -> None:
    pods = assert_page(assert_envelope(world.viewer.get(f"/api/clusters/{world.granted.pk}/pods?pageSize=2"), 200))
    expected = [p for p in world.sim.store.list("pods") if p["metadata"]["namespace"] == GRANTED]
    body = world.viewer.get(f"/api/clusters/{world.granted.pk}/pods?pageSize=100").json()["data"]
    assert body["total"] == len(expected) and {p["namespace"] for p in body["items"]} == {GRANTED}
    assert len(pods) == min(2, len(expected))
    workloads = world.viewer.get(f"/api/clusters/{world.granted.pk}/workloads?pageSize=100").json()["data"]
    assert workloads["total"] > 0 and {w["namespace"] for w in workloads["items"]} == {GRANTED}
    assert_envelope(world.viewer.get(f"/api/clusters/{world.granted.pk}/pods?namespace={OTHER}"), 404)
    assert_envelope(world.viewer.get(f"/api/clusters/{world.granted.pk}/workloads?namespace={OTHER}"), 404)


def test_only_granted_clusters_are_listed(world: World) -> None:
    listed = world.viewer.get("/api/clusters?pageSize=100").json()["data"]
    assert [c["id"] for c in listed["items"]] == [world.granted.pk] and listed["total"] == 1
    assert_envelope(world.viewer.get(f"/api/clusters/{world.hidden.pk}"), 404)
    assert_envelope(world.viewer.get(f"/api/clusters/{world.granted.pk}"), 200)
