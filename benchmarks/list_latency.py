"""List latency on a big cluster: pods, nodes and workloads through the REST API.

    .venv/bin/python benchmarks/list_latency.py [--pods 20000 --nodes 200 --runs 7] [--cache off|on|both]

Starts the simulated cluster with the `bench` fleet, registers it in a throw-away SQLite
database, and times each request in-process (Django test client, real HTTPS to the cluster),
next to `kubectl get -o json` of the same list as a yardstick. Prints a Markdown table.
With the watch cache on (KUBE_WATCH_CACHE), each row is warmed up once first (the initial
list); the cold first request and a read right after one of our writes get rows of their own.
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(tmp: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kubepolaris.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdef0123")
    os.environ.setdefault("FERNET_KEYS", "YmVuY2htYXJrLW9ubHktZmVybmV0LWtleS0wMTIzNDU=")  # benchmark-only key
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")  # the in-process APIClient's host
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ["KUBEPOLARIS_VAR_DIR"] = str(tmp)
    os.environ["KUBE_READ_TIMEOUT"] = "120"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(fn, runs: int) -> tuple[float, float]:  # noqa: ANN001
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, math.ceil(len(samples) * 0.95) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pods", type=int, default=20000)
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cache", choices=("off", "on", "both"), default="both",
                        help="time the requests with the watch cache off, on, or both (default)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kp-bench-"))
    setup_django(tmp)
    import yaml
    from django.test import override_settings
    from rest_framework.test import APIClient

    from accounts.models import User
    from accounts.tokens import SessionToken
    from clusters.models import Cluster
    from kube import cache
    from kubesim import KubeSim

    built = time.perf_counter()
    sim = KubeSim(fleet="bench", pods=args.pods, nodes=args.nodes)
    sim.start()
    build_seconds = time.perf_counter() - built
    try:
        kubeconfig_path = tmp / "kubeconfig"
        sim.write_kubeconfig(kubeconfig_path)
        cluster = Cluster(name="bench", api_server=sim.url)
        cluster.set_kubeconfig(yaml.safe_dump(sim.kubeconfig()))
        cluster.save()
        user = User.objects.create_user("bench", password="x", role="admin")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {SessionToken.for_user(user)}")

        def get(url: str):  # noqa: ANN202
            def call() -> None:
                response = client.get(url)
                assert response.status_code == 200, response.content[:300]
            return call

        def post(url: str):  # noqa: ANN202
            def call() -> None:
                response = client.post(url)
                assert response.status_code == 200, response.content[:300]
            return call

        def kubectl(*what: str):  # noqa: ANN202
            def call() -> None:
                subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig_path), "get", *what, "-o", "json"],
                               check=True, stdout=subprocess.DEVNULL)
            return call

        base = f"/api/clusters/{cluster.pk}"
        requests = [
            ("GET pods (all namespaces, page 1 of 100)", get(f"{base}/pods?pageSize=100")),
            ("GET pods?status=Running&pageSize=100", get(f"{base}/pods?status=Running&pageSize=100")),
            ("GET pods?nodeName=<node>", get(f"{base}/pods?nodeName=node-0001&pageSize=100")),
            ("GET nodes (page 1 of 100)", get(f"{base}/nodes?pageSize=100")),
            ("GET workloads (page 1 of 100)", get(f"{base}/workloads?pageSize=100")),
        ]
        cordon, uncordon = post(f"{base}/nodes/node-0002/cordon"), post(f"{base}/nodes/node-0002/uncordon")
        toggle = iter([cordon, uncordon] * args.runs)

        def write_then_nodes() -> None:
            next(toggle)()
            requests[3][1]()

        modes = ["off", "on"] if args.cache == "both" else [args.cache]
        print(f"\nbench fleet: {args.pods} pods on {args.nodes} nodes, built in {build_seconds:.1f} s; "
              f"{args.runs} runs each\n")
        print("| request | watch cache | median ms | p95 ms |\n|---|---|---:|---:|")
        for mode in modes:
            with override_settings(KUBE_WATCH_CACHE=(mode == "on")):
                if mode == "on":
                    cold = time.perf_counter()
                    requests[0][1]()
                    print(f"| first GET pods (cold: initial list of {args.pods} pods) | on | "
                          f"{(time.perf_counter() - cold) * 1000:.0f} | |")
                for label, fn in requests:
                    if mode == "on":
                        fn()  # warm-up: the initial list of whatever this request reads
                    median, p95 = timed(fn, args.runs)
                    print(f"| {label} | {mode} | {median:.0f} | {p95:.0f} |")
                median, p95 = timed(write_then_nodes, args.runs)
                print(f"| POST cordon/uncordon, then GET nodes | {mode} | {median:.0f} | {p95:.0f} |")
            cache.shutdown_all()
        for label, fn in [("kubectl get pods -A -o json (yardstick)", kubectl("pods", "-A")),
                          ("kubectl get nodes -o json (yardstick)", kubectl("nodes"))]:
            median, p95 = timed(fn, args.runs)
            print(f"| {label} | | {median:.0f} | {p95:.0f} |")
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
