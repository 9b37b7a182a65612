"""The gateway's second line of defence: no request with an empty, `.` or `..` path segment leaves it."""
from __future__ import annotations

from typing import Any

import pytest

from common.errors import InvalidRequest
from kube import gateway
from kube.paths import check_url_path


@pytest.mark.parametrize("url", [
    "https://k8s/api/v1/namespaces/shop/pods/..",
    "https://k8s/api/v1/namespaces/shop/deployments/.",
    "https://k8s/api/v1/namespaces/%2E%2E/pods",
    "https://k8s/api/v1/namespaces/shop/pods/%2e",
    "https://k8s/api/v1/namespaces//pods",
    "https://k8s/api/v1/namespaces/shop/pods/a%2Fb",
])
def test_dot_empty_and_slash_segments_are_refused(url: str) -> None:
    with pytest.raises(InvalidRequest):
        check_url_path(url)


@pytest.mark.parametrize("url", [
    "https://k8s/version/",                         # the generated VersionApi's own path
    "https://k8s/api/v1/namespaces/shop/pods/web.v2-0?watch=true",
    "https://k8s/apis/apps/v1/deployments",
])
def test_ordinary_paths_pass(url: str) -> None:
    check_url_path(url)


@pytest.mark.django_db
def test_a_dot_name_never_reaches_the_cluster(sim_cluster: Any) -> None:
    """Without the guard, the client would send `…/pods/..` as `…/namespaces/default` and answer with the Namespace."""
    with pytest.raises(InvalidRequest):
        gateway.core_v1(sim_cluster).read_namespaced_pod("..", "default", _preload_content=False)
    with pytest.raises(InvalidRequest):
        gateway.apps_v1(sim_cluster).delete_collection_namespaced_deployment(".")
