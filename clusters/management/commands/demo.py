"""`manage.py demo`: the demo admin, the simulated cluster registered, and daphne on 127.0.0.1:8000.

Lives in `clusters` (it registers the demo cluster through the cluster service) so `common/` imports no app.
The only product code that imports kubesim (the simulated cluster is a demo and test tool).
"""
from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

DEMO_USER, DEMO_PASSWORD = "admin", "admin123"
DEMO_CLUSTER = "demo"


class Command(BaseCommand):
    help = "Run the demo: admin/admin123, the simulated cluster 'demo', daphne on 127.0.0.1:8000."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--kubesim-port", type=int, default=0)
        parser.add_argument("--fleet", default="demo")

    def handle(self, *args: Any, port: int, kubesim_port: int, fleet: str, **options: Any) -> None:
        from daphne.cli import CommandLineInterface

        from kubesim import KubeSim

        self.ensure_admin()
        sim = KubeSim(fleet=fleet, port=kubesim_port)
        sim.start()
        kubeconfig_path = settings.VAR_DIR / "kubesim.kubeconfig"
        sim.write_kubeconfig(kubeconfig_path)
        self.register(sim)
        self.stdout.write(
            f"\nSimulated cluster '{DEMO_CLUSTER}' at {sim.url} (kubectl --kubeconfig {kubeconfig_path} get pods -A)\n"
            f"API:  http://127.0.0.1:{port}/api   docs: http://127.0.0.1:{port}/api/docs   admin: /admin/\n"
            f"Log in: curl -s -X POST http://127.0.0.1:{port}/api/auth/login -H 'Content-Type: application/json' "
            f"-d '{{\"username\":\"{DEMO_USER}\",\"password\":\"{DEMO_PASSWORD}\"}}'\n"
        )
        try:
            CommandLineInterface().run([
                "-b", "127.0.0.1", "-p", str(port),
                # Protocol pings keep quiet terminals alive through proxies (contract §7).
                "--ping-interval", str(settings.WS_PING_INTERVAL), "--ping-timeout", str(settings.WS_PING_TIMEOUT),
                "kubepolaris.asgi:application",
            ])
        finally:
            sim.stop()

    def ensure_admin(self) -> None:
        from accounts.models import User
        from common.permissions import Role

        user = User.objects.filter(username=DEMO_USER).first()
        if user is None:
            user = User(username=DEMO_USER, role=Role.ADMIN, is_superuser=True)
            user.set_password(DEMO_PASSWORD)
            user.save()
        self.stderr.write(
            self.style.WARNING(
                f"DEMO ONLY: user '{DEMO_USER}' with password '{DEMO_PASSWORD}'. "
                "Never run the demo set-up in production."
            )
        )
        sys.stderr.flush()

    def register(self, sim: Any) -> None:
        """Register (or re-point) the simulated cluster through the cluster service, like an admin would."""
        from clusters import kubeconfig as kc
        from clusters import services
        from clusters.models import Cluster

        config = kc.reduce_kubeconfig(sim.kubeconfig())
        cluster = Cluster.objects.filter(name=DEMO_CLUSTER).first()
        if cluster is None:
            cluster = services.create_cluster(name=DEMO_CLUSTER, api_server=sim.url, kubeconfig=config,
                                              description="The embedded simulated cluster (kubesim)")
        else:
            cluster = services.update_cluster(cluster=cluster, api_server=sim.url, kubeconfig=config)
        # Contact it once, as `POST /api/clusters/:id/test` would, so the list shows it connected.
        services.check_connection(cluster=Cluster.objects.get(pk=cluster.pk))
