"""The per-kind workload status words, on hand-made objects (the rules are in workloads/status.py's docstring)."""
from __future__ import annotations

from typing import Any

from workloads.selectors import KINDS, label_selector_string, workload_item
from workloads.status import cronjob_status, daemonset_status, deployment_status, job_status, statefulset_status


def deployment(replicas: int = 3, current: int = 3, updated: int = 3, available: int = 3, generation: int = 2,
               observed: int = 2, conditions: list | None = None, paused: bool = False,
               deleting: bool = False) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "web", "namespace": "default", "generation": generation}
    if deleting:
        metadata["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return {"metadata": metadata,
            "spec": {"replicas": replicas, "paused": paused},
            "status": {"replicas": current, "updatedReplicas": updated, "availableReplicas": available,
                       "readyReplicas": available, "observedGeneration": observed, "conditions": conditions or []}}


class TestDeployment:
    def test_available(self) -> None:
        assert deployment_status(deployment()) == "Available"

    def test_spec_not_yet_observed_is_progressing(self) -> None:
        assert deployment_status(deployment(generation=3, observed=2)) == "Progressing"

    def test_new_replicas_not_all_updated_is_progressing(self) -> None:
        assert deployment_status(deployment(updated=1)) == "Progressing"

    def test_old_replicas_pending_termination_is_progressing(self) -> None:
        assert deployment_status(deployment(current=4)) == "Progressing"

    def test_some_unavailable_is_degraded(self) -> None:
        assert deployment_status(deployment(available=1)) == "Degraded"

    def test_none_available_is_unavailable(self) -> None:
        assert deployment_status(deployment(available=0)) == "Unavailable"

    def test_deadline_exceeded_is_failed(self) -> None:
        cond = [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]
        assert deployment_status(deployment(updated=1, available=0, conditions=cond)) == "Failed"

    def test_replica_failure_is_failed(self) -> None:
        cond = [{"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate"}]
        assert deployment_status(deployment(current=0, updated=0, available=0, conditions=cond)) == "Failed"

    def test_scaled_to_zero(self) -> None:
        assert deployment_status(deployment(replicas=0, current=0, updated=0, available=0)) == "ScaledDown"

    def test_scaling_to_zero(self) -> None:
        assert deployment_status(deployment(replicas=0, current=2, updated=0, available=2)) == "ScalingDown"

    def test_paused(self) -> None:
        assert deployment_status(deployment(paused=True, updated=1)) == "Paused"

    def test_deleting(self) -> None:
        assert deployment_status(deployment(deleting=True)) == "Terminating"

    def test_replicas_default_to_one(self) -> None:
        obj = deployment(current=1, updated=1, available=1)
        del obj["spec"]["replicas"]
        assert deployment_status(obj) == "Available"


class TestStatefulSet:
    def sts(self, **status: Any) -> dict[str, Any]:
        base = {"replicas": 3, "readyReplicas": 3, "observedGeneration": 1, "currentRevision": "r1",
                "updateRevision": "r1"}
        return {"metadata": {"generation": 1}, "spec": {"replicas": 3}, "status": {**base, **status}}

    def test_available(self) -> None:
        assert statefulset_status(self.sts()) == "Available"

    def test_rolling_update_between_revisions(self) -> None:
        assert statefulset_status(self.sts(updateRevision="r2")) == "Progressing"

    def test_degraded_and_unavailable(self) -> None:
        assert statefulset_status(self.sts(readyReplicas=2)) == "Degraded"
        assert statefulset_status(self.sts(readyReplicas=0)) == "Unavailable"

    def test_scaled_down(self) -> None:
        obj = self.sts(replicas=0, readyReplicas=0)
        obj["spec"]["replicas"] = 0
        assert statefulset_status(obj) == "ScaledDown"


class TestDaemonSet:
    def ds(self, **status: Any) -> dict[str, Any]:
        base = {"desiredNumberScheduled": 3, "numberReady": 3, "numberAvailable": 3, "updatedNumberScheduled": 3,
                "observedGeneration": 1}
        return {"metadata": {"generation": 1}, "spec": {}, "status": {**base, **status}}

    def test_available(self) -> None:
        assert daemonset_status(self.ds()) == "Available"

    def test_rolling_out(self) -> None:
        assert daemonset_status(self.ds(updatedNumberScheduled=1)) == "Progressing"

    def test_degraded(self) -> None:
        assert daemonset_status(self.ds(numberAvailable=2)) == "Degraded"

    def test_no_nodes(self) -> None:
        assert daemonset_status(self.ds(desiredNumberScheduled=0, numberReady=0, numberAvailable=0)) == "Idle"


class TestJob:
    """Job words are kubectl's STATUS column for jobs."""

    def job(self, *conditions: str, deleting: bool = False) -> dict[str, Any]:
        metadata: dict[str, Any] = {"deletionTimestamp": "2026-01-01T00:00:00Z"} if deleting else {}
        return {"metadata": metadata, "status": {"conditions": [{"type": c, "status": "True"} for c in conditions]}}

    def test_words(self) -> None:
        assert job_status(self.job()) == "Running"
        assert job_status(self.job("Complete")) == "Complete"
        assert job_status(self.job("Failed")) == "Failed"
        assert job_status(self.job("Suspended")) == "Suspended"
        assert job_status(self.job("FailureTarget")) == "FailureTarget"
        assert job_status(self.job(deleting=True)) == "Terminating"
        assert job_status(self.job("Complete", deleting=True)) == "Complete"

    def test_false_condition_does_not_count(self) -> None:
        obj = {"status": {"conditions": [{"type": "Suspended", "status": "False"}]}}
        assert job_status(obj) == "Running"


class TestCronJob:
    def test_words(self) -> None:
        assert cronjob_status({"spec": {"suspend": True}, "status": {"active": [{"name": "j"}]}}) == "Suspended"
        assert cronjob_status({"spec": {}, "status": {"active": [{"name": "j"}]}}) == "Active"
        assert cronjob_status({"spec": {"suspend": False}, "status": {}}) == "Scheduled"


class TestItem:
    def test_cronjob_images_come_from_the_job_template(self) -> None:
        cron = {"metadata": {"name": "c", "namespace": "n", "creationTimestamp": "2026-01-01T00:00:00Z"},
                "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [
                    {"name": "a", "image": "busybox:1"}, {"name": "b", "image": "busybox:1"}]}}}}},
                "status": {"active": [{"name": "c-1"}]}}
        item = workload_item(KINDS["cronjob"], cron)
        assert item["images"] == ["busybox:1"]
        assert (item["replicas"], item["status"]) == (1, "Active")

    def test_label_selector_string(self) -> None:
        selector = {"matchLabels": {"app": "web"}, "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["a", "b"]},
            {"key": "env", "operator": "NotIn", "values": ["dev"]},
            {"key": "canary", "operator": "Exists"},
            {"key": "legacy", "operator": "DoesNotExist"}]}
        assert label_selector_string(selector) == "app=web,tier in (a,b),env notin (dev),canary,!legacy"
