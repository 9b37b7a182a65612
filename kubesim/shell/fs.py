"""The container description: environment, hostname and the fake filesystem."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BIN_DIRS", "DEFAULT_PATH", "ContainerInfo"]

BIN_DIRS = ("/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin", "/usr/local/sbin")
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


# ---------------------------------------------------------------------------
# Container description (env, hostname, fake filesystem)
# ---------------------------------------------------------------------------


def _field_ref(pod: dict[str, Any], path: str) -> str:
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    simple = {
        "metadata.name": meta.get("name", ""),
        "metadata.namespace": meta.get("namespace", "default"),
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": spec.get("nodeName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", "default"),
        "status.podIP": status.get("podIP", ""),
        "status.hostIP": status.get("hostIP", ""),
    }
    if path in simple:
        return str(simple[path])
    m = re.fullmatch(r"metadata\.(labels|annotations)\['(.+)'\]", path)
    if m:
        return str((meta.get(m.group(1)) or {}).get(m.group(2), ""))
    return ""


def _expand_k8s_refs(value: str, env: dict[str, str]) -> str:
    """Kubernetes ``$(VAR)`` expansion in env values (``$$`` escapes)."""

    def repl(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1)
        return env.get(name, m.group(0))

    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)", repl, value)


def _os_release(image: str) -> str:
    if "alpine" in image:
        return (
            'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\n'
            'PRETTY_NAME="Alpine Linux v3.20"\nHOME_URL="https://alpinelinux.org/"\n'
        )
    return (
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
        'VERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n'
        'HOME_URL="https://www.debian.org/"\n'
    )


@dataclass
class ContainerInfo:
    """What the shell knows about the container it pretends to run in."""

    pod_name: str = "pod"
    namespace: str = "default"
    container: str = "main"
    image: str = "debian:bookworm"
    hostname: str = "pod"
    pod_ip: str = "10.244.0.10"
    env: dict[str, str] = field(default_factory=dict)
    workdir: str = "/"
    files: dict[str, str] = field(default_factory=dict)
    dirs: set[str] = field(default_factory=set)

    @classmethod
    def from_pod(cls, pod: dict[str, Any], container: str) -> ContainerInfo:
        meta = pod.get("metadata") or {}
        spec = pod.get("spec") or {}
        status = pod.get("status") or {}
        pod_name = str(meta.get("name") or "pod")
        namespace = str(meta.get("namespace") or "default")
        hostname = str(spec.get("hostname") or pod_name)
        containers = list(spec.get("containers") or []) + list(spec.get("initContainers") or [])
        cspec = next((c for c in containers if c.get("name") == container), {})
        image = str(cspec.get("image") or "debian:bookworm")
        pod_ip = str(status.get("podIP") or "10.244.0.10")

        env: dict[str, str] = {"PATH": DEFAULT_PATH, "HOSTNAME": hostname}
        env.update(
            {
                "KUBERNETES_SERVICE_HOST": "10.96.0.1",
                "KUBERNETES_SERVICE_PORT": "443",
                "KUBERNETES_SERVICE_PORT_HTTPS": "443",
                "KUBERNETES_PORT": "tcp://10.96.0.1:443",
            }
        )
        for item in cspec.get("env") or []:
            name = item.get("name")
            if not name:
                continue
            if "value" in item:
                env[name] = _expand_k8s_refs(str(item.get("value") or ""), env)
            elif (item.get("valueFrom") or {}).get("fieldRef"):
                env[name] = _field_ref(pod, item["valueFrom"]["fieldRef"].get("fieldPath", ""))
            else:
                # secretKeyRef/configMapKeyRef/resourceFieldRef: not resolved here.
                env.setdefault(name, "")
        env.setdefault("HOME", "/root")

        info = cls(
            pod_name=pod_name,
            namespace=namespace,
            container=container,
            image=image,
            hostname=hostname,
            pod_ip=pod_ip,
            env=env,
            workdir=str(cspec.get("workingDir") or "/"),
        )
        info._populate_fs()
        return info

    def _populate_fs(self) -> None:
        sa = "/var/run/secrets/kubernetes.io/serviceaccount"
        self.files.update(
            {
                "/etc/hostname": f"{self.hostname}\n",
                "/etc/hosts": (
                    "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"
                    "::1\tlocalhost ip6-localhost ip6-loopback\n"
                    f"{self.pod_ip}\t{self.hostname}\n"
                ),
                "/etc/resolv.conf": (
                    f"search {self.namespace}.svc.cluster.local svc.cluster.local cluster.local\n"
                    "nameserver 10.96.0.10\noptions ndots:5\n"
                ),
                "/etc/os-release": _os_release(self.image),
                "/etc/passwd": (
                    "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
                ),
                "/etc/shells": "/bin/sh\n/bin/bash\n",
                f"{sa}/namespace": self.namespace,
                f"{sa}/token": "kubesim-fake-serviceaccount-token",
                "/root/.bashrc": "# ~/.bashrc: executed by bash(1) for non-login shells.\n",
            }
        )
        self.dirs.update(
            {
                "/",
                "/bin",
                "/boot",
                "/dev",
                "/etc",
                "/home",
                "/lib",
                "/media",
                "/mnt",
                "/opt",
                "/proc",
                "/root",
                "/run",
                "/sbin",
                "/srv",
                "/sys",
                "/tmp",
                "/usr",
                "/usr/bin",
                "/usr/local",
                "/usr/local/bin",
                "/usr/sbin",
                "/var",
                "/var/log",
                "/var/run",
                "/var/run/secrets",
                "/var/run/secrets/kubernetes.io",
                sa,
            }
        )
        path = posixpath.normpath(self.workdir)
        while path not in self.dirs:
            self.dirs.add(path)
            path = posixpath.dirname(path)

    def exists(self, path: str) -> bool:
        return path in self.files or path in self.dirs

    def is_dir(self, path: str) -> bool:
        return path in self.dirs

    def listdir(self, path: str) -> list[str]:
        prefix = path.rstrip("/") + "/"
        names = {
            p[len(prefix) :].split("/", 1)[0] for p in (*self.files, *self.dirs) if p.startswith(prefix) and p != prefix
        }
        return sorted(n for n in names if n)
