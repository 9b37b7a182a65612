"""Real responses of the StatefulSet, DaemonSet, Job and CronJob endpoints, success and failure, checked
against /api/schema (as test_responses.py does for the others)."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import register_sim


@pytest.mark.django_db
def test_kind_detail_and_action_responses(admin_api: Any, api: Any, fresh_kubesim: Any, conforms: Any) -> None:
    cluster = register_sim(fresh_kubesim(), "kinds")
    base = f"/api/clusters/{cluster.id}/namespaces"
    objects = {"statefulsets": "shop/statefulsets/redis", "daemonsets": "monitoring/daemonsets/node-exporter",
               "jobs": "batch/jobs/nightly-report", "cronjobs": "batch/cronjobs/cleanup"}
    for path in objects.values():
        url = f"{base}/{path}"
        conforms(admin_api.get(url), "get", url)
        conforms(admin_api.get(url.rsplit("/", 1)[0] + "/missing"), "get", url)
        conforms(api("viewer").delete(url), "delete", url)
        conforms(admin_api.delete(url + "?propagationPolicy=sideways"), "delete", url)
    sts = f"{base}/{objects['statefulsets']}"
    conforms(admin_api.post(f"{sts}/scale", {"replicas": 2}, format="json"), "post", f"{sts}/scale")
    conforms(admin_api.post(f"{sts}/scale", {"replicas": "2"}, format="json"), "post", f"{sts}/scale")
    conforms(api("viewer").post(f"{sts}/scale", {"replicas": 1}, format="json"), "post", f"{sts}/scale")
    for path in (objects["statefulsets"], objects["daemonsets"]):
        url = f"{base}/{path}/restart"
        conforms(admin_api.post(url), "post", url)
        conforms(admin_api.post(url.replace(path.rsplit("/", 1)[1], "missing")), "post", url)
    cronjob = f"{base}/{objects['cronjobs']}"
    for action in ("suspend", "resume"):
        conforms(admin_api.post(f"{cronjob}/{action}"), "post", f"{cronjob}/{action}")
    trigger = f"{cronjob}/trigger"
    conforms(admin_api.post(trigger), "post", trigger)
    conforms(admin_api.post(trigger, {"name": "by-hand"}, format="json"), "post", trigger)
    conforms(admin_api.post(trigger, {"name": "by-hand"}, format="json"), "post", trigger)  # taken → 409
    conforms(admin_api.post(trigger, {"name": "Bad Name"}, format="json"), "post", trigger)
    for path in objects.values():
        url = f"{base}/{path}"
        conforms(admin_api.delete(url + "?propagationPolicy=Foreground"), "delete", url)
