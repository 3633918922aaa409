"""Addresses a person typed: https and public addresses only, checked after resolution
(cms.core.outbound). The resolver is the test's: no name is looked up outside."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from cms.core.outbound import BlockedAddress, Policy, UnsafeAddress, check_url, is_public, session

PRODUCTION = Policy()
LOOPBACK = Policy(allow_http=True, allow_loopback=True)


def resolver(*addresses: str):
    def resolve(host, port, type=socket.SOCK_STREAM):
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, type, 6, "", (a, port))
            for a in addresses
        ]

    return resolve


def unresolvable(host, port, type=socket.SOCK_STREAM):
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.10",
        "169.254.169.254",  # cloud metadata (link-local)
        "100.64.0.1",  # shared address space
        "0.0.0.0",
        "224.0.0.1",  # multicast
        "240.0.0.1",  # reserved
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:169.254.169.254",  # IPv4-mapped
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    ],
)
def test_internal_addresses_are_refused_after_resolution(address):
    with pytest.raises(UnsafeAddress, match="adresse privée ou interne") as refused:
        check_url("https://social.example", policy=PRODUCTION, resolve=resolver(address))
    assert "social.example" in str(refused.value) and "Donnez l'adresse publique" in str(
        refused.value
    )


def test_every_resolved_address_must_be_public():
    public = resolver("93.184.215.14", "2606:2800:21f:cb07::1")
    assert check_url("https://social.example/", policy=PRODUCTION, resolve=public)
    mixed = resolver("93.184.215.14", "169.254.169.254")
    with pytest.raises(UnsafeAddress, match=r"169\.254\.169\.254"):
        check_url("https://social.example/", policy=PRODUCTION, resolve=mixed)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://social.example", "n'est pas une adresse https"),
        ("ftp://social.example", "n'est pas une adresse https"),
        ("https://", "n'est pas une adresse de serveur"),
        ("https://user:secret@social.example", "n'est pas une adresse de serveur"),
        ("https://[::1", "n'est pas une adresse de serveur"),
    ],
)
def test_other_schemes_and_odd_addresses_are_refused_with_what_to_type(url, message):
    with pytest.raises(UnsafeAddress, match=message) as refused:
        check_url(url, policy=PRODUCTION, resolve=resolver("93.184.215.14"))
    assert "par exemple" in str(refused.value) or "https://" in str(refused.value)


def test_unknown_host_says_to_check_the_address():
    with pytest.raises(UnsafeAddress, match="introuvable : vérifiez son adresse"):
        check_url("https://nulle-part.example", policy=PRODUCTION, resolve=unresolvable)


def test_the_development_setting_allows_http_and_loopback_only_when_told(settings):
    local = resolver("127.0.0.1")
    assert check_url("http://127.0.0.1:8730", policy=LOOPBACK, resolve=local)
    with pytest.raises(UnsafeAddress):
        check_url("http://169.254.169.254", policy=LOOPBACK, resolve=resolver("169.254.169.254"))
    settings.RELAIS_ALLOW_PRIVATE_NETWORKS = ""
    with pytest.raises(UnsafeAddress):
        check_url("http://127.0.0.1:8730", resolve=local)
    settings.RELAIS_ALLOW_PRIVATE_NETWORKS = "loopback"
    assert check_url("http://127.0.0.1:8730", resolve=local)
    settings.RELAIS_ALLOW_PRIVATE_NETWORKS = "1"
    assert check_url("http://10.0.0.5", resolve=resolver("10.0.0.5"))


def test_public_addresses():
    assert is_public(ipaddress.ip_address("93.184.215.14"))
    assert is_public(ipaddress.ip_address("2606:2800:21f:cb07::1"))
    assert not is_public(ipaddress.ip_address("::ffff:127.0.0.1"))


def test_the_connection_goes_only_to_an_address_the_same_rule_allows(monkeypatch):
    """The session resolves the host once and pins the connection to the answer; that answer
    is judged by the rule of check_url (``requests-hardened``'s own filter lets the reserved
    IPv4-compatible form ``::7f00:1`` through)."""
    attempts: list = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "rebound.example":
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::7f00:1", port, 0, 0))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    def connect(sock, address):
        attempts.append(address)
        raise ConnectionRefusedError("test: no connection from here")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    with pytest.raises(BlockedAddress, match="not a public address") as blocked:
        session(PRODUCTION).get("https://rebound.example/api", timeout=2)
    assert blocked.value.host == "rebound.example" and blocked.value.ip == "::7f00:1"
    assert attempts == []


def test_a_refused_address_is_never_repeated_with_its_password():
    with pytest.raises(UnsafeAddress) as refused:
        check_url("https://moi:hunter2@social.example", policy=PRODUCTION, resolve=resolver())
    assert "hunter2" not in str(refused.value) and "moi" not in str(refused.value)
    assert "https://***@social.example" in str(refused.value)
    with pytest.raises(UnsafeAddress) as refused:
        check_url("http://moi:hunter2@social.example/", policy=PRODUCTION, resolve=resolver())
    assert "hunter2" not in str(refused.value)
