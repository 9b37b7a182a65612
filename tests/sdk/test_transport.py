"""The SDK's transport against a scripted server: retries, back-off, timeouts, error decoding, paging."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from kubepolaris.client import (
    AuthenticationError,
    BadRequestError,
    Client,
    ConflictError,
    KubePolarisError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from scripts.liveserver import free_port
from tests.sdk.stub import StubServer, err, ok, slow


@pytest.fixture
def stub() -> Iterator[StubServer]:
    server = StubServer()
    yield server
    server.stop()


def client_for(stub: StubServer, **options: object) -> Client:
    options.setdefault("backoff_factor", 0.01)
    return Client(stub.url, token="t0k3n", **options)  # type: ignore[arg-type]


def test_token_is_sent_as_bearer_and_base_url_may_end_in_api(stub: StubServer) -> None:
    stub.script(ok({"id": 1}))
    client = Client(stub.url + "/api/", token="abc")
    assert client.auth.me() == {"id": 1}
    method, path, headers, _ = stub.requests[0]
    assert (method, path, headers["Authorization"]) == ("GET", "/api/auth/me", "Bearer abc")


def test_429_is_retried_after_retry_after_even_for_a_post(stub: StubServer) -> None:
    stub.script(err(429, "slow down", headers={"Retry-After": "0"}), ok({"id": 7}, code=201))
    assert client_for(stub).users.create("u", "p")["id"] == 7
    assert [r[0] for r in stub.requests] == ["POST", "POST"]


def test_retry_after_is_honoured(stub: StubServer) -> None:
    stub.script(err(503, headers={"Retry-After": "1"}), ok([]))
    started = time.monotonic()
    client_for(stub).pods(1).events("default", "web")
    assert time.monotonic() - started >= 0.95
    assert len(stub.requests) == 2


def test_503_on_a_get_is_retried_then_raised(stub: StubServer) -> None:
    stub.script(*[err(503, "unavailable")] * 3)
    with pytest.raises(ServerError) as caught:
        client_for(stub, retries=2).clusters.get(1)
    assert (caught.value.code, caught.value.message) == (503, "unavailable")
    assert len(stub.requests) == 3


def test_502_on_a_non_idempotent_post_is_not_retried(stub: StubServer) -> None:
    stub.script(err(502, "cluster x unreachable"), ok())
    with pytest.raises(ServerError):
        client_for(stub).deployments(1, "default").restart("nginx")
    assert len(stub.requests) == 1


def test_502_on_an_idempotent_post_is_retried(stub: StubServer) -> None:
    stub.script(err(502), ok({"replicas": 2}))
    assert client_for(stub).deployments(1, "default").scale("nginx", 2) == {"replicas": 2}
    assert json.loads(stub.requests[1][3]) == {"replicas": 2}


def test_a_retry_after_longer_than_the_limit_is_raised_at_once(stub: StubServer) -> None:
    stub.script(err(429, "throttled", headers={"Retry-After": "120"}))
    with pytest.raises(RateLimitedError) as caught:
        client_for(stub, max_retry_wait=5).auth.me()
    assert caught.value.retry_after == 120 and len(stub.requests) == 1


@pytest.mark.parametrize(("code", "exc"), [(400, BadRequestError), (401, AuthenticationError),
                                           (403, PermissionDeniedError), (404, NotFoundError),
                                           (409, ConflictError), (500, ServerError), (504, ServerError),
                                           (418, KubePolarisError)])
def test_each_error_envelope_raises_its_class(stub: StubServer, code: int, exc: type) -> None:
    stub.script(err(code, f"said {code}", {"errors": {"name": ["taken"]}} if code == 400 else None))
    with pytest.raises(exc) as caught:
        client_for(stub, retries=0).users.get(1)
    assert isinstance(caught.value, KubePolarisError)
    assert (caught.value.code, caught.value.message) == (code, f"said {code}")
    if code == 400:
        assert caught.value.errors == {"name": ["taken"]}


def test_a_non_envelope_error_page_still_raises_by_status(stub: StubServer) -> None:
    stub.script((502, b"<html>Bad Gateway</html>", {"Content-Type": "text/html"}))
    with pytest.raises(ServerError) as caught:
        client_for(stub, retries=0).clusters.list()
    assert caught.value.code == 502 and "Bad Gateway" in caught.value.message


def test_read_timeout_raises_transport_error(stub: StubServer) -> None:
    stub.script(slow(2, ok()))
    with pytest.raises(TransportError) as caught:
        client_for(stub, timeout=0.3, retries=0).auth.me()
    assert caught.value.code == 0


def test_connection_refused_is_retried_then_raises_transport_error() -> None:
    client = Client(f"http://127.0.0.1:{free_port()}", token="x", retries=1, backoff_factor=0.01)
    with pytest.raises(TransportError):
        client.users.create("u", "p")


def test_iter_all_walks_every_page(stub: StubServer) -> None:
    def page(n: int, items: list[int]) -> tuple[int, dict, dict]:
        return ok({"items": items, "total": 5, "page": n, "pageSize": 2})

    stub.script(page(1, [1, 2]), page(2, [3, 4]), page(3, [5]))
    assert list(client_for(stub).pods(3).iter_all(namespace="default", page_size=2)) == [1, 2, 3, 4, 5]
    assert [r[1] for r in stub.requests] == [f"/api/clusters/3/pods?namespace=default&page={n}&pageSize=2"
                                            for n in (1, 2, 3)]


def test_page_is_a_list_with_its_counts(stub: StubServer) -> None:
    stub.script(ok({"items": [{"name": "a"}], "total": 41, "page": 3, "pageSize": 20}))
    page = client_for(stub).clusters.list(search="a", page=3)
    assert page == [{"name": "a"}] and page.items == [{"name": "a"}]
    assert (page.total, page.page, page.page_size, page.has_next) == (41, 3, 20, False)


def test_names_are_escaped_into_one_path_segment_and_booleans_spelled_true(stub: StubServer) -> None:
    stub.script(ok(None))
    client_for(stub).pods(1).delete("kube system", "a/b", force=True, grace_period=0)
    assert stub.requests[0][1] == "/api/clusters/1/namespaces/kube%20system/pods/a%2Fb?force=true&gracePeriod=0"


def test_credentials_log_in_lazily_and_refresh_before_expiry(stub: StubServer) -> None:
    soon = (datetime.now(UTC) + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    later = (datetime.now(UTC) + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%SZ")
    stub.script(ok({"token": "first", "expire": soon, "user": {}}), ok({"token": "second", "expire": later}),
                ok({"id": 1}))
    client = Client(stub.url, username="admin", password="pw")
    assert client.token is None and stub.requests == []
    client.transport.login("admin", "pw")
    assert client.token == "first"
    client.auth.me()  # within the last tenth of the token's life: refresh first
    assert [r[1] for r in stub.requests] == ["/api/auth/login", "/api/auth/refresh", "/api/auth/me"]
    assert stub.requests[1][2]["Authorization"] == "Bearer first"
    assert stub.requests[2][2]["Authorization"] == "Bearer second"


def test_a_revoked_token_is_replaced_by_logging_in_again(stub: StubServer) -> None:
    later = (datetime.now(UTC) + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%SZ")
    stub.script(ok({"token": "one", "expire": later, "user": {}}), err(401, "revoked"),
                ok({"token": "two", "expire": later, "user": {}}), ok({"id": 1}))
    client = Client(stub.url, username="admin", password="pw")
    assert client.auth.me() == {"id": 1}
    assert [r[1] for r in stub.requests] == ["/api/auth/login", "/api/auth/me", "/api/auth/login", "/api/auth/me"]


def test_a_plain_token_is_never_refreshed_behind_the_callers_back(stub: StubServer) -> None:
    stub.script(err(401, "Token is expired"))
    with pytest.raises(AuthenticationError):
        Client(stub.url, token="given").auth.me()
    assert [r[1] for r in stub.requests] == ["/api/auth/me"]
