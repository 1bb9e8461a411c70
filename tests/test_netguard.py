"""The address policy on its own: which hosts and addresses tipwatch may connect to."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest
from hostile_server import HostileServer

from tipwatch.errors import ConfigError
from tipwatch.netguard import (
    AddressPolicy,
    AddressRefused,
    GuardedTransport,
    non_public_reason,
    parse_address,
)

DENY_ALL = AddressPolicy.from_setting("")


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
    "0.0.0.0", "255.255.255.255", "224.0.0.1", "239.255.255.250", "240.0.0.1", "100.64.0.1",
    "192.0.2.1", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "ff0e::1",
    "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "2002:7f00:1::1",
    "2002:a9fe:a9fe::1", "64:ff9b::a9fe:a9fe", "2001:db8::1", "fe80::1%eth0",
])
def test_internal_addresses_are_refused(address: str) -> None:
    with pytest.raises(AddressRefused) as info:
        DENY_ALL.check("example.org", [address])
    assert address.split("%")[0].lower() in str(info.value) or info.value.address in str(info.value)
    assert "example.org" in str(info.value)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:2800:220:1::1",
                                     "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert DENY_ALL.check("example.org", [address]) == [address]
    assert non_public_reason(parse_address(address) or pytest.fail("unparsed")) is None


def test_one_bad_address_refuses_the_host() -> None:
    with pytest.raises(AddressRefused, match="10.0.0.7"):
        DENY_ALL.check("mixed.example", ["93.184.216.34", "10.0.0.7"])


def test_literal_ip_host_is_judged_by_itself_not_by_resolution() -> None:
    """A resolver cannot launder a literal internal IP into a public one."""
    with pytest.raises(AddressRefused, match="169.254.169.254"):
        DENY_ALL.check("169.254.169.254", ["93.184.216.34"])
    with pytest.raises(AddressRefused, match="::1"):
        DENY_ALL.check("[::1]", [])
    assert DENY_ALL.check("8.8.8.8", []) == ["8.8.8.8"]


def test_no_address_or_garbage_is_refused() -> None:
    with pytest.raises(AddressRefused):
        DENY_ALL.check("nowhere.example", [])
    with pytest.raises(AddressRefused, match="not an IP"):
        DENY_ALL.check("odd.example", ["not-an-ip"])


def test_allow_list_by_network_ip_and_host() -> None:
    policy = AddressPolicy.from_setting(" 10.0.0.0/8, 127.0.0.1 ,localhost,.corp.example,, ")
    assert policy.check("intranet", ["10.9.8.7"]) == ["10.9.8.7"]
    assert policy.check("127.0.0.1", []) == ["127.0.0.1"]
    assert policy.check("LOCALHOST.", ["::1", "127.0.0.1"]) == ["::1", "127.0.0.1"]
    assert policy.check("wiki.corp.example", ["192.168.1.1"]) == ["192.168.1.1"]
    assert policy.check("corp.example", ["192.168.1.1"]) == ["192.168.1.1"]
    assert policy.check("box", ["::ffff:10.1.1.1"]) == ["::ffff:10.1.1.1"]
    with pytest.raises(AddressRefused, match="127.0.0.2"):
        policy.check("other", ["127.0.0.2"])
    with pytest.raises(AddressRefused):
        policy.check("notcorp.example", ["192.168.1.1"])


def test_allow_list_ipv6_networks() -> None:
    policy = AddressPolicy.from_setting("::1,fd00::/8")
    assert policy.check("[::1]", []) == ["::1"]
    assert policy.check("v6.lan", ["fd12::5"]) == ["fd12::5"]


@pytest.mark.parametrize("bad", ["10.0.0.0/33", "300.1.2.3/8", "fe80::zz/64"])
def test_malformed_networks_are_config_errors(bad: str) -> None:
    with pytest.raises(ConfigError, match="TIPWATCH_ALLOW_PRIVATE_NETWORKS"):
        AddressPolicy.from_setting(bad)


def test_empty_setting_allows_nothing_private() -> None:
    assert AddressPolicy.from_setting("") == AddressPolicy()


class _NoPin:
    def pinned(self, host: str) -> list[str] | None:
        return None

    def time_left(self) -> float | None:
        return None


def test_transport_checks_again_at_connect_time() -> None:
    """Whatever resolves at connect time is judged too (DNS rebinding), before any socket."""
    calls: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"]

    with HostileServer() as server:
        transport = GuardedTransport(DENY_ALL, rebinding, _NoPin(), httpx.Limits())
        with httpx.Client(transport=transport) as client, pytest.raises(AddressRefused):
            client.get(f"http://rebind.test:{server.port}/page")
        assert calls == ["rebind.test"]
        assert server.requests == []


def test_transport_connects_to_the_approved_address() -> None:
    allowed = AddressPolicy.from_setting("127.0.0.1")

    def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    with HostileServer() as server:
        transport = GuardedTransport(allowed, resolve, _NoPin(), httpx.Limits())
        with httpx.Client(transport=transport) as client:
            response = client.get(f"http://any-name.test:{server.port}/echo-headers")
        assert response.status_code == 200
        assert response.json()["host"] == f"any-name.test:{server.port}"


def test_transport_resolution_failure_is_a_connect_error() -> None:
    def broken(host: str, port: int) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    transport = GuardedTransport(DENY_ALL, broken, _NoPin(), httpx.Limits())
    with httpx.Client(transport=transport) as client, pytest.raises(httpx.ConnectError):
        client.get("http://missing.test/")
