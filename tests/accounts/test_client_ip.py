"""common.client_ip: X-Forwarded-For is believed only as far as TRUSTED_PROXY_COUNT proxies stand in front."""
from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from common.client_ip import client_ip


def request_from(remote: str, forwarded: str | None = None):  # noqa: ANN201
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/api/auth/login", **headers)


def test_by_default_the_header_is_ignored() -> None:
    assert client_ip(request_from("192.0.2.7", "203.0.113.9")) == "192.0.2.7"
    assert client_ip(request_from("192.0.2.7")) == "192.0.2.7"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_one_proxy_takes_the_rightmost_address() -> None:
    # The client forged the first two entries; our proxy appended the address it saw (198.51.100.4).
    assert client_ip(request_from("10.0.0.2", "1.1.1.1, 2.2.2.2, 198.51.100.4")) == "198.51.100.4"
    assert client_ip(request_from("10.0.0.2", "198.51.100.4")) == "198.51.100.4"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_two_proxies_take_the_second_from_the_right() -> None:
    assert client_ip(request_from("10.0.0.2", "1.1.1.1, 198.51.100.4, 10.0.0.1")) == "198.51.100.4"
    # Fewer entries than proxies: the leftmost, which a proxy of ours still wrote.
    assert client_ip(request_from("10.0.0.2", "198.51.100.4")) == "198.51.100.4"


@override_settings(TRUSTED_PROXY_COUNT=1)
@pytest.mark.parametrize(("forwarded", "expected"), [
    ("", "10.0.0.2"),                              # no header: the socket's address
    ("1.1.1.1, not-an-address", "10.0.0.2"),       # garbage where the client should be
    ("1.1.1.1, 198.51.100.4:5123", "198.51.100.4"),  # a proxy that appends the port
    ("1.1.1.1, [2001:db8::1]:443", "2001:db8::1"),
    ("1.1.1.1,2001:DB8:0::1", "2001:db8::1"),      # canonical form, so one address is one counter
])
def test_odd_header_values(forwarded: str, expected: str) -> None:
    assert client_ip(request_from("10.0.0.2", forwarded)) == expected


def test_the_argument_overrides_the_setting() -> None:
    assert client_ip(request_from("10.0.0.2", "1.1.1.1, 198.51.100.4"), trusted_proxies=1) == "198.51.100.4"
