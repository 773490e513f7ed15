"""Whether an IP address is one anyone on the internet could reach: not loopback, private,
link-local (cloud metadata at 169.254.169.254), unique-local, multicast, reserved or
unspecified, nor one of those carried inside an IPv6 address."""

from __future__ import annotations

import ipaddress

# NAT64 (RFC 6052): the last 32 bits are the IPv4 address the gateway connects to.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_public(address: str) -> bool:
    """False for anything that is not a public unicast address, and for text that is not an
    IP address at all. A scope (`fe80::1%eth0`) is ignored."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv4-mapped, 6to4 and NAT64 addresses reach the IPv4 address they carry.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(str(embedded))
        if ip.is_site_local:
            return False
    # `is_global` alone lets multicast through (224.0.0.0/4 and ff0e::/16 count as global).
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_unspecified
    )
