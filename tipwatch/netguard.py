"""Which addresses tipwatch may connect to: public ones, plus an explicit allow-list.

Feeds and article links come from the open web, so a hostile or mistaken link
could point the fetcher at the machine itself (127.0.0.1), the private network
(10.0.0.0/8...) or a cloud metadata service (169.254.169.254). Every hop is
therefore checked against an `AddressPolicy` before any connection is made.

A host is refused if ANY of its resolved addresses is not public: a name that
resolves to one public and one private address could otherwise be steered to
the private one by the resolver's ordering. Addresses that merely wrap an IPv4
address (IPv4-mapped `::ffff:a.b.c.d`, 6to4 `2002::/16`, NAT64 `64:ff9b::/96`,
Teredo) are judged by the IPv4 address they carry.

`AddressPolicy` is pure (no DNS, no sockets), so it is tested on its own.
`GuardedTransport` applies it where connections are made: the httpx transport
the fetcher uses connects only to addresses the policy approved, and bounds
every socket operation by the request's deadline (see `tipwatch.fetching`).
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpcore
import httpx

from tipwatch.errors import ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class AddressRefused(Exception):
    """A host or one of its addresses may not be fetched; the message names the address."""

    def __init__(self, host: str, address: str, reason: str) -> None:
        super().__init__(f"{host} resolves to {address} ({reason}), which is not a public address")
        self.host = host
        self.address = address
        self.reason = reason


def parse_address(text: str) -> IPAddress | None:
    """`text` as an IP address (brackets and IPv6 zone tolerated), or None if it is a name."""
    candidate = text.strip()
    if candidate.startswith("[") and candidate.endswith("]"):
        candidate = candidate[1:-1]
    try:
        return ipaddress.ip_address(candidate)
    except ValueError:
        return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 transition address stands for, if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def non_public_reason(address: IPAddress) -> str | None:
    """Why `address` is not a public unicast address, or None if it is one.

    `is_global` alone would miss multicast (global multicast scopes exist) and
    the wrapped-IPv4 forms, hence the explicit list before it.
    """
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            reason = non_public_reason(inner)
            return f"wraps {inner}, {reason}" if reason else None
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("not globally routable", not address.is_global),
    )
    for reason, hit in checks:
        if hit:
            return reason
    return None


def _normal_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


@dataclass(frozen=True)
class AddressPolicy:
    """Public addresses only, except hosts and networks the operator listed.

    `hosts` entries match a host name exactly; an entry starting with a dot
    (".corp.example") also matches every subdomain.
    """

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_setting(cls, value: str) -> AddressPolicy:
        """Parse `TIPWATCH_ALLOW_PRIVATE_NETWORKS`: comma-separated host names, IPs or CIDRs.

        Raises `ConfigError` for an entry that looks like a network but is not
        one ("10.0.0.0/33"), rather than silently treating it as a host name.
        """
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for raw in value.split(","):
            token = raw.strip()
            if not token:
                continue
            address = parse_address(token)
            if address is not None:
                networks.append(ipaddress.ip_network(address))
                continue
            if "/" in token or ":" in token:
                try:
                    networks.append(ipaddress.ip_network(token, strict=False))
                except ValueError:
                    raise ConfigError(
                        f"TIPWATCH_ALLOW_PRIVATE_NETWORKS: {token!r} is neither a host name "
                        "nor an IP network"
                    ) from None
                continue
            hosts.add(("." if token.startswith(".") else "") + _normal_host(token.lstrip(".")))
        return cls(hosts=frozenset(hosts), networks=tuple(networks))

    def host_allowed(self, host: str) -> bool:
        """Whether the operator listed this host (or a parent domain with a leading dot)."""
        name = _normal_host(host)
        if name in self.hosts:
            return True
        return any(entry.startswith(".") and (name == entry[1:] or name.endswith(entry))
                   for entry in self.hosts)

    def address_allowed(self, address: IPAddress) -> bool:
        """Whether `address` lies in a listed network (wrapped IPv4 forms included)."""
        candidates: list[IPAddress] = [address]
        if isinstance(address, ipaddress.IPv6Address):
            if address.scope_id:
                candidates.append(ipaddress.IPv6Address(address.compressed.split("%")[0]))
            inner = _embedded_ipv4(address)
            if inner is not None:
                candidates.append(inner)
        return any(c.version == n.version and c in n for c in candidates for n in self.networks)

    def check(self, host: str, addresses: Sequence[str]) -> list[str]:
        """The addresses to connect to, or `AddressRefused` naming the first bad one.

        `host` is the URL's host (a name or a literal IP); `addresses` are what it
        resolved to. A literal IP host stands for itself and `addresses` is then
        ignored, so no resolver can launder it. An unparsable address is
        refused: the connection must go to something this policy has judged.
        """
        host_ok = self.host_allowed(host)
        literal = parse_address(host)
        to_check = [str(literal)] if literal is not None else list(addresses)
        if not to_check:
            raise AddressRefused(host, "nothing", "no address")
        for text in to_check:
            address = parse_address(text)
            if address is None:
                raise AddressRefused(host, text, "not an IP address")
            if host_ok or self.address_allowed(address):
                continue
            reason = non_public_reason(address)
            if reason is not None:
                raise AddressRefused(host, str(address), reason)
        return to_check


# --- enforcement at connect time (the only part here that touches sockets) ---

Resolver = Callable[[str, int], list[str]]


def system_resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, in resolver order, without duplicates."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class ConnectContext(Protocol):
    """What the fetcher tells the socket layer about the request in flight on this thread."""

    def pinned(self, host: str) -> list[str] | None:
        """The addresses the pre-check approved for `host`, if this hop has them."""

    def time_left(self) -> float | None:
        """Seconds left before the request deadline, or None without a deadline."""


def _cap(context: ConnectContext, timeout: float | None, exc: type[Exception]) -> float | None:
    """`timeout` shortened to the request's remaining time (raising `exc` if none is left)."""
    left = context.time_left()
    if left is None:
        return timeout
    if left <= 0:
        raise exc("request deadline reached")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read, write and handshake ends by the request deadline.

    httpx's timeouts bound each socket operation; this bounds their sum, so a
    server dripping headers or body one byte at a time is cut off on time.
    """

    def __init__(self, inner: httpcore.NetworkStream, context: ConnectContext) -> None:
        self._inner = inner
        self._context = context

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _cap(self._context, timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _cap(self._context, timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(
            ssl_context, server_hostname, _cap(self._context, timeout, httpcore.ConnectTimeout)),
            self._context)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Connects only to addresses the policy approves: the hop's pinned ones when given.

    Connecting to the checked addresses (not re-resolving the name) closes the
    DNS-rebinding gap between check and connect; TLS still verifies the
    certificate against the host name, which httpcore passes separately.
    """

    def __init__(self, policy: AddressPolicy, resolve: Resolver, context: ConnectContext) -> None:
        self._inner = httpcore.SyncBackend()
        self._policy = policy
        self._resolve = resolve
        self._context = context

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        try:
            found = self._context.pinned(host) or self._resolve(host, port)
        except (OSError, UnicodeError, ValueError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        last: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in self._policy.check(host, found):
            try:
                stream = self._inner.connect_tcp(
                    address, port, _cap(self._context, timeout, httpcore.ConnectTimeout),
                    local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            return _DeadlineStream(stream, self._context)
        raise last

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are never fetched")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport over `GuardedBackend`, without proxies from the environment.

    httpx 0.28 has no public way to choose the network backend, so this
    replaces `HTTPTransport._pool`; `tests/test_fetching.py` exercises the
    connect-time check, so an httpx upgrade that breaks it fails loudly.
    """

    def __init__(self, policy: AddressPolicy, resolve: Resolver, context: ConnectContext,
                 limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool.close()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(policy, resolve, context),
        )
