"""What the libtorrent test scripts share: a loopback-only session with no peer source but the tracker, adding a
torrent, and comparing files. Import it after libtorrent itself has been imported (the scripts exit with code 3 when
the bindings are missing, before they get here)."""

import ipaddress
import os
import urllib.parse

import libtorrent as lt


class Failure(Exception):
    pass


def listen_interface(announce_url):
    """The loopback address (port 0) of the tracker URL's address family."""
    host = urllib.parse.urlsplit(announce_url).hostname
    try:
        address = ipaddress.ip_address(host)
    except ValueError as error:
        raise Failure(f"the tracker host must be a literal loopback address, not {host!r}") from error
    if not address.is_loopback:
        raise Failure(f"the tracker host must be a loopback address, not {host}")
    return "[::1]:0" if address.version == 6 else "127.0.0.1:0"


def make_session(name, interface, alerts):
    """A session listening on `interface` only, with DHT, LSD, UPnP and NAT-PMP off and several connections per IP
    allowed, so two clients on loopback meet only through the tracker."""
    settings = {
        "listen_interfaces": interface,
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "allow_multiple_connections_per_ip": True,
        "user_agent": f"feditracker-e2e-{name}",
        "alert_mask": int(alerts),
        "alert_queue_size": 100000,
    }
    # flags=0: neither the default plugins (ut_pex, ut_metadata, smart_ban) nor the old constructor's default
    # features (DHT, LSD, UPnP, NAT-PMP).
    return lt.session(settings, flags=0)


def add(session, info, save_path):
    """Adds the torrent started (not auto-managed, not paused)."""
    params = lt.add_torrent_params()
    params.ti = info
    params.save_path = save_path
    params.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
    return session.add_torrent(params)


def same_bytes(a, b):
    if os.path.getsize(a) != os.path.getsize(b):
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x = fa.read(1 << 20)
            if x != fb.read(1 << 20):
                return False
            if not x:
                return True
