"""ControllerRevisions of StatefulSets and DaemonSets: created, reused and trimmed as the real controllers do.

In-process: the controllers are stepped by hand on a simulator that is never started (no server, no clock).
"""

from __future__ import annotations

from typing import Any

import pytest

from kubesim import KubeSim
from kubesim.defaults import default_object
from kubesim.resources import BY_KEY
from kubesim.workloads import CR_KEY, DS_HASH_LABEL, STS_HASH_LABEL

NS = "revs"
KINDS = {"statefulsets.apps": ("StatefulSet", STS_HASH_LABEL), "daemonsets.apps": ("DaemonSet", DS_HASH_LABEL)}


@pytest.fixture
def sim() -> KubeSim:
    return KubeSim(fleet="empty", seed=7)


def make(sim: KubeSim, key: str, name: str = "web", limit: int | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {"metadata": {"name": name, "namespace": NS, "annotations": {"team": "a"}},
                           "spec": {"selector": {"matchLabels": {"app": name}},
                                    "template": {"metadata": {"labels": {"app": name}},
                                                 "spec": {"containers": [{"name": "c", "image": "img:1"}]}}}}
    if limit is not None:
        obj["spec"]["revisionHistoryLimit"] = limit
    default_object(BY_KEY[key], obj)
    return sim.store.create(key, obj)


def set_image(sim: KubeSim, key: str, image: str, name: str = "web") -> None:
    def edit(o: dict[str, Any]) -> dict[str, Any]:
        o["spec"]["template"]["spec"]["containers"][0]["image"] = image
        return o
    sim.store.mutate(key, NS, name, edit)


def revisions(sim: KubeSim, name: str = "web") -> list[dict[str, Any]]:
    owned = [r for r in sim.store.list(CR_KEY, NS) if r["metadata"]["ownerReferences"][0]["name"] == name]
    return sorted(owned, key=lambda r: r["revision"])


def image_of(cr: dict[str, Any]) -> str:
    return cr["data"]["spec"]["template"]["spec"]["containers"][0]["image"]


@pytest.mark.parametrize("key", list(KINDS))
def test_first_revision_has_the_real_shape(sim: KubeSim, key: str) -> None:
    owner = make(sim, key)
    sim.controllers.step()
    [cr] = revisions(sim)
    kind, label = KINDS[key]
    md = cr["metadata"]
    assert (cr["apiVersion"], cr["kind"], cr["revision"]) == ("apps/v1", "ControllerRevision", 1)
    assert md["name"] == f"web-{md['labels'][label]}" and md["labels"]["app"] == "web"
    assert md["annotations"] == {"team": "a"}
    ref = md["ownerReferences"][0]
    assert (ref["kind"], ref["uid"], ref["controller"]) == (kind, owner["metadata"]["uid"], True)
    template = cr["data"]["spec"]["template"]
    assert template.pop("$patch") == "replace" and template == owner["spec"]["template"]
    sim.controllers.step()
    assert len(revisions(sim)) == 1  # a steady template makes no new revision


@pytest.mark.parametrize("key", list(KINDS))
def test_new_template_new_revision_and_old_template_reuses_its_revision(sim: KubeSim, key: str) -> None:
    make(sim, key)
    sim.controllers.step()
    set_image(sim, key, "img:2")
    sim.controllers.step()
    assert [(r["revision"], image_of(r)) for r in revisions(sim)] == [(1, "img:1"), (2, "img:2")]
    first_name = revisions(sim)[0]["metadata"]["name"]
    set_image(sim, key, "img:1")  # a rollback: the old revision is bumped to 3, nothing new is made
    sim.controllers.step()
    assert [(r["revision"], image_of(r)) for r in revisions(sim)] == [(2, "img:2"), (3, "img:1")]
    assert revisions(sim)[-1]["metadata"]["name"] == first_name


def test_statefulset_status_names_its_revisions(sim: KubeSim) -> None:
    make(sim, "statefulsets.apps")
    sim.controllers.step()
    set_image(sim, "statefulsets.apps", "img:2")
    sim.controllers.step()
    newest = revisions(sim)[-1]["metadata"]["name"]
    status = sim.store.get("statefulsets.apps", NS, "web")["status"]
    assert status["updateRevision"] == newest
    assert status["currentRevision"] in {r["metadata"]["name"] for r in revisions(sim)}


@pytest.mark.parametrize("key", list(KINDS))
def test_history_is_trimmed_to_the_limit(sim: KubeSim, key: str) -> None:
    make(sim, key, limit=2)
    for i in range(1, 6):
        set_image(sim, key, f"img:{i}")
        sim.controllers.step()
    kept = [(r["revision"], image_of(r)) for r in revisions(sim)]
    # the limit counts revisions nothing runs: the StatefulSet's pod web-0 (never ready here, so never
    # replaced) still runs revision 1, its currentRevision, which is kept; the DaemonSet has no node, no pod
    live = [(1, "img:1")] if key == "statefulsets.apps" else []
    assert kept == [*live, (3, "img:3"), (4, "img:4"), (5, "img:5")]


def test_revisions_are_deleted_with_their_owner(sim: KubeSim) -> None:
    make(sim, "daemonsets.apps")
    sim.controllers.step()
    assert revisions(sim)
    sim.cluster.delete(BY_KEY["daemonsets.apps"], NS, "web")
    for _ in range(3):
        sim.controllers.step()
    assert revisions(sim) == []
