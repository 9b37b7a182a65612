"""The STATUS column, branch by branch, on hand-made pods.

Expected strings are what `kubectl get pods` prints for such a pod (kubectl's printPod behaviour), not
values taken from the function under test.
"""
from __future__ import annotations

from typing import Any

import pytest

from pods.status import pod_restarts, pod_status


def running(ready: bool = True, restarts: int = 0, name: str = "app") -> dict[str, Any]:
    return {"name": name, "ready": ready, "restartCount": restarts,
            "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}


def waiting(reason: str, name: str = "app", restarts: int = 0) -> dict[str, Any]:
    return {"name": name, "ready": False, "restartCount": restarts, "state": {"waiting": {"reason": reason}}}


def terminated(name: str = "app", reason: str | None = None, exit_code: int = 0, signal: int = 0) -> dict[str, Any]:
    term: dict[str, Any] = {"exitCode": exit_code}
    if reason:
        term["reason"] = reason
    if signal:
        term["signal"] = signal
    return {"name": name, "ready": False, "restartCount": 0, "state": {"terminated": term}}


def pod(phase: str = "Running", containers: list | None = None, init: list | None = None,
        init_specs: list | None = None, conditions: list | None = None, reason: str | None = None,
        deleting: bool = False) -> dict[str, Any]:
    status: dict[str, Any] = {"phase": phase, "conditions": conditions or []}
    if containers is not None:
        status["containerStatuses"] = containers
    if init is not None:
        status["initContainerStatuses"] = init
    if reason:
        status["reason"] = reason
    metadata: dict[str, Any] = {"name": "p", "namespace": "default"}
    if deleting:
        metadata["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    spec = {"containers": [{"name": "app"}], "initContainers": init_specs or []}
    return {"metadata": metadata, "spec": spec, "status": status}


READY = [{"type": "Ready", "status": "True"}, {"type": "Initialized", "status": "True"}]
NOT_READY = [{"type": "Ready", "status": "False"}, {"type": "Initialized", "status": "True"}]
NOT_INITIALIZED = [{"type": "Initialized", "status": "False"}]
TWO_INITS = [{"name": "init-a"}, {"name": "init-b"}]


class TestPhaseAndReason:
    def test_running(self) -> None:
        assert pod_status(pod(containers=[running()], conditions=READY)) == "Running"

    def test_pending_without_statuses_is_the_phase(self) -> None:
        assert pod_status(pod(phase="Pending")) == "Pending"

    def test_status_reason_wins_over_phase(self) -> None:
        assert pod_status(pod(phase="Failed", reason="Evicted")) == "Evicted"

    def test_node_lost_reason(self) -> None:
        assert pod_status(pod(phase="Running", reason="NodeLost")) == "NodeLost"

    def test_scheduling_gated(self) -> None:
        gated = [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]
        assert pod_status(pod(phase="Pending", conditions=gated)) == "SchedulingGated"

    def test_unschedulable_pending_stays_pending(self) -> None:
        unschedulable = [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]
        assert pod_status(pod(phase="Pending", conditions=unschedulable)) == "Pending"

    def test_empty_pod_is_empty_string(self) -> None:
        assert pod_status({}) == ""


class TestInitContainers:
    def test_first_init_running_is_init_0_of_2(self) -> None:
        init = [running(name="init-a"), waiting("PodInitializing", name="init-b")]
        p = pod(phase="Pending", init=init, init_specs=TWO_INITS, conditions=NOT_INITIALIZED,
                containers=[waiting("PodInitializing")])
        assert pod_status(p) == "Init:0/2"

    def test_second_init_running_is_init_1_of_2(self) -> None:
        init = [terminated(name="init-a", reason="Completed"), running(name="init-b")]
        p = pod(phase="Pending", init=init, init_specs=TWO_INITS, conditions=NOT_INITIALIZED)
        assert pod_status(p) == "Init:1/2"

    def test_init_waiting_reason(self) -> None:
        init = [waiting("CrashLoopBackOff", name="init-a", restarts=4)]
        p = pod(phase="Pending", init=init, init_specs=TWO_INITS[:1], conditions=NOT_INITIALIZED)
        assert pod_status(p) == "Init:CrashLoopBackOff"

    def test_init_image_pull_backoff(self) -> None:
        p = pod(phase="Pending", init=[waiting("ImagePullBackOff", name="init-a")], init_specs=TWO_INITS[:1])
        assert pod_status(p) == "Init:ImagePullBackOff"

    def test_init_terminated_with_reason(self) -> None:
        p = pod(phase="Pending", init=[terminated(name="init-a", reason="Error", exit_code=1)],
                init_specs=TWO_INITS[:1])
        assert pod_status(p) == "Init:Error"

    def test_init_terminated_by_signal(self) -> None:
        p = pod(phase="Pending", init=[terminated(name="init-a", exit_code=137, signal=9)],
                init_specs=TWO_INITS[:1])
        assert pod_status(p) == "Init:Signal:9"

    def test_init_terminated_with_exit_code(self) -> None:
        p = pod(phase="Pending", init=[terminated(name="init-a", exit_code=3)], init_specs=TWO_INITS[:1])
        assert pod_status(p) == "Init:ExitCode:3"

    def test_init_waiting_pod_initializing_counts(self) -> None:
        """A waiting init container whose reason is PodInitializing shows the progress counter."""
        init = [waiting("PodInitializing", name="init-a")]
        p = pod(phase="Pending", init=init, init_specs=TWO_INITS[:1], conditions=NOT_INITIALIZED)
        assert pod_status(p) == "Init:0/1"

    def test_all_inits_done_shows_app_container(self) -> None:
        init = [terminated(name="init-a", reason="Completed"), terminated(name="init-b", reason="Completed")]
        p = pod(phase="Running", init=init, init_specs=TWO_INITS, conditions=READY, containers=[running()])
        assert pod_status(p) == "Running"

    def test_pod_initializing_after_inits(self) -> None:
        init = [terminated(name="init-a", reason="Completed")]
        p = pod(phase="Pending", init=init, init_specs=TWO_INITS[:1], conditions=NOT_INITIALIZED,
                containers=[waiting("PodInitializing")])
        assert pod_status(p) == "PodInitializing"

    def test_started_sidecar_counts_as_done(self) -> None:
        sidecar = {**running(name="proxy"), "started": True}
        specs = [{"name": "proxy", "restartPolicy": "Always"}]
        p = pod(phase="Running", init=[sidecar], init_specs=specs, conditions=READY, containers=[running()])
        assert pod_status(p) == "Running"

    def test_sidecar_not_started_is_init_progress(self) -> None:
        sidecar = {**running(name="proxy"), "started": False}
        specs = [{"name": "proxy", "restartPolicy": "Always"}]
        p = pod(phase="Pending", init=[sidecar], init_specs=specs, conditions=NOT_INITIALIZED)
        assert pod_status(p) == "Init:0/1"

    def test_plain_init_container_started_is_not_a_sidecar(self) -> None:
        plain = {**running(name="init-a"), "started": True}
        p = pod(phase="Pending", init=[plain], init_specs=TWO_INITS[:1], conditions=NOT_INITIALIZED)
        assert pod_status(p) == "Init:0/1"

    def test_initialized_condition_lets_app_containers_speak(self) -> None:
        """A failed init container on an already-initialized pod: kubectl still reads the app containers."""
        init = [terminated(name="init-a", reason="Error", exit_code=1)]
        p = pod(phase="Running", init=init, init_specs=TWO_INITS[:1], conditions=READY,
                containers=[waiting("CrashLoopBackOff")])
        assert pod_status(p) == "CrashLoopBackOff"


class TestAppContainers:
    @pytest.mark.parametrize("why", ["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull",
                                     "ContainerCreating", "CreateContainerConfigError"])
    def test_waiting_reason(self, why: str) -> None:
        assert pod_status(pod(phase="Pending", containers=[waiting(why)])) == why

    def test_terminated_reason_completed(self) -> None:
        p = pod(phase="Succeeded", containers=[terminated(reason="Completed")])
        assert pod_status(p) == "Completed"

    def test_terminated_reason_error(self) -> None:
        p = pod(phase="Failed", containers=[terminated(reason="Error", exit_code=2)])
        assert pod_status(p) == "Error"

    def test_oom_killed(self) -> None:
        p = pod(phase="Running", containers=[terminated(reason="OOMKilled", exit_code=137)])
        assert pod_status(p) == "OOMKilled"

    def test_terminated_signal(self) -> None:
        p = pod(phase="Failed", containers=[terminated(exit_code=143, signal=15)])
        assert pod_status(p) == "Signal:15"

    def test_terminated_exit_code(self) -> None:
        p = pod(phase="Failed", containers=[terminated(exit_code=7)])
        assert pod_status(p) == "ExitCode:7"

    def test_first_container_wins(self) -> None:
        """Containers are read last to first, so the first container's reason is the one shown."""
        p = pod(phase="Pending", containers=[waiting("ErrImagePull", name="a"), waiting("CrashLoopBackOff", name="b")])
        assert pod_status(p) == "ErrImagePull"

    def test_running_not_ready_container_stays_running_phase(self) -> None:
        p = pod(phase="Running", containers=[running(ready=False)], conditions=NOT_READY)
        assert pod_status(p) == "Running"

    def test_completed_with_a_running_container_and_ready_pod(self) -> None:
        p = pod(phase="Running", containers=[terminated(name="a", reason="Completed"), running(name="b")],
                conditions=READY)
        assert pod_status(p) == "Running"

    def test_completed_with_a_running_container_not_ready_pod(self) -> None:
        p = pod(phase="Running", containers=[terminated(name="a", reason="Completed"), running(name="b")],
                conditions=NOT_READY)
        assert pod_status(p) == "NotReady"

    def test_completed_without_running_container(self) -> None:
        p = pod(phase="Running", containers=[terminated(name="a", reason="Completed"), running(name="b", ready=False)],
                conditions=NOT_READY)
        assert pod_status(p) == "Completed"


class TestDeletion:
    def test_terminating(self) -> None:
        p = pod(containers=[running()], conditions=READY, deleting=True)
        assert pod_status(p) == "Terminating"

    def test_terminating_overrides_crashloop(self) -> None:
        p = pod(containers=[waiting("CrashLoopBackOff")], deleting=True)
        assert pod_status(p) == "Terminating"

    def test_finished_pod_being_deleted_keeps_its_status(self) -> None:
        p = pod(phase="Succeeded", containers=[terminated(reason="Completed")], deleting=True)
        assert pod_status(p) == "Completed"

    def test_node_lost_and_deleted_is_unknown(self) -> None:
        p = pod(phase="Running", reason="NodeLost", containers=[running()], deleting=True)
        assert pod_status(p) == "Unknown"


class TestRestarts:
    def test_sum_over_containers(self) -> None:
        p = pod(containers=[running(name="a", restarts=2), waiting("CrashLoopBackOff", name="b", restarts=5)])
        assert pod_restarts(p) == 7

    def test_no_statuses(self) -> None:
        assert pod_restarts(pod(phase="Pending")) == 0
