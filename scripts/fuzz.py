#!/usr/bin/env python3
"""Fuzz the whole REST API with schemathesis against a live server and the simulated cluster.

    .venv/bin/python scripts/fuzz.py [--max-time 120] [--max-examples 20] [--database-url URL] [--seed N]

Starts (scripts/liveserver.py) a migrated throw-away SQLite database (or `--database-url`), an admin,
daphne on a free loopback port and the demo simulator registered through `POST /api/clusters`; then
runs `st run` over every operation of /api/schema with the admin's Bearer token and the checks
below, and exits non-zero on any failure. What keeps the fixture alive (see scripts/fuzz_hooks.py):
PUT/DELETE of the fuzzed cluster and of the admin are redirected to sacrificial copies, logout and
refresh run on throw-away tokens, drains wait at most 5 s and scales ask for at most 5 replicas.
After the run, no password, token or cluster credential of the run may appear in the server's database or log.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.liveserver import LiveServer  # noqa: E402

CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "ignored_auth"]


def real_parameters(live: LiveServer, sacrificial_users: list[int], admin_id: int) -> dict[str, list[dict[str, str]]]:
    """Path parameters naming objects that exist, per path template of the schema."""
    client = live.client()
    cid = str(live.cluster_id)
    grants = [(user_id, client.users.grants(user_id).create(int(cid), "viewer", namespace=f"fuzz-{n}")["id"])
              for user_id in sacrificial_users for n in range(2)]
    nodes = [n["name"] for n in client.clusters.nodes(cid).iter_all()]
    deployments = [(w["namespace"], w["name"]) for w in client.workloads(cid).iter_all(type="deployment")]
    # StatefulSets, DaemonSets, Jobs, CronJobs: DELETE names only the sacrificial copy made in prepare()
    # (SPARE), every other operation only the demo fleet's objects.
    controlled = {plural: [(w["namespace"], w["name"]) for w in client.workloads(cid).iter_all(type=plural[:-1])]
                  for plural in SPARE_KINDS}
    pods = [(p["namespace"], p["name"]) for p in client.pods(cid).iter_all()]
    # Services, Ingresses, storage, Events, HPAs (read-only): real objects of each, by plural
    read_only = {plural: [(o.get("namespace"), o["name"]) for o in getattr(client, plural)(cid).iter_all()]
                 for plural in ("services", "ingresses", "persistentvolumeclaims", "persistentvolumes",
                                "storageclasses", "events", "horizontalpodautoscalers")}
    namespaces = [n["name"] for n in client.namespaces(cid).iter_all()]
    keyed = {"configmaps": [(c["namespace"], c["name"]) for c in client.configmaps(cid).iter_all()],
             "secrets": [(c["namespace"], c["name"]) for c in client.secrets(cid).iter_all()]}
    schema = client.transport.session.get(f"{live.url}/api/schema", params={"format": "json"}, timeout=30).json()
    # Audit rows that exist, one of them an exec session's with a recording (made in prepare()).
    audit_rows = [str(row["id"]) for row in client.audit.list(action="exec.closed", page_size=5)]
    audit_rows += [str(row["id"]) for row in client.audit.list(page_size=5)]
    out: dict[str, list[dict[str, str]]] = {}
    for template in schema["paths"]:
        names = re.findall(r"\{([^}]+)\}", template)
        if not names:
            continue
        if template.startswith("/api/audit/"):
            out[template] = [{"id": i} for i in audit_rows]
        elif template.startswith("/api/users/") and "grant_id" in names:
            out[template] = [{"id": str(user_id), "grant_id": str(grant_id)} for user_id, grant_id in grants]
        elif template.startswith("/api/users/"):
            out[template] = [{"id": str(i)} for i in [*sacrificial_users, admin_id]]
        elif names == ["id"]:
            out[template] = [{"id": cid}]
        elif "plural" in names and "namespace" in names:  # YAML out of any namespaced kind
            out[template] = [{"cluster_id": cid, "namespace": ns, "plural": plural, "name": n}
                             for plural, objects in (("deployments", deployments[:-1]), ("pods", pods[:5]))
                             for ns, n in objects]
        elif "plural" in names:  # YAML out of a cluster-scoped kind
            out[template] = [{"cluster_id": cid, "plural": "nodes", "name": n} for n in nodes] + \
                            [{"cluster_id": cid, "plural": "namespaces", "name": ns} for ns in ("default", "shop")]
        elif "/nodes/" in template:
            out[template] = [{"cluster_id": cid, "name": n} for n in nodes]
        elif (plural := next((p for p in controlled if f"/{p}/" in template), None)) and "revision" in names:
            out[template] = [{"cluster_id": cid, "namespace": ns, "name": n, "revision": str(r["revision"])}
                             for ns, n in controlled[plural] if n != SPARE
                             for r in getattr(client, plural)(cid, ns).history(n, page_size=2)]
        elif plural:
            out[template] = [{"cluster_id": cid, "namespace": ns, "name": n} for ns, n in controlled[plural]
                             if n != SPARE]
            out["DELETE " + template] = [{"cluster_id": cid, "namespace": ns, "name": n}
                                         for ns, n in controlled[plural] if n == SPARE]
        elif "/deployments/" in template and "revision" in names:
            # Revision 1 of each deployment: the demo fleet's, and the one kept longest (oldest first).
            out[template] = [{"cluster_id": cid, "namespace": ns, "name": n, "revision": str(r["revision"])}
                             for ns, n in deployments[:-1]
                             for r in client.deployments(cid, ns).history(n, page_size=2)]
        elif "/deployments/" in template:
            # The last deployment is the one DELETE may remove (fuzz_hooks); the others stay for the rest.
            out[template] = [{"cluster_id": cid, "namespace": ns, "name": n} for ns, n in deployments[:-1]]
            out["DELETE " + template] = [{"cluster_id": cid, "namespace": ns, "name": n} for ns, n in deployments[-1:]]
        elif "/pods/" in template:
            out[template] = [{"cluster_id": cid, "namespace": ns, "name": n} for ns, n in pods]
        elif kind := next((k for k in read_only if f"/{k}/" in template or template.endswith(f"/{k}")), None):
            found = read_only[kind]
            if "name" in names:
                out[template] = [{"cluster_id": cid, "name": n, **({"namespace": ns} if "namespace" in names else {})}
                                 for ns, n in found[:50]]
            elif "namespace" in names:
                out[template] = [{"cluster_id": cid, "namespace": ns} for ns in sorted({ns for ns, _ in found if ns})]
            else:
                out[template] = [{"cluster_id": cid}]
        elif (plural := next((p for p in keyed if f"/{p}/" in template), None)):
            out[template] = [{"cluster_id": cid, "namespace": ns, "name": n} for ns, n in keyed[plural]]
        elif template.endswith("/namespaces/{name}"):
            out[template] = [{"cluster_id": cid, "name": n} for n in namespaces]
        elif names == ["cluster_id", "namespace"]:  # a namespaced kind's list in one namespace
            out[template] = [{"cluster_id": cid, "namespace": n} for n in namespaces]
        elif names == ["cluster_id"]:
            out[template] = [{"cluster_id": cid}]
    return {template: values for template, values in out.items() if values}


SPARE = "fuzz-spare"
SPARE_KINDS = ("statefulsets", "daemonsets", "jobs", "cronjobs")


def make_spares(live: LiveServer) -> None:
    """A sacrificial StatefulSet, DaemonSet, Job and CronJob (all named SPARE) in the simulator: the only
    objects of those kinds a fuzzed DELETE names, so the demo fleet's stay for the other operations."""
    pod = {"metadata": {"labels": {"app": SPARE}},
           "spec": {"containers": [{"name": "spare", "image": "busybox:1.36", "command": ["sleep", "3600"]}]}}
    job_pod = {"spec": {"restartPolicy": "Never", "containers": [{"name": "spare", "image": "busybox:1.36",
                                                                  "command": ["true"]}]}}
    meta = {"name": SPARE, "namespace": "default"}
    selector = {"matchLabels": {"app": SPARE}}
    for obj in ({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta,
                 "spec": {"replicas": 1, "serviceName": SPARE, "selector": selector, "template": pod}},
                {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta,
                 "spec": {"selector": selector, "template": pod}},
                {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": {"template": job_pod}},
                {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta,
                 "spec": {"schedule": "0 0 1 1 *", "jobTemplate": {"spec": {"template": job_pod}}}}):
        live.sim.create(obj)


def real_queries(live: LiveServer) -> dict[str, list[dict[str, str]]]:
    """Query strings that find something, per path template: a search for a real pod by part of its name,
    by one of its labels (`key=value` and a value), narrowed to its cluster, namespace and kinds."""
    client = live.client()
    pod = next(iter(client.pods(live.cluster_id).iter_all()))
    cid = str(live.cluster_id)
    labels = [f"{k}={v}" for k, v in sorted((client.pods(live.cluster_id).get(pod["namespace"], pod["name"])
                                               .get("labels") or {}).items())]
    partial = pod["name"][: max(1, len(pod["name"]) // 2)]
    searches = [{"q": partial}, {"q": partial.upper(), "kinds": "pod,node", "clusterId": cid},
                {"q": partial, "namespace": pod["namespace"], "kinds": "pod"},
                *({"q": label, "clusterId": cid} for label in labels[:2])]
    kinds = "/api/clusters/{cluster_id}"
    filters = {  # the read-only kinds' own filters, with values that find something in the demo fleet
        f"{kinds}/services": [{"noReadyEndpoints": "true"}, {"type": "LoadBalancer", "search": "we"}],
        f"{kinds}/events": [{"type": "Warning", "since": "1d"}, {"involvedKind": "Pod", "reason": "BackOff"}],
        f"{kinds}/persistentvolumeclaims": [{"phase": "Pending"}],
        f"{kinds}/persistentvolumes": [{"phase": "Released"}],
        f"{kinds}/horizontalpodautoscalers": [{"atMax": "true"}],
    }
    return {"/api/search": searches, **filters}


def prepare(live: LiveServer) -> dict[str, Any]:
    """The sacrificial objects and the context file for the hooks."""
    client = live.client()
    admin_id = int(client.auth.me()["id"])
    passwords = ["Fuzz-" + secrets.token_urlsafe(12) for _ in range(3)]
    victims = [int(client.users.create(f"fuzz-victim-{i}-{secrets.token_hex(2)}", password, role="viewer")["id"])
               for i, password in enumerate(passwords)]
    namespace, pod = next((p["namespace"], p["name"]) for p in client.pods(live.cluster_id).iter_all()
                          if p["status"] == "Running")
    with client.pods(live.cluster_id).exec(namespace, pod, command="echo fuzz") as session:
        session.read_all(timeout=15)  # an exec session: its audit row has a recording to download
    secret_value = "Fuzz-Secret-" + secrets.token_urlsafe(12)  # revealed to the fuzzer, never stored or logged
    client.secrets(live.cluster_id).create("default", "fuzz-secret", {"value": secret_value})
    client.configmaps(live.cluster_id).create("default", "fuzz-config", {"mode": "fuzz"})
    spare = client.clusters.create(f"fuzz-spare-{secrets.token_hex(3)}", api_server=live.sim.url,
                                   kubeconfig=live.sim.kubeconfig())
    make_spares(live)
    token = live.token()
    return {
        "url": live.url, "token": token, "admin_username": live.admin_username,
        "admin_password": live.admin_password, "admin_id": admin_id, "cluster_id": live.cluster_id,
        "sacrificial_cluster_id": int(spare["id"]), "sacrificial_user_id": victims[0],
        "real_parameters": real_parameters(live, victims, admin_id),
        "real_queries": real_queries(live),
        # Never to be found in the database or the server's log after the run (see `leaked_secrets`).
        "secrets": [live.admin_password, live.sim.token, token, *passwords, secret_value],
    }


def leaked_secrets(live: LiveServer, secret_values: list[str]) -> list[str]:
    """Where a password, token or cluster credential of the run shows in the database or the server's log."""
    import sqlite3

    places = {"daphne.log": live.log_path.read_text(errors="replace")}
    if live.database_url.startswith("sqlite:///"):
        with sqlite3.connect(live.database_url.removeprefix("sqlite:///")) as db:
            places["database"] = "\n".join(db.iterdump())
    found = []
    for name, text in places.items():
        for index, value in enumerate(secret_values):
            if value and value in text:
                found.append(f"secret #{index} appears in the {name}")
    return found


def run_schemathesis(live: LiveServer, context: dict[str, Any], args: argparse.Namespace) -> int:
    context_file = live.workdir / "fuzz-context.json"
    context_file.write_text(json.dumps(context))
    report_dir = Path(args.report_dir or ROOT / "var" / "schemathesis-report")
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{live.url}/api/schema",
        "--checks", ",".join(CHECKS),
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(args.max_examples),
        "--max-time", str(args.max_time),
        "--workers", str(args.workers),
        "--request-timeout", "30",
        "--suppress-health-check", "all",
        "--generation-database", "none",
        "--report", "junit,ndjson", "--report-dir", str(report_dir),
        "--no-color",
    ]
    if args.seed is not None:
        command += ["--seed", str(args.seed)]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "scripts.fuzz_hooks", "KUBEPOLARIS_FUZZ_CONTEXT": str(context_file),
           "PYTHONPATH": str(ROOT)}
    print("$", " ".join(command), flush=True)
    code = subprocess.call(command, cwd=live.workdir, env=env)  # its .schemathesis cache stays out of the repo
    print(f"reports: {report_dir}", flush=True)
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-time", type=int, default=120, help="schemathesis time budget, seconds")
    parser.add_argument("--max-examples", type=int, default=20, help="test cases per operation and phase")
    parser.add_argument("--workers", type=int, default=1,
                        help="schemathesis workers; more than 1 has tripped a thread-safety error inside hypothesis")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite database")
    parser.add_argument("--report-dir", default=None)
    args = parser.parse_args()
    started = time.monotonic()
    live = LiveServer(with_sim=True, database_url=args.database_url)
    try:
        live.start()
        print(f"server {live.url}, cluster {live.cluster_id} (simulator {live.sim.url})", flush=True)
        context = prepare(live)
        code = run_schemathesis(live, context, args)
        for leak in leaked_secrets(live, context["secrets"]):
            print(f"LEAK: {leak}", flush=True)
            code = code or 1
        log = live.log_path.read_text(errors="replace")
        report_dir = Path(args.report_dir or ROOT / "var" / "schemathesis-report")
        (report_dir / "daphne.log").write_text(log)
        if "Traceback" in log:
            tracebacks = log.count("Unhandled error")
            print(f"the server logged {tracebacks} unhandled error(s): see {report_dir / 'daphne.log'}", flush=True)
            code = code or 1
    finally:
        live.stop()
    print(f"fuzz run finished in {time.monotonic() - started:.0f}s with exit code {code}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
