"""Seed fleets: `empty`, `demo` (every status kubectl shows) and `bench` (tens of thousands of pods)."""

from __future__ import annotations

import base64
import copy
import json
from typing import TYPE_CHECKING, Any

from . import clock
from .cluster import template_hash
from .defaults import default_object, default_pod
from .resources import BY_KEY

if TYPE_CHECKING:
    from .cluster import Cluster
    from .controllers import Controllers

Obj = dict[str, Any]
TS_FIELDS = {"creationTimestamp", "startTime", "startedAt", "finishedAt", "lastTransitionTime", "lastUpdateTime",
             "firstTimestamp", "lastTimestamp", "lastScheduleTime", "completionTime", "lastHeartbeatTime",
             "lastSuccessfulTime", "timeAdded", "lastProbeTime", "lastPhaseTransitionTime", "lastScaleTime"}

# The demo's secret values, recognisable so that tests can grep every response and log for them
DEMO_SECRET_VALUES = {
    "shop/api-credentials/DB_PASSWORD": "kubesim-demo-db-password-7Qx9",
    "shop/api-credentials/API_KEY": "kubesim-demo-api-key-5Lm2",
    "data/postgres-auth/POSTGRES_PASSWORD": "kubesim-demo-postgres-secret-3Vr8",
    "shop/shop-tls/tls.key": "KUBESIM-DEMO-TLS-PRIVATE-KEY-4Hs6",
    "default/registry-pull/.dockerconfigjson": "kubesim-demo-registry-token-9Kd4",
}


def make_node(cluster: Cluster, name: str, i: int, *, control_plane: bool = False, ready: bool = True,
              zone: str = "zone-a") -> Obj:
    labels = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
              "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
              "node.kubernetes.io/instance-type": "m5.xlarge", "topology.kubernetes.io/zone": zone}
    spec: Obj = {"podCIDR": f"10.244.{i}.0/24", "podCIDRs": [f"10.244.{i}.0/24"], "providerID": f"kubesim://{name}"}
    if control_plane:
        labels["node-role.kubernetes.io/control-plane"] = ""
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
        spec["taints"] = [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
    now = clock.iso()
    if ready:
        conds = [
            ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        ]
    else:
        conds = [(t, "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.")
                 for t in ("MemoryPressure", "DiskPressure", "PIDPressure", "Ready")]
    cap = {"cpu": "4", "ephemeral-storage": "102624184Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
           "memory": "16331208Ki", "pods": "110"}
    alloc = dict(cap, cpu="3800m", memory="15204808Ki", **{"ephemeral-storage": "94580335255"})
    h = f"{cluster.rng.getrandbits(128):032x}"
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": labels, "uid": cluster.uid(), "annotations": {
            "node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///run/containerd/containerd.sock"}},
        "spec": spec,
        "status": {
            "capacity": cap, "allocatable": alloc,
            "conditions": [{"type": t, "status": s, "lastHeartbeatTime": now, "lastTransitionTime": now,
                            "reason": r, "message": m} for t, s, r, m in conds],
            "addresses": [{"type": "InternalIP", "address": f"172.18.{i // 250}.{i % 250 + 2}"},
                          {"type": "Hostname", "address": name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {"machineID": h, "systemUUID": f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}",
                         "bootID": cluster.uid(), "kernelVersion": "6.1.0-28-amd64",
                         "osImage": "Debian GNU/Linux 12 (bookworm)", "containerRuntimeVersion": "containerd://1.7.24",
                         "kubeletVersion": "v1.32.4", "kubeProxyVersion": "v1.32.4", "operatingSystem": "linux",
                         "architecture": "amd64"},
            "images": [],
        },
    }


def add(cluster: Cluster, key: str, obj: Obj) -> Obj:
    res = BY_KEY[key]
    obj.setdefault("apiVersion", res.api_version)
    obj.setdefault("kind", res.kind)
    md = obj["metadata"]
    md.setdefault("uid", cluster.uid())
    if "status" not in obj or key not in ("nodes", "pods"):
        default_object(res, obj)
    elif key == "pods":
        status = obj["status"]
        default_pod(obj, cluster.rng)
        obj["status"] = status
    return cluster.store.create(key, obj, record=False)


def namespace(cluster: Cluster, name: str, labels: dict[str, str] | None = None) -> None:
    add(cluster, "namespaces", {"metadata": {"name": name, "labels": dict(labels or {})}})


def container(name: str, image: str, **kw: Any) -> Obj:
    c: Obj = {"name": name, "image": image}
    c.update(kw)
    return c


def deployment(name: str, ns: str, replicas: int, containers: list[Obj], *, labels: dict[str, str] | None = None,
               **spec_extra: Any) -> Obj:
    labels = labels or {"app": name}
    pod_spec: Obj = {"containers": containers}
    pod_spec.update(spec_extra)
    return {"metadata": {"name": name, "namespace": ns, "labels": dict(labels),
                         "annotations": {}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)},
                     "template": {"metadata": {"labels": dict(labels)}, "spec": pod_spec}}}


def build_fleet(cluster: Cluster, controllers: Controllers, fleet: str, *, pods: int = 20000,
                nodes: int = 200) -> None:
    base_namespaces(cluster)
    if fleet == "empty":
        for i in range(3):
            add(cluster, "nodes", make_node(cluster, f"node-{i + 1}", i + 1))
    elif fleet == "demo":
        build_demo(cluster, controllers)
    elif fleet == "bench":
        build_bench(cluster, controllers, pods, nodes)
    controllers.nodes.step()
    cluster.store.compact()


def base_namespaces(cluster: Cluster) -> None:
    for ns in ("default", "kube-node-lease", "kube-public", "kube-system"):
        namespace(cluster, ns)


def _converge(cluster: Cluster, controllers: Controllers, rounds: int) -> None:
    s = cluster.settings
    saved = (s.start_seconds, s.job_seconds, s.stop_seconds, s.grace_scale)
    s.start_seconds, s.job_seconds, s.stop_seconds, s.grace_scale = 0.0, 0.0, 0.0, 0.0
    try:
        for _ in range(rounds):
            controllers.step()
    finally:
        s.start_seconds, s.job_seconds, s.stop_seconds, s.grace_scale = saved


def _shift(o: Any, delta: float) -> None:
    if isinstance(o, dict):
        for k, v in o.items():
            if k in TS_FIELDS and isinstance(v, str) and v:
                o[k] = clock.iso((clock.parse(v) or 0) - delta)
            elif isinstance(v, dict | list):
                _shift(v, delta)
    elif isinstance(o, list):
        for v in o:
            _shift(v, delta)


def backdate(cluster: Cluster, delta: float, keys: list[str] | None = None) -> None:
    """Make the fleet look as if it had been running for a while (build-time only, before serving)."""
    with cluster.store.lock:
        for key in keys or list(BY_KEY):
            for o in cluster.store.refs(key):
                _shift(o, delta)


def build_demo(cluster: Cluster, controllers: Controllers) -> None:
    add(cluster, "nodes", make_node(cluster, "control-plane", 0, control_plane=True))
    for i in range(1, 4):
        add(cluster, "nodes", make_node(cluster, f"worker-{i}", i, zone="zone-a" if i % 2 else "zone-b"))
    add(cluster, "nodes", make_node(cluster, "worker-4", 4, ready=False, zone="zone-b"))
    for ns in ("shop", "monitoring", "batch", "data"):
        namespace(cluster, ns, {"team": ns})
    cp_tol = [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}]
    # kube-system
    add(cluster, "deployments.apps", deployment(
        "coredns", "kube-system", 2, [container("coredns", "registry.k8s.io/coredns/coredns:v1.11.3",
                                                 args=["-conf", "/etc/coredns/Corefile"],
                                                 ports=[{"containerPort": 53, "name": "dns", "protocol": "UDP"}])],
        labels={"k8s-app": "kube-dns"}, tolerations=cp_tol, priorityClassName="system-cluster-critical"))
    ds = deployment("kube-proxy", "kube-system", 0, [container(
        "kube-proxy", "registry.k8s.io/kube-proxy:v1.32.4", command=["/usr/local/bin/kube-proxy",
                                                                    "--config=/var/lib/kube-proxy/config.conf"])],
        labels={"k8s-app": "kube-proxy"}, tolerations=[{"operator": "Exists", "effect": "NoSchedule"}],
        hostNetwork=True, priorityClassName="system-node-critical")
    ds["spec"].pop("replicas")
    add(cluster, "daemonsets.apps", ds)
    # default: the docs' nginx, unmanaged pods
    add(cluster, "deployments.apps", deployment("nginx", "default", 3, [container(
        "nginx", "nginx:1.21", ports=[{"containerPort": 80}])]))
    # shop
    add(cluster, "deployments.apps", deployment("web", "shop", 4, [container(
        "nginx", "nginx:1.25", ports=[{"containerPort": 80}],
        resources={"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}})],
        labels={"app": "web", "tier": "frontend"}))
    add(cluster, "poddisruptionbudgets.policy", {"metadata": {"name": "web-pdb", "namespace": "shop"},
                                                 "spec": {"minAvailable": 3,
                                                          "selector": {"matchLabels": {"app": "web"}}}})
    add(cluster, "deployments.apps", deployment("api", "shop", 2, [
        container("api", "ghcr.io/example/shop-api:3.4.1", ports=[{"containerPort": 8080}],
                  env=[{"name": "LOG_LEVEL", "value": "info"}]),
        container("envoy", "envoyproxy/envoy:v1.31.2", ports=[{"containerPort": 9901}])],
        initContainers=[container("migrate", "ghcr.io/example/shop-api:3.4.1", command=["/app/migrate", "--up"])],
        labels={"app": "api", "tier": "backend"}))
    add(cluster, "deployments.apps", deployment("cart", "shop", 1, [container(
        "cart", "ghcr.io/example/cart:2.3.1", command=["sh", "-c", "echo starting; exit 1"])]))
    add(cluster, "deployments.apps", deployment("checkout", "shop", 1, [container(
        "checkout", "registry.example.com/shop/checkout:doesnotexist")]))
    add(cluster, "statefulsets.apps", _sts("redis", "shop", 3, "redis:7.2"))
    add(cluster, "poddisruptionbudgets.policy", {"metadata": {"name": "redis-pdb", "namespace": "shop"},
                                                 "spec": {"maxUnavailable": "34%",
                                                          "selector": {"matchLabels": {"app": "redis"}}}})
    # monitoring
    exp = deployment("node-exporter", "monitoring", 0, [container(
        "node-exporter", "quay.io/prometheus/node-exporter:v1.8.2", args=["--path.rootfs=/host"])])
    exp["spec"].pop("replicas")
    add(cluster, "daemonsets.apps", exp)
    add(cluster, "statefulsets.apps", _sts("prometheus", "monitoring", 1, "quay.io/prometheus/prometheus:v2.54.1"))
    add(cluster, "deployments.apps", deployment("grafana", "monitoring", 1, [container(
        "grafana", "grafana/grafana:11.2.0", ports=[{"containerPort": 3000}])],
        volumes=[{"name": "cache", "emptyDir": {}}]))
    # data
    add(cluster, "statefulsets.apps", _sts("postgres", "data", 1, "postgres:16"))
    add(cluster, "deployments.apps", deployment("reporting", "data", 1, [container(
        "reporting", "ghcr.io/example/reporting:1.0.0")], initContainers=[container(
            "wait-for-db", "busybox:1.36", command=["sh", "-c", "until nslookup warehouse-db; do sleep 2; done"])]))
    add(cluster, "deployments.apps", deployment("gpu-trainer", "data", 1, [container(
        "trainer", "ghcr.io/example/trainer:0.9", resources={"limits": {"nvidia.com/gpu": "1"}})],
        nodeSelector={"accelerator": "nvidia-tesla-t4"}))
    # batch
    add(cluster, "jobs.batch", _job("nightly-report", "batch", ["sh", "-c", "echo generating; sleep 5"]))
    add(cluster, "jobs.batch", _job("import-legacy", "batch", ["sh", "-c", "echo importing; exit 2"], backoff=0))
    add(cluster, "cronjobs.batch", {"metadata": {"name": "cleanup", "namespace": "batch"}, "spec": {
        "schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "OnFailure",
            "containers": [container("cleanup", "busybox:1.36",
                                     command=["sh", "-c", "echo cleaning up; sleep 3"])]}}}}}})
    # unmanaged pods (with emptyDir) pinned to worker-1
    for name, image, cmd in (("debug-shell", "busybox:1.36", ["sleep", "infinity"]),
                             ("scratch-pad", "alpine:3.20", ["sh", "-c", "while true; do date; sleep 10; done"])):
        add(cluster, "pods", {"metadata": {"name": name, "namespace": "default", "labels": {"run": name}},
                              "spec": {"nodeName": "worker-1", "containers": [container(
                                  name, image, command=cmd,
                                  volumeMounts=[{"name": "scratch", "mountPath": "/scratch"}])],
                                  "volumes": [{"name": "scratch", "emptyDir": {}}]}})
    build_demo_network_and_storage(cluster)
    _converge(cluster, controllers, 14)
    backdate(cluster, 2 * 3600 + 17 * 60)
    backdate(cluster, 30 * 86400, ["nodes", "namespaces", "storageclasses.storage.k8s.io",
                                   "ingressclasses.networking.k8s.io"])
    _seed_special(cluster)


def _sts(name: str, ns: str, replicas: int, image: str) -> Obj:
    d = deployment(name, ns, replicas, [container(name, image)])
    d["spec"]["serviceName"] = name
    return d


def _job(name: str, ns: str, cmd: list[str], backoff: int = 6) -> Obj:
    return {"metadata": {"name": name, "namespace": ns}, "spec": {"backoffLimit": backoff, "template": {"spec": {
        "restartPolicy": "Never", "containers": [container(name, "busybox:1.36", command=cmd)]}}}}


def _seed_special(cluster: Cluster) -> None:
    """Statuses that took hours in a real cluster: a long crash loop and a pod stuck terminating."""
    store = cluster.store
    now = clock.now()
    for pod in store.refs("pods", "shop"):
        if not pod["metadata"]["name"].startswith("cart-"):
            continue
        for cs in pod["status"].get("containerStatuses") or []:
            cs["restartCount"] = 31
            cs["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": clock.iso(now - 2),
                                              "finishedAt": clock.iso(now - 1), "containerID": cs.get("containerID")
                                              or "containerd://" + "0" * 64}}
            cs["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message": (
                f"back-off 5m0s restarting failed container=cart pod={pod['metadata']['name']}_shop"
                f"({pod['metadata']['uid']})")}}
    # the dead node stopped reporting 47 minutes ago
    node = "worker-4"
    dead = store.ref("nodes", "", node)
    assert dead is not None
    lost = clock.iso(now - 47 * 60)
    for c in dead["status"]["conditions"]:
        c["lastHeartbeatTime"] = c["lastTransitionTime"] = lost
    for t in dead["spec"].get("taints") or []:
        if "timeAdded" in t:
            t["timeAdded"] = lost
    # a pod on the dead node, deleted but never confirmed by its kubelet, and held by a finalizer
    created = now - 3 * 86400
    pod = {"metadata": {"name": "legacy-batch-7d9f8", "namespace": "batch", "labels": {"app": "legacy-batch"},
                        "finalizers": ["example.com/archive-results"],
                        "creationTimestamp": clock.iso(created)},
           "spec": {"nodeName": node, "terminationGracePeriodSeconds": 30,
                    "containers": [container("worker", "busybox:1.36", command=["sh", "-c", "sleep infinity"])]},
           "status": {"phase": "Running", "hostIP": "172.18.0.6", "podIP": "10.244.4.7",
                      "podIPs": [{"ip": "10.244.4.7"}], "startTime": clock.iso(created + 2), "qosClass": "BestEffort",
                      "conditions": [{"type": t, "status": "True", "lastProbeTime": None,
                                      "lastTransitionTime": clock.iso(created + 3)} for t in
                                     ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
                                      "PodScheduled")],
                      "containerStatuses": [{"name": "worker", "ready": True, "restartCount": 0, "started": True,
                                             "image": "docker.io/library/busybox:1.36", "imageID": "",
                                             "containerID": "containerd://" + "7" * 64,
                                             "state": {"running": {"startedAt": clock.iso(created + 3)}},
                                             "lastState": {}}]}}
    add(cluster, "pods", pod)
    stored = store.ref("pods", "batch", pod["metadata"]["name"])
    assert stored is not None
    stored["metadata"]["deletionTimestamp"] = clock.iso(now - 40 * 60)
    stored["metadata"]["deletionGracePeriodSeconds"] = 30


def build_bench(cluster: Cluster, controllers: Controllers, n_pods: int, n_nodes: int) -> None:
    """N running pods spread over M nodes, owned by Deployments of 50 replicas, built directly."""
    store = cluster.store
    node_names = [f"node-{i:04d}" for i in range(n_nodes)]
    for i, name in enumerate(node_names):
        add(cluster, "nodes", make_node(cluster, name, i + 1, zone=f"zone-{'abc'[i % 3]}"))
    n_ns = 10
    for i in range(n_ns):
        namespace(cluster, f"bench-{i}", {"bench": "true"})
    per = 50
    n_dep = max(1, (n_pods + per - 1) // per)
    created = clock.iso(clock.now() - 3600)
    cond_true = [{"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": created}
                 for t in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")]
    made = 0
    with store.lock:
        for d in range(n_dep):
            ns = f"bench-{d % n_ns}"
            name = f"svc-{d:04d}"
            count = min(per, n_pods - made)
            dep = deployment(name, ns, count, [container("app", f"ghcr.io/example/svc:{d % 7}.0",
                                                         ports=[{"containerPort": 8080}])])
            dep = add(cluster, "deployments.apps", dep)
            tpl = dep["spec"]["template"]
            h = template_hash(tpl)
            rtpl = copy.deepcopy(tpl)
            rtpl["metadata"]["labels"]["pod-template-hash"] = h
            rs = add(cluster, "replicasets.apps", {
                "metadata": {"name": f"{name}-{h}", "namespace": ns, "labels": dict(rtpl["metadata"]["labels"]),
                             "annotations": {"deployment.kubernetes.io/revision": "1",
                                             "deployment.kubernetes.io/desired-replicas": str(count),
                                             "deployment.kubernetes.io/max-replicas": str(count + (count + 3) // 4)},
                             "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name,
                                                  "uid": dep["metadata"]["uid"], "controller": True,
                                                  "blockOwnerDeletion": True}]},
                "spec": {"replicas": count, "selector": {"matchLabels": dict(rtpl["metadata"]["labels"])},
                         "template": rtpl}})
            ref = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs["metadata"]["name"],
                    "uid": rs["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]
            proto: Obj = {"metadata": {"namespace": ns, "labels": rtpl["metadata"]["labels"]},
                          "spec": copy.deepcopy(rtpl["spec"])}
            default_pod(proto, cluster.rng)
            containers = proto["spec"]["containers"]
            for _ in range(count):
                node = node_names[made % n_nodes]
                idx = made % n_nodes + 1
                pname = f"{rs['metadata']['name']}-{cluster.suffix()}"
                host = made // n_nodes % 250 + 2
                ip = f"10.244.{idx}.{host}" if idx < 256 else f"10.{idx // 250}.{idx % 250}.{host}"
                spec = dict(proto["spec"])
                spec["nodeName"] = node
                spec["containers"] = containers
                pod = {"apiVersion": "v1", "kind": "Pod",
                       "metadata": {"name": pname, "generateName": f"{rs['metadata']['name']}-", "namespace": ns,
                                    "uid": cluster.uid(), "labels": proto["metadata"]["labels"],
                                    "ownerReferences": ref, "creationTimestamp": created},
                       "spec": spec,
                       "status": {"phase": "Running", "conditions": cond_true, "hostIP": f"172.18.0.{idx}",
                                  "podIP": ip, "podIPs": [{"ip": ip}], "startTime": created, "qosClass": "BestEffort",
                                  "containerStatuses": [{"name": "app", "ready": True, "restartCount": 0,
                                                         "started": True, "image": containers[0]["image"],
                                                         "imageID": "", "containerID": f"containerd://{made:064x}",
                                                         "state": {"running": {"startedAt": created}},
                                                         "lastState": {}}]}}
                store.create("pods", pod, record=False)
                made += 1
    with store.lock:
        rs_by_owner = {}
        from .workloads import index_by_owner

        rs_by_owner = index_by_owner(store.refs("replicasets.apps"))
        pods_by_owner = index_by_owner(store.refs("pods"))
        controllers.replicasets.step(pods_by_owner)
        controllers.deployments.step(rs_by_owner, pods_by_owner)


def _svc(name: str, ns: str, ports: list[Obj], selector: dict[str, str] | None = None, **spec: Any) -> Obj:
    body: Obj = {"ports": ports, **spec}
    if selector is not None:
        body["selector"] = selector
    return {"metadata": {"name": name, "namespace": ns, "labels": dict(selector or {"app": name})}, "spec": body}


def _port(port: int, target: int | str | None = None, name: str = "", protocol: str = "TCP", **kw: Any) -> Obj:
    p: Obj = {"port": port, "protocol": protocol, "targetPort": port if target is None else target}
    if name:
        p["name"] = name
    p.update(kw)
    return p


def _set_status(cluster: Cluster, key: str, ns: str, name: str, status: Obj) -> None:
    def fn(o: Obj) -> Obj:
        o["status"] = status
        return o
    cluster.store.mutate(key, ns, name, fn)


def _pvc(name: str, ns: str, size: str, modes: list[str], cls: str | None) -> Obj:
    spec: Obj = {"accessModes": modes, "resources": {"requests": {"storage": size}}}
    if cls is not None:
        spec["storageClassName"] = cls
    return {"metadata": {"name": name, "namespace": ns}, "spec": spec}


def build_demo_network_and_storage(cluster: Cluster) -> None:
    """Services (one without ready endpoints), an Ingress with TLS, config and secrets, storage (bound,
    pending and released), autoscalers (one at its maximum, one whose target is missing)."""
    sv = DEMO_SECRET_VALUES
    # config
    add(cluster, "configmaps", {"metadata": {"name": "coredns", "namespace": "kube-system"}, "data": {
        "Corefile": ".:53 {\n    errors\n    health {\n       lameduck 5s\n    }\n    ready\n"
                    "    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n"
                    "       fallthrough in-addr.arpa ip6.arpa\n       ttl 30\n    }\n    prometheus :9153\n"
                    "    forward . /etc/resolv.conf\n    cache 30\n    loop\n    reload\n    loadbalance\n}\n"}})
    add(cluster, "configmaps", {"metadata": {"name": "web-config", "namespace": "shop", "labels": {"app": "web"}},
                                "data": {"nginx.conf": "server {\n  listen 80;\n  location / { root /usr/share/nginx"
                                                       "/html; }\n  location /api/ { proxy_pass http://api:8080/; }"
                                                       "\n}\n", "index.html": "<h1>Example Shop</h1>\n"}})
    add(cluster, "configmaps", {"metadata": {"name": "api-config", "namespace": "shop", "labels": {"app": "api"}},
                                "data": {"LOG_LEVEL": "info", "FEATURE_FLAGS": "new-checkout,gift-cards",
                                         "CART_URL": "http://cart.shop.svc.cluster.local"}})
    add(cluster, "configmaps", {"metadata": {"name": "prometheus-config", "namespace": "monitoring"}, "data": {
        "prometheus.yml": "global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: node-exporter\n"
                          "    kubernetes_sd_configs:\n      - role: endpoints\n"}})
    # secrets (values recorded in DEMO_SECRET_VALUES)
    add(cluster, "secrets", {"metadata": {"name": "api-credentials", "namespace": "shop", "labels": {"app": "api"}},
                             "type": "Opaque", "stringData": {
                                 "DB_PASSWORD": sv["shop/api-credentials/DB_PASSWORD"],
                                 "API_KEY": sv["shop/api-credentials/API_KEY"]}})
    add(cluster, "secrets", {"metadata": {"name": "shop-tls", "namespace": "shop"}, "type": "kubernetes.io/tls",
                             "stringData": {
                                 "tls.crt": "-----BEGIN CERTIFICATE-----\nMIIBkubesimDemoCertificate\n"
                                            "-----END CERTIFICATE-----\n",
                                 "tls.key": f"-----BEGIN PRIVATE KEY-----\n{sv['shop/shop-tls/tls.key']}\n"
                                            "-----END PRIVATE KEY-----\n"}})
    add(cluster, "secrets", {"metadata": {"name": "postgres-auth", "namespace": "data"}, "type": "Opaque",
                             "stringData": {"POSTGRES_USER": "warehouse",
                                            "POSTGRES_PASSWORD": sv["data/postgres-auth/POSTGRES_PASSWORD"]}})
    auth = base64.b64encode(f"demo:{sv['default/registry-pull/.dockerconfigjson']}".encode()).decode()
    add(cluster, "secrets", {"metadata": {"name": "registry-pull", "namespace": "default"},
                             "type": "kubernetes.io/dockerconfigjson", "stringData": {
                                 ".dockerconfigjson": json.dumps({"auths": {"registry.example.com": {
                                     "username": "demo", "password": sv["default/registry-pull/.dockerconfigjson"],
                                     "auth": auth}}})}})
    # services
    add(cluster, "services", {"metadata": {"name": "kubernetes", "namespace": "default",
                                           "labels": {"component": "apiserver", "provider": "kubernetes"}},
                              "spec": {"clusterIP": "10.96.0.1", "ports": [_port(443, 6443, "https")]}})
    add(cluster, "endpoints", {"metadata": {"name": "kubernetes", "namespace": "default", "labels": {
        "endpointslice.kubernetes.io/skip-mirror": "true"}}, "subsets": [{
            "addresses": [{"ip": "172.18.0.2"}], "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}]})
    add(cluster, "endpointslices.discovery.k8s.io", {
        "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"kubernetes.io/service-name":
                                                                              "kubernetes"}},
        "addressType": "IPv4", "endpoints": [{"addresses": ["172.18.0.2"], "conditions": {
            "ready": True, "serving": True, "terminating": False}}],
        "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]})
    add(cluster, "services", _svc("kube-dns", "kube-system", [
        _port(53, 53, "dns", "UDP"), _port(53, 53, "dns-tcp"), _port(9153, 9153, "metrics")],
        {"k8s-app": "kube-dns"}, clusterIP="10.96.0.10"))
    add(cluster, "services", _svc("nginx", "default", [_port(80)], {"app": "nginx"}))
    add(cluster, "services", _svc("web", "shop", [_port(80, 80, "http")], {"app": "web"}, type="LoadBalancer"))
    _set_status(cluster, "services", "shop", "web", {"loadBalancer": {"ingress": [{"ip": "203.0.113.10",
                                                                                   "ipMode": "VIP"}]}})
    add(cluster, "services", _svc("api", "shop", [_port(8080, 8080, "http"), _port(9901, 9901, "admin")],
                                  {"app": "api"}))
    # no ready endpoints: their pods crash-loop or cannot pull their image
    add(cluster, "services", _svc("cart", "shop", [_port(80, 8080, "http")], {"app": "cart"}))
    add(cluster, "services", _svc("checkout", "shop", [_port(80, 8080, "http")], {"app": "checkout"}))
    add(cluster, "services", _svc("redis", "shop", [_port(6379, 6379, "redis")], {"app": "redis"}, clusterIP="None"))
    add(cluster, "services", _svc("grafana", "monitoring", [_port(3000, 3000, "http", nodePort=30300)],
                                  {"app": "grafana"}, type="NodePort"))
    add(cluster, "services", _svc("prometheus", "monitoring", [_port(9090, 9090, "web")], {"app": "prometheus"}))
    add(cluster, "services", _svc("postgres", "data", [_port(5432, 5432, "postgres")], {"app": "postgres"},
                                  clusterIP="None"))
    add(cluster, "services", {"metadata": {"name": "warehouse-db", "namespace": "data"},
                              "spec": {"type": "ExternalName", "externalName": "warehouse.example.internal"}})
    # ingress
    add(cluster, "ingressclasses.networking.k8s.io", {
        "metadata": {"name": "nginx", "labels": {"app.kubernetes.io/name": "ingress-nginx"},
                     "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
        "spec": {"controller": "k8s.io/ingress-nginx"}})

    def backend(svc: str, port: int) -> Obj:
        return {"service": {"name": svc, "port": {"number": port}}}

    add(cluster, "ingresses.networking.k8s.io", {
        "metadata": {"name": "shop", "namespace": "shop",
                     "annotations": {"nginx.ingress.kubernetes.io/ssl-redirect": "true"}},
        "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["shop.example.com"], "secretName": "shop-tls"}],
                 "rules": [{"host": "shop.example.com", "http": {"paths": [
                     {"path": "/", "pathType": "Prefix", "backend": backend("web", 80)},
                     {"path": "/api", "pathType": "Prefix", "backend": backend("api", 8080)}]}}]}})
    _set_status(cluster, "ingresses.networking.k8s.io", "shop", "shop",
                {"loadBalancer": {"ingress": [{"ip": "203.0.113.20"}]}})
    add(cluster, "ingresses.networking.k8s.io", {
        "metadata": {"name": "grafana", "namespace": "monitoring"},
        "spec": {"ingressClassName": "nginx", "rules": [{"host": "grafana.example.com", "http": {"paths": [
            {"path": "/", "pathType": "Prefix", "backend": backend("grafana", 3000)}]}}]}})
    # storage: a default class that provisions, one whose external provisioner never answers, static NFS volumes
    add(cluster, "storageclasses.storage.k8s.io", {
        "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "kubesim.io/local-path", "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate"})
    add(cluster, "storageclasses.storage.k8s.io", {
        "metadata": {"name": "fast-ssd"}, "provisioner": "ebs.csi.aws.com", "parameters": {"type": "gp3"},
        "reclaimPolicy": "Retain", "volumeBindingMode": "Immediate", "allowVolumeExpansion": True})
    for name, size, path in (("nfs-media", "100Gi", "/exports/media"), ("nfs-archive", "20Gi", "/exports/archive")):
        add(cluster, "persistentvolumes", {
            "metadata": {"name": name, "labels": {"type": "nfs"}},
            "spec": {"capacity": {"storage": size}, "accessModes": ["ReadWriteMany"],
                     "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "",
                     "nfs": {"server": "nfs.example.internal", "path": path}}})
    # a volume whose claim was deleted long ago: Released
    add(cluster, "persistentvolumes", {
        "metadata": {"name": "old-reports"},
        "spec": {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteOnce"], "storageClassName": "",
                 "persistentVolumeReclaimPolicy": "Retain", "hostPath": {"path": "/srv/old-reports"},
                 "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "data", "name": "reports",
                              "uid": cluster.uid(), "apiVersion": "v1"}}})
    add(cluster, "persistentvolumeclaims", _pvc("media", "shop", "50Gi", ["ReadWriteMany"], ""))
    add(cluster, "persistentvolumeclaims", _pvc("grafana-data", "monitoring", "10Gi", ["ReadWriteOnce"], None))
    add(cluster, "persistentvolumeclaims", _pvc("warehouse-db", "data", "200Gi", ["ReadWriteOnce"], "fast-ssd"))
    add(cluster, "persistentvolumeclaims", _pvc("backup-restore", "data", "1Ti", ["ReadWriteOnce"], ""))
    # autoscalers: one at its maximum (made-up load 160% of target), one steady, one whose target is gone
    add(cluster, "horizontalpodautoscalers.autoscaling", {
        "metadata": {"name": "web", "namespace": "shop", "annotations": {"kubesim.io/load-percent": "160"}},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                 "minReplicas": 2, "maxReplicas": 4, "metrics": [{"type": "Resource", "resource": {
                     "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]}})
    add(cluster, "horizontalpodautoscalers.autoscaling", {
        "metadata": {"name": "api", "namespace": "shop"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"},
                 "minReplicas": 2, "maxReplicas": 6, "metrics": [
                     {"type": "Resource", "resource": {"name": "cpu", "target": {
                         "type": "Utilization", "averageUtilization": 80}}},
                     {"type": "Resource", "resource": {"name": "memory", "target": {
                         "type": "AverageValue", "averageValue": "200Mi"}}}]}})
    add(cluster, "horizontalpodautoscalers.autoscaling", {
        "metadata": {"name": "legacy-exporter", "namespace": "monitoring"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "legacy-exporter"},
                 "minReplicas": 1, "maxReplicas": 3}})
