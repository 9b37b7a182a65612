"""`Client.search`: the query it sends and the page it returns, fed with a real answer of the API.

The server's answer comes from the in-process API (one real search with a dead cluster), replayed by the
scripted stub server, so this stays fast and still exercises the SDK's HTTP path and parsing.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from common.permissions import Role
from kubepolaris.client import Client
from kubepolaris.sdk.search import SearchPage
from tests.conftest import register_sim
from tests.sdk.stub import StubServer, ok
from tests.search.conftest import register_at


@pytest.fixture
def stub() -> Iterator[StubServer]:
    server = StubServer()
    yield server
    server.stop()


@pytest.mark.django_db
def test_search_sends_the_query_and_returns_a_page_with_errors(
        api: Any, kubesim: Any, closed_port: int, stub: StubServer) -> None:
    alive = register_sim(kubesim, "alive")
    register_at(kubesim, "dead", f"https://127.0.0.1:{closed_port}")
    real = api(Role.VIEWER).get("/api/search?q=web&kinds=pod,deployment&namespace=shop&pageSize=2").json()["data"]
    stub.script(ok(real))

    page = Client(stub.url, token="t0k3n").search("web", kinds=["pod", "deployment"], cluster_id=None,
                                                   namespace="shop", page=1, page_size=2)

    method, path, _, _ = stub.requests[0]
    assert method == "GET" and urlsplit(path).path == "/api/search"
    assert parse_qs(urlsplit(path).query) == {"q": ["web"], "kinds": ["pod,deployment"], "namespace": ["shop"],
                                              "page": ["1"], "pageSize": ["2"]}
    assert isinstance(page, SearchPage) and len(page) == 2 and page.total == real["total"] > 2 and page.has_next
    assert page[0]["clusterId"] == alive.pk and page[0]["kind"] in {"Pod", "Deployment"}
    assert [e["clusterName"] for e in page.errors] == ["dead"]


def test_kinds_as_a_string_and_cluster_id_pass_through(stub: StubServer) -> None:
    stub.script(ok({"items": [], "total": 0, "page": 1, "pageSize": 20, "errors": []}))
    page = Client(stub.url, token="t0k3n").search("app=web", kinds="node", cluster_id=7)
    query = parse_qs(urlsplit(stub.requests[0][1]).query)
    assert query["q"] == ["app=web"] and query["kinds"] == ["node"] and query["clusterId"] == ["7"]
    assert list(page) == [] and page.errors == [] and not page.has_next
