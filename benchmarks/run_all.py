"""The whole benchmark, one command, over real HTTP to real server processes:

    .venv/bin/python benchmarks/run_all.py                       # 1,000, 20,000 and 100,000 pods
    .venv/bin/python benchmarks/run_all.py --sizes 1000 --duration 10     # a quick run

For each size, the simulated cluster's `bench` fleet runs in its own process (`python -m kubesim`), and daphne
processes serve KubePolaris (scripts/liveserver.py): one with the watch cache (the default) and one without it
(the pass-through), each on its own SQLite database. Measured, per size:

- p50/p99 of 20-pod pages, unfiltered (first page and a deep one) and filtered by namespace, node, status and
  name (search), from the cache and through the pass-through; `kubectl get pods -A -o json` as a yardstick;
- the cold first list (from the first request until a page answers 200; 503s with Retry-After meanwhile) and the
  server's RSS growth per cached pod;
- change-to-list: a pod created in the cluster (its API, as kubectl would) until our list shows it;
- 200 concurrent log-follow sockets: latency from a line's timestamp to its frame, and sockets dropped;
- at the largest size only (or with --processes-at), N daphne processes behind ONE address (`daphne --fd` on a
  shared listening socket, the kernel spreads connections) sharing PostgreSQL and Redis: the cross-process
  freshness (a pod deleted through process A until process B's list shows it Terminating) and 16 concurrent
  clients reading pages for --duration seconds: throughput and p99.

Prints a Markdown table and writes JSON (--json). Needs PostgreSQL (127.0.0.1:5432, user postgres, trust) and
Redis (127.0.0.1:6379) for the multi-process part; --no-multi skips it.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdef0123456789")
os.environ.setdefault("FERNET_KEYS", "YmVuY2htYXJrLW9ubHktZmVybmV0LWtleS0wMTIzNDU=")  # benchmark-only key

from scripts.liveserver import SETUP_SCRIPT, LiveServer, free_port  # noqa: E402

PY = sys.executable


def pct(samples: list[float], p: float) -> float | None:
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(len(ordered) * p / 100) - 1))]


def summary(samples: list[float]) -> dict[str, Any]:
    return {"n": len(samples), "p50": pct(samples, 50), "p95": pct(samples, 95), "p99": pct(samples, 99),
            "mean": statistics.fmean(samples) if samples else None}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- the simulated cluster ---------------------------------------------------------------------------

class Sim:
    """`python -m kubesim --fleet bench` in its own process."""

    def __init__(self, pods: int, nodes: int, workdir: Path) -> None:
        self.kubeconfig_path = workdir / f"kubeconfig-{pods}"
        self.log = (workdir / f"kubesim-{pods}.log").open("w")
        started = time.monotonic()
        self.process = subprocess.Popen(
            [PY, "-m", "kubesim", "--kubeconfig", str(self.kubeconfig_path), "--fleet", "bench",
             "--pods", str(pods), "--nodes", str(nodes), "--tick", "3600"],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        while not self.kubeconfig_path.exists() or not self.kubeconfig_path.read_text().strip():
            if self.process.poll() is not None:
                raise RuntimeError(f"kubesim exited: {(workdir / f'kubesim-{pods}.log').read_text()[-2000:]}")
            time.sleep(0.2)
        time.sleep(0.2)
        self.build_seconds = time.monotonic() - started
        self.kubeconfig = yaml.safe_load(self.kubeconfig_path.read_text())
        self.url = self.kubeconfig["clusters"][0]["cluster"]["server"]

    def core(self) -> Any:
        from kubernetes import client, config

        api_client = config.new_client_from_config(str(self.kubeconfig_path))
        return client.CoreV1Api(api_client)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


# --- an HTTP client ------------------------------------------------------------------------------------

class Api:
    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.token = token
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, params: dict[str, Any] | None = None, timeout: float = 900) -> requests.Response:
        return self.session.get(self.base + path, params=params, timeout=timeout)

    def timed(self, path: str, params: dict[str, Any] | None = None) -> tuple[float, requests.Response]:
        started = time.perf_counter()
        response = self.get(path, params)
        return (time.perf_counter() - started) * 1000, response


def register(api: Api, sim: Sim, name: str) -> int:
    body = {"name": name, "apiServer": sim.url, "description": "bench",
            "kubeConfig": __import__("base64").b64encode(yaml.safe_dump(sim.kubeconfig).encode()).decode()}
    response = api.session.post(api.base + "/api/clusters", json=body, timeout=120)
    response.raise_for_status()
    return int(response.json()["data"]["id"])


def page_cases(pods: int, nodes: int) -> dict[str, dict[str, Any]]:
    deep = max(1, pods // 20 // 2)
    return {
        "unfiltered": {},
        "unfiltered, middle page": {"page": deep},
        "namespace": {"namespace": "bench-3"},
        "node": {"nodeName": f"node-{min(7, nodes - 1):04d}"},
        "status": {"status": "Running", "page": 3},
        "search": {"search": f"svc-{min(42, max(0, pods // 50 - 1)):04d}-"},
    }


def time_pages(api: Api, cluster_id: int, cases: dict[str, dict[str, Any]], runs: int) -> dict[str, Any]:
    out = {}
    for name, params in cases.items():
        samples = []
        for _ in range(runs):
            ms, response = api.timed(f"/api/clusters/{cluster_id}/pods", {"pageSize": 20, **params})
            if response.status_code != 200:
                raise RuntimeError(f"{name}: {response.status_code} {response.text[:300]}")
            samples.append(ms)
        out[name] = summary(samples)
        out[name]["total"] = response.json()["data"]["total"]
    return out


def cold_first_list(api: Api, cluster_id: int) -> dict[str, Any]:
    started = time.perf_counter()
    retries = 0
    first_answer_ms = None
    while True:
        t0 = time.perf_counter()
        response = api.get(f"/api/clusters/{cluster_id}/pods", {"pageSize": 20})
        if first_answer_ms is None:
            first_answer_ms = (time.perf_counter() - t0) * 1000
        if response.status_code == 200:
            return {"seconds": time.perf_counter() - started, "503s": retries, "first_answer_ms": first_answer_ms,
                    "total": response.json()["data"]["total"]}
        if response.status_code != 503:
            raise RuntimeError(f"cold list: {response.status_code} {response.text[:300]}")
        retries += 1
        time.sleep(min(1.0, float(response.headers.get("Retry-After") or 1)))


def change_to_list(api: Api, cluster_id: int, sim: Sim, samples: int) -> dict[str, Any]:
    """A pod created through the cluster's API (as any other writer) until our list shows it."""
    core = sim.core()
    latencies = []
    for i in range(samples):
        name = f"fresh-{os.getpid()}-{i}"
        body = {"metadata": {"name": name, "labels": {"bench": "fresh"}},
                "spec": {"containers": [{"name": "main", "image": "busybox:1.36"}]}}
        core.create_namespaced_pod("bench-0", body)
        created = time.perf_counter()
        while True:
            response = api.get(f"/api/clusters/{cluster_id}/pods", {"namespace": "bench-0", "search": name})
            if response.status_code == 200 and response.json()["data"]["total"] == 1:
                latencies.append((time.perf_counter() - created) * 1000)
                break
            if time.perf_counter() - created > 30:
                latencies.append(30000.0)
                break
            time.sleep(0.005)
        core.delete_namespaced_pod(name, "bench-0", grace_period_seconds=0)
    return summary(latencies)


def kubectl_yardstick(sim: Sim, runs: int) -> dict[str, Any]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(["kubectl", "--kubeconfig", str(sim.kubeconfig_path), "get", "pods", "-A", "-o", "json"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=1800)
        samples.append((time.perf_counter() - started) * 1000)
    return summary(samples)


# --- log-follow sockets --------------------------------------------------------------------------------

async def _follow(url: str, latencies: list[tuple[float, float]], stats: dict[str, Any], until: float,
                  reasons: list[str]) -> None:
    import websockets

    try:
        async with websockets.connect(url, max_size=2**22, open_timeout=60) as ws:
            await ws.send(json.dumps({"type": "subscribe", "follow": True, "timestamps": True, "tailLines": 0}))
            stats["open"] += 1
            stats["all_open_at"] = time.time()
            while time.time() < until:
                try:
                    frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=max(0.1, until - time.time())))
                except TimeoutError:
                    break
                if frame.get("type") == "log":
                    stamp = frame["data"].split(" ", 1)[0]
                    try:
                        written = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
                    except ValueError:
                        continue
                    now = time.time()
                    latencies.append((now, (now - written) * 1000))
                elif frame.get("type") in ("end", "error"):
                    stats["dropped"] += 1
                    reasons.append(str(frame)[:200])
                    return
            stats["completed"] += 1
    except Exception as exc:  # noqa: BLE001 - counted as dropped
        stats["dropped"] += 1
        reasons.append(f"{type(exc).__name__}: {exc}"[:200])


def log_sockets(base: str, token: str, cluster_id: int, pods: list[tuple[str, str]], count: int,
                seconds: float) -> dict[str, Any]:
    ws_base = base.replace("http://", "ws://")
    latencies: list[tuple[float, float]] = []
    stats: dict[str, Any] = {"open": 0, "completed": 0, "dropped": 0, "all_open_at": 0.0}
    reasons: list[str] = []

    async def run() -> None:
        until = time.time() + seconds
        tasks = []
        for i in range(count):
            ns, name = pods[i % len(pods)]
            url = f"{ws_base}/ws/clusters/{cluster_id}/namespaces/{ns}/pods/{name}/logs?token={token}"
            tasks.append(asyncio.create_task(_follow(url, latencies, stats, until, reasons)))
        await asyncio.gather(*tasks)

    asyncio.run(run())
    settled = stats.pop("all_open_at") + 2.0  # the opening storm (200 subscribes at once) is measured apart
    return {"sockets": count, **stats, "drop_reasons": sorted(set(reasons))[:5],
            "latency_ms": summary([ms for at, ms in latencies if at >= settled]),
            "latency_ms_while_opening": summary([ms for at, ms in latencies if at < settled])}


# --- several processes behind one address ---------------------------------------------------------------

class Fleet:
    """N daphne processes sharing one listening socket (`daphne --fd`), PostgreSQL and Redis; each also
    listens on a port of its own, so a client can address one process."""

    def __init__(self, n: int, database: str, redis_url: str, workdir: Path) -> None:
        self.workdir = workdir
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {database}"],
                       check=True, capture_output=True)
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"CREATE DATABASE {database}"],
                       check=True, capture_output=True)
        subprocess.run(["redis-cli", "-u", redis_url, "FLUSHDB"], check=True, capture_output=True)
        self.helper = LiveServer(with_sim=False, database_url=f"postgres://postgres@127.0.0.1:5432/{database}",
                                 env={"REDIS_URL": redis_url, "LOG_LEVEL": "WARNING"})
        self.helper._manage("shell", "-c", SETUP_SCRIPT)  # migrate, and the admin
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1024)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        fd = self.listener.fileno()
        self.processes: list[subprocess.Popen[bytes]] = []
        self.own_urls: list[str] = []
        for i in range(n):
            own = free_port()
            log = (workdir / f"daphne-{i}.log").open("wb")
            self.processes.append(subprocess.Popen(
                [PY, "-m", "daphne", "--fd", str(fd), "-e", f"tcp:port={own}:interface=127.0.0.1",
                 "kubepolaris.asgi:application"],
                cwd=ROOT, env=self.helper.env, stdout=log, stderr=subprocess.STDOUT, pass_fds=(fd,)))
            self.own_urls.append(f"http://127.0.0.1:{own}")
        for url in self.own_urls:
            _wait_up(url)

    def token(self) -> str:
        response = requests.post(f"{self.url}/api/auth/login", timeout=30, json={
            "username": self.helper.admin_username, "password": self.helper.admin_password})
        response.raise_for_status()
        return str(response.json()["data"]["token"])

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.listener.close()


def _wait_up(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def warm(api: Api, cluster_id: int, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = api.get(f"/api/clusters/{cluster_id}/pods", {"pageSize": 1})
        if response.status_code == 200:
            return
        time.sleep(1)
    raise RuntimeError("the cache did not warm up")


def cross_process(fleet: Fleet, token: str, cluster_id: int, samples: int) -> dict[str, Any]:
    """A pod deleted through process A (the API) until process B's list shows it Terminating."""
    a, b = Api(fleet.own_urls[0], token), Api(fleet.own_urls[1 % len(fleet.own_urls)], token)
    items = b.get(f"/api/clusters/{cluster_id}/pods", {"namespace": "bench-1", "pageSize": 100}).json()["data"]["items"]
    latencies = []
    for pod in items[:samples]:
        response = a.session.delete(f"{a.base}/api/clusters/{cluster_id}/namespaces/bench-1/pods/{pod['name']}",
                                    timeout=60)
        response.raise_for_status()
        done = time.perf_counter()
        while True:
            found = b.get(f"/api/clusters/{cluster_id}/pods", {"namespace": "bench-1", "search": pod["name"]})
            rows = found.json()["data"]["items"] if found.status_code == 200 else []
            if not rows or rows[0]["status"] == "Terminating":
                latencies.append((time.perf_counter() - done) * 1000)
                break
            if time.perf_counter() - done > 30:
                latencies.append(30000.0)
                break
            time.sleep(0.005)
    return summary(latencies)


def load(base: str, token: str, cluster_id: int, cases: dict[str, dict[str, Any]], clients: int,
         seconds: float, pids: list[int]) -> dict[str, Any]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    until = time.monotonic() + seconds
    choices = list(cases.values())

    def worker(seed: int) -> None:
        api = Api(base, token)
        rng = random.Random(seed)
        mine = []
        while time.monotonic() < until:
            ms, response = api.timed(f"/api/clusters/{cluster_id}/pods", {"pageSize": 20, **rng.choice(choices)})
            if response.status_code == 200:
                mine.append(ms)
            else:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    cpu_before = sum(cpu_seconds(pid) for pid in pids)
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
    served = max(1, len(latencies) + errors[0])
    # the servers' own CPU per request: what a machine with C free cores could serve, C * 1000 / this
    return {"clients": clients, "seconds": round(elapsed, 1), "requests": len(latencies), "errors": errors[0],
            "rps": len(latencies) / elapsed, "latency_ms": summary(latencies),
            "server_cpu_ms_per_request": round(cpu * 1000 / served, 2),
            "server_cpu_share_of_machine": round(cpu / elapsed / (os.cpu_count() or 1), 2)}


# --- one size ----------------------------------------------------------------------------------------

def run_size(pods: int, args: argparse.Namespace, workdir: Path, multi: bool) -> dict[str, Any]:
    nodes = args.nodes or min(1000, max(10, pods // 100))
    print(f"\n== {pods} pods on {nodes} nodes ==", flush=True)
    result: dict[str, Any] = {"pods": pods, "nodes": nodes}
    sim = Sim(pods, nodes, workdir)
    result["sim_build_seconds"] = round(sim.build_seconds, 1)
    result["sim_rss_mb"] = round(rss_mb(sim.process.pid), 1)
    cached = LiveServer(with_sim=False, env={"KUBE_WATCH_CACHE": "1", "KUBE_READ_TIMEOUT": "900"}).start()
    direct = LiveServer(with_sim=False, env={"KUBE_WATCH_CACHE": "0", "KUBE_READ_TIMEOUT": "900"}).start()
    try:
        api, plain = Api(cached.url, cached.token()), Api(direct.url, direct.token())
        cluster_id = register(api, sim, "bench")
        direct_id = register(plain, sim, "bench")
        cases = page_cases(pods, nodes)
        time.sleep(1)
        before = rss_mb(cached.process.pid)
        result["cold_first_list"] = cold_first_list(api, cluster_id)
        print(f"cold first list: {result['cold_first_list']}", flush=True)
        time.sleep(2)
        after = rss_mb(cached.process.pid)
        result["server_rss_mb"] = {"before": round(before, 1), "after": round(after, 1)}
        result["rss_kb_per_pod"] = round((after - before) * 1024 / pods, 2)
        result["cached"] = time_pages(api, cluster_id, cases, args.runs)
        print(f"cached pages: { {k: round(v['p50'], 1) for k, v in result['cached'].items()} }", flush=True)
        direct_runs = args.direct_runs if pods <= 20000 else 1
        direct_cases = cases if pods <= 20000 else {k: cases[k] for k in ("unfiltered", "namespace", "node")}
        if not args.no_pass_through:
            result["pass_through"] = time_pages(plain, direct_id, direct_cases, direct_runs)
            print(f"pass-through: { {k: round(v['p50'], 1) for k, v in result['pass_through'].items()} }",
                  flush=True)
        if not args.no_kubectl:
            result["kubectl_get_pods_A_json_ms"] = kubectl_yardstick(sim, 1)
        result["change_to_list_ms"] = change_to_list(api, cluster_id, sim, args.changes)
        print(f"change to list: {result['change_to_list_ms']}", flush=True)
        if args.sockets:
            sample = api.get(f"/api/clusters/{cluster_id}/pods",
                             {"pageSize": 100, "namespace": "bench-1"}).json()["data"]["items"]
            targets = [(p["namespace"], p["name"]) for p in sample]
            result["log_follow"] = log_sockets(cached.url, api.token, cluster_id, targets, args.sockets,
                                               args.socket_seconds)
            result["log_follow"]["server_rss_mb"] = round(rss_mb(cached.process.pid), 1)
            print(f"log follow: {result['log_follow']}", flush=True)
        direct.stop()
        if multi:
            result["multi"] = run_multi(sim, cases, args, workdir)
    finally:
        cached.stop()
        direct.stop()
        sim.stop()
    return result


def run_multi(sim: Sim, cases: dict[str, dict[str, Any]], args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for n in args.processes:
        print(f"-- {n} processes behind one address (daphne --fd), PostgreSQL + Redis --", flush=True)
        fleet = Fleet(n, args.database, args.redis_url, workdir)
        try:
            token = fleet.token()
            cluster_id = register(Api(fleet.url, token), sim, "bench")
            rss_before = [rss_mb(p.pid) for p in fleet.processes]
            for url in fleet.own_urls:
                warm(Api(url, token), cluster_id)
            entry: dict[str, Any] = {}
            if n > 1:
                entry["cross_process_freshness_ms"] = cross_process(fleet, token, cluster_id, args.changes)
                print(f"cross-process freshness: {entry['cross_process_freshness_ms']}", flush=True)
            entry["load"] = load(fleet.url, token, cluster_id, cases, args.clients, args.duration,
                                 [p.pid for p in fleet.processes])
            entry["rss_mb_per_process"] = [round(rss_mb(p.pid), 1) for p in fleet.processes]
            entry["rss_mb_before_cache"] = [round(r, 1) for r in rss_before]
            print(f"load: {entry['load']}", flush=True)
            out[str(n)] = entry
        finally:
            fleet.stop()
    return out


def fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def table(results: list[dict[str, Any]]) -> str:
    sizes = [r["pods"] for r in results]
    lines = ["| measure | " + " | ".join(f"{s:,} pods" for s in sizes) + " |",
             "|---|" + "---|" * len(sizes)]

    def row(label: str, getter: Any) -> None:
        values = []
        for r in results:
            try:
                values.append(fmt(getter(r)))
            except (KeyError, TypeError, IndexError):
                values.append("-")
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    names = list(results[0]["cached"])
    for name in names:
        row(f"page {name}, cached p50 / p99 ms",
            lambda r, n=name: f"{r['cached'][n]['p50']:.1f} / {r['cached'][n]['p99']:.1f}")
    for name in names:
        row(f"page {name}, pass-through p50 ms",
            lambda r, n=name: r["pass_through"][n]["p50"] if n in r["pass_through"] else None)
    row("kubectl get pods -A -o json, ms", lambda r: r["kubectl_get_pods_A_json_ms"]["p50"])
    row("cold first list, s (503s while loading)",
        lambda r: f"{r['cold_first_list']['seconds']:.1f} ({r['cold_first_list']['503s']})")
    row("server RSS growth per cached pod, KB", lambda r: r["rss_kb_per_pod"])
    row("server RSS after the first list, MB", lambda r: r["server_rss_mb"]["after"])
    row("change to list p50 / p95 ms",
        lambda r: f"{r['change_to_list_ms']['p50']:.0f} / {r['change_to_list_ms']['p95']:.0f}")
    row("log follow: sockets open / dropped",
        lambda r: f"{r['log_follow']['open']} / {r['log_follow']['dropped']}")
    row("log follow frame latency p50 / p99 ms (after all sockets opened)",
        lambda r: f"{r['log_follow']['latency_ms']['p50']:.0f} / {r['log_follow']['latency_ms']['p99']:.0f}")
    for r in results:
        for n, entry in (r.get("multi") or {}).items():
            load_ = entry["load"]
            cpu = load_.get("server_cpu_ms_per_request")
            lines.append(f"| {r['pods']:,} pods, {n} process(es): {load_['clients']} clients, req/s / p99 ms | "
                         f"{load_['rps']:.0f} / {load_['latency_ms']['p99']:.0f} (errors {load_['errors']}; "
                         f"server CPU {fmt(cpu)} ms/request) |" + " |" * (len(sizes) - 1))
            if "cross_process_freshness_ms" in entry:
                fresh = entry["cross_process_freshness_ms"]
                lines.append(f"| {r['pods']:,} pods, {n} processes: cross-process freshness p50 / p95 ms | "
                             f"{fresh['p50']:.0f} / {fresh['p95']:.0f} |" + " |" * (len(sizes) - 1))
            lines.append(f"| {r['pods']:,} pods, {n} process(es): RSS per process, MB | "
                         f"{', '.join(fmt(x) for x in entry['rss_mb_per_process'])} |" + " |" * (len(sizes) - 1))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,20000,100000", help="pod counts, comma-separated")
    parser.add_argument("--nodes", type=int, default=0, help="nodes (default: pods/100, 10 to 1,000)")
    parser.add_argument("--runs", type=int, default=50, help="samples per cached page case")
    parser.add_argument("--direct-runs", type=int, default=3, help="samples per pass-through case (1 above 20k)")
    parser.add_argument("--changes", type=int, default=20, help="samples of change-to-list and cross-process")
    parser.add_argument("--sockets", type=int, default=200, help="concurrent log-follow sockets (0: skip)")
    parser.add_argument("--socket-seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of the concurrent-readers load")
    parser.add_argument("--processes", default="1,2", help="daphne processes behind one address to compare")
    parser.add_argument("--multi-at", type=int, default=0, help="size for the multi-process part (default: largest)")
    parser.add_argument("--no-multi", action="store_true")
    parser.add_argument("--no-kubectl", action="store_true")
    parser.add_argument("--no-pass-through", action="store_true")
    parser.add_argument("--database", default="kubepolaris_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results.json"))
    args = parser.parse_args()
    args.processes = [int(x) for x in args.processes.split(",") if x]
    sizes = [int(x) for x in args.sizes.split(",") if x]
    multi_at = args.multi_at or max(sizes)
    workdir = Path(tempfile.mkdtemp(prefix="kp-bench-"))
    machine = {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg(),
               "python": sys.version.split()[0], "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    results = []
    for pods in sizes:
        results.append(run_size(pods, args, workdir, multi=not args.no_multi and pods == multi_at))
    machine["load_average_at_end"] = os.getloadavg()
    report = {"machine": machine, "results": results}
    Path(args.json).write_text(json.dumps(report, indent=2))
    print()
    print(f"machine: {machine}")
    print(table(results))
    print(f"\nJSON: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
