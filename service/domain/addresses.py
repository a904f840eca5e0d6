"""Which network addresses a webhook may be sent to: the rule against SSRF, in pure Python.

A subscriber names the URL, and the service sends to it from inside its network, so
a URL must never make the service reach its own hosts. Outside development mode only
public unicast addresses are allowed: never a private, loopback, link-local,
multicast, reserved, unspecified, shared (carrier-grade NAT) or other special-purpose
address (``is_global`` false, plus the ranges in ``SPECIAL``), nor an IPv6 address that
embeds a refused IPv4 one (mapped, 6to4, NAT64, Teredo). Plain HTTP is for
loopback receivers in development mode only.
"""

from __future__ import annotations

import ipaddress

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


# NAT64 prefixes (RFC 6052 well-known, RFC 8215 local use): the last 32 bits are the IPv4 address.
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
# Special-purpose ranges that are never a webhook receiver, named here because Python's
# ``is_private``/``is_global`` tables differ between versions (3.11 counts 192.0.0.8 global).
SPECIAL = (
    (ipaddress.ip_network("100.64.0.0/10"), "a shared (carrier-grade NAT) address"),
    (ipaddress.ip_network("192.0.0.0/24"), "an IETF protocol assignment (192.0.0.0/24)"),
    (ipaddress.ip_network("198.18.0.0/15"), "a benchmarking address (198.18.0.0/15)"),
    (ipaddress.ip_network("fc00::/7"), "a unique local (private) IPv6 address"),
)


def embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64, Teredo's client), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if any(address in prefix for prefix in NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def refusal(address: Address) -> str | None:
    """Why a webhook may not be sent to ``address`` outside development mode; None when it may."""
    inner = embedded_ipv4(address)
    if inner is not None:
        reason = refusal(inner)
        return f"an address embedding {inner}, which is {reason}" if reason else None
    checks = (
        # The narrower kinds first: Python counts most of them as private too.
        ("is_unspecified", "the unspecified address"),
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_site_local", "a site-local address"),
        ("is_reserved", "a reserved address"),
        ("is_private", "a private address"),
    )
    for network, reason in SPECIAL:
        if address.version == network.version and address in network:
            return reason
    for attribute, reason in checks:
        if getattr(address, attribute, False):
            return reason
    if not address.is_global:
        return "not a public address"
    return None


def parse_ip(host: str) -> Address | None:
    """``host`` as an IP address when it is a literal (brackets of IPv6 URLs removed); else None."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
