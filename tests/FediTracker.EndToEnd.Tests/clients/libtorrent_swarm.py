#!/usr/bin/python3
"""Moves one file from a libtorrent seeder to a libtorrent leecher that can meet only through a tracker.

Run with Debian's /usr/bin/python3 (python3-libtorrent 2.0). The script makes a v1 torrent for FILE whose only
announce URL is the one given, starts a seeder on FILE's directory, waits for the seeder's first tracker reply, then
starts a leecher on an empty directory and waits until the leecher holds every piece, has had the tracker's reply
to its completion, and its copy is byte for byte the original.

With --seeder-announce URL the seeder uses a second .torrent whose only announce URL is that one (the same info
dict, so the same info-hash): seeder and leecher then meet through two trackers that share their swarms, such as two
nodes of a cluster. Both sessions check that libtorrent's tracker list is exactly their own URL.

By default the seeder is a second process (this script again, with --role seeder), so the two are as separate as
two users' clients. With --one-process both sessions live in this process; note that libtorrent keeps one UDP
tracker connection id per tracker address for the whole process, shared by every session in it.

Both sessions listen only on the loopback address of the tracker URL's family, with DHT, local service discovery,
UPnP and NAT-PMP off and without the default plugins (so no peer exchange): the tracker is the only way the two can
learn of each other. The leecher checks that: every peer it met came from the tracker, and neither side's extension
handshake offered ut_pex.

With --hybrid the torrent is a hybrid v1 + v2 one (BEP 52): libtorrent announces it under both its v1 hash and its
v2 hash truncated to 20 bytes, so both swarms on the tracker hold the peers.

Progress and alerts go to stderr. On success stdout gets one line, "READY <v1 info-hash in hex>" (with --hybrid,
"READY <v1 hex> <truncated v2 hex>"); with --hold both
sessions then stay up (announced to the tracker) until stdin closes, so the caller can look at the tracker's swarm
before they leave it.

Exit codes: 0 success; 1 failure or timeout; 2 bad arguments; 3 the libtorrent bindings are missing.
"""

import argparse
import os
import select
import subprocess
import sys
import time

START = time.monotonic()
PROCESS = "main"


def log(message):
    print(f"[{time.monotonic() - START:8.3f}] {PROCESS}| {message}", file=sys.stderr, flush=True)


try:
    import libtorrent as lt
except ImportError as import_error:
    log(f"cannot import libtorrent ({import_error}); install Debian's python3-libtorrent and run /usr/bin/python3")
    sys.exit(3)

from lt_common import Failure, add, listen_interface, make_session, same_bytes  # noqa: E402 (after the libtorrent check)

# What is logged and waited on. Peer log alerts are read only for the extension handshakes.
ALERTS = (lt.alert.category_t.error_notification | lt.alert.category_t.status_notification
          | lt.alert.category_t.tracker_notification | lt.alert.category_t.connect_notification
          | lt.alert.category_t.storage_notification | lt.alert.category_t.peer_notification
          | lt.alert.category_t.performance_warning | lt.alert.category_t.peer_log_notification)

# peer_info.source bits other than the tracker's.
OTHER_SOURCES = lt.peer_info.pex | lt.peer_info.dht | lt.peer_info.lsd

HYBRID = False


def make_torrent(path, announce_url, torrent_path):
    storage = lt.file_storage()
    lt.add_files(storage, path)
    creator = lt.create_torrent(storage, 0, 0 if HYBRID else lt.create_torrent.v1_only)
    creator.add_tracker(announce_url)
    creator.set_creator("FediTracker end-to-end test")
    lt.set_piece_hashes(creator, os.path.dirname(path))
    with open(torrent_path, "wb") as torrent_file:
        torrent_file.write(lt.bencode(creator.generate()))


def retarget_torrent(torrent_path, announce_url, retargeted_path):
    """Writes a copy of the .torrent whose only tracker is announce_url; the info dict is kept byte for byte."""
    with open(torrent_path, "rb") as torrent_file:
        torrent = lt.bdecode(torrent_file.read())
    torrent[b"announce"] = announce_url.encode()
    torrent.pop(b"announce-list", None)
    with open(retargeted_path, "wb") as torrent_file:
        torrent_file.write(lt.bencode(torrent))


def check_trackers(name, handle, announce_url):
    """Fails unless libtorrent's tracker list for the torrent is exactly announce_url."""
    urls = [entry["url"] for entry in handle.trackers()]
    if urls != [announce_url]:
        raise Failure(f"{name}: libtorrent's tracker list is {urls}, expected only {announce_url}")
    log(f"{name}: tracker list {urls}")


def load_torrent(torrent_path):
    info = lt.torrent_info(torrent_path)
    if info.info_hashes().has_v2() != HYBRID:
        raise Failure("the torrent was meant to be " + ("hybrid" if HYBRID else "v1 only"))
    return info


class Watcher:
    """Pops and logs the alerts of named sessions, and remembers the events the script waits for."""

    def __init__(self, deadline):
        self.deadline = deadline
        self.sessions = {}
        self.replies = {}
        self.announcing = {}
        self.answered = set()
        self.finished = set()
        self.flushed = {}
        self.handshakes = {}

    def watch(self, name, session):
        self.sessions[name] = session
        self.replies[name] = 0

    def remaining(self):
        return self.deadline - time.monotonic()

    def pump(self, wait_ms=200):
        if self.remaining() <= 0:
            raise Failure("timed out")
        for name, session in self.sessions.items():
            session.wait_for_alert(int(max(1, min(wait_ms / len(self.sessions), self.remaining() * 1000))))
            for alert in session.pop_alerts():
                self.handle(name, alert)

    def handle(self, name, alert):
        message = alert.message()
        if isinstance(alert, lt.peer_log_alert):
            # "==>" is the handshake this session sent, "<==" the one its peer sent: each lists the extensions its
            # sender offers.
            for direction in ("==>", "<=="):
                key = (name, direction)
                marker = f"{direction} EXTENDED_HANDSHAKE"
                if marker in message and key not in self.handshakes:
                    self.handshakes[key] = message[message.index(marker):]
                    log(f"{name}: {self.handshakes[key]}")
            return
        log(f"{name}: {type(alert).__name__}: {message}")
        if isinstance(alert, lt.tracker_announce_alert):
            self.announcing[name] = alert.event
        elif isinstance(alert, lt.tracker_reply_alert):
            # One announce at a time per torrent and tracker: a reply answers the last announce sent.
            self.replies[name] += 1
            if name in self.announcing:
                self.answered.add((name, self.announcing.pop(name)))
        elif isinstance(alert, lt.tracker_error_alert):
            raise Failure(f"{name}: the tracker failed the announce: {message}")
        elif isinstance(alert, lt.torrent_finished_alert):
            self.finished.add(name)
        elif isinstance(alert, lt.cache_flushed_alert):
            self.flushed[name] = self.flushed.get(name, 0) + 1
        elif isinstance(alert, (lt.torrent_error_alert, lt.file_error_alert, lt.listen_failed_alert)):
            raise Failure(f"{name}: {message}")

    def until(self, condition, what):
        log(f"waiting: {what}")
        while not condition():
            try:
                self.pump()
            except Failure as error:
                raise Failure(f"{error} (while waiting: {what})") from error

    def leave(self, name, handle):
        """Stops the torrent, which announces "stopped", and waits for the tracker's answer to that."""
        handle.pause()
        self.until(lambda: (name, lt.event_t.stopped) in self.answered,
                   f"the tracker's reply to the {name}'s 'stopped' announce")

    def hold(self, stream):
        """Pumps alerts until `stream` reaches its end (the caller closed it)."""
        log("holding the session(s) until stdin closes")
        while True:
            remaining = self.remaining()
            if remaining <= 0:
                raise Failure("timed out holding the session(s): stdin was never closed")
            readable, _, _ = select.select([stream], [], [], min(remaining, 0.2))
            if readable and not os.read(stream.fileno(), 4096):
                return
            self.pump(wait_ms=20)


def start_seeder(watcher, info, path, interface, announce_url):
    """The seeder as a session of this process; returns when it has had its first tracker reply."""
    session = make_session("seeder", interface, ALERTS)
    watcher.watch("seeder", session)
    handle = add(session, info, os.path.dirname(path))
    check_trackers("seeder", handle, announce_url)
    watcher.until(lambda: handle.status().is_seeding, "the seeder has checked the file")
    watcher.until(lambda: watcher.replies["seeder"] > 0, "the seeder's first tracker reply")
    return session, handle


class SeederProcess:
    """The seeder as a child process (this script with --role seeder)."""

    def __init__(self, args, announce_url, torrent_path, deadline):
        command = [sys.executable, os.path.abspath(__file__), "--role", "seeder", "--announce", announce_url,
                   "--file", args.file, "--work", args.work, "--torrent", torrent_path,
                   *(["--hybrid"] if HYBRID else []),
                   "--timeout", f"{max(1.0, deadline - time.monotonic()):.1f}"]
        log(f"starting the seeder process: {' '.join(command)}")
        self.deadline = deadline
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def wait_until_seeding(self):
        log("waiting: the seeder process's first tracker reply")
        line = b""
        while not line.endswith(b"\n"):
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise Failure("timed out waiting for the seeder process")
            readable, _, _ = select.select([self.process.stdout], [], [], remaining)
            if readable:
                chunk = os.read(self.process.stdout.fileno(), 1)
                if not chunk:
                    code = self.process.wait(timeout=max(1.0, self.deadline - time.monotonic()))
                    raise Failure(f"the seeder process ended (exit code {code}) before it was seeding")
                line += chunk
        if line.strip() != b"SEEDING":
            raise Failure(f"unexpected line from the seeder process: {line!r}")

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                code = self.process.wait(timeout=max(5.0, self.deadline - time.monotonic()))
                log(f"the seeder process ended with exit code {code}")
            except subprocess.TimeoutExpired:
                log("the seeder process did not end; killing it")
                self.process.kill()
                self.process.wait()


def run_seeder(args):
    """--role seeder: seed until stdin closes; print SEEDING after the first tracker reply."""
    watcher = Watcher(START + args.timeout)
    info = load_torrent(args.torrent)
    session, handle = start_seeder(watcher, info, os.path.abspath(args.file), listen_interface(args.announce),
                                   args.announce)
    print("SEEDING", flush=True)
    watcher.hold(sys.stdin)
    watcher.leave("seeder", handle)
    del session
    return 0


def run_leecher(args):
    deadline = START + args.timeout
    interface = listen_interface(args.announce)
    path = os.path.abspath(args.file)
    work = os.path.abspath(args.work)
    leech_dir = os.path.join(work, "leecher")
    os.makedirs(leech_dir, exist_ok=False)
    torrent_path = os.path.join(work, "test.torrent")

    make_torrent(path, args.announce, torrent_path)
    info = load_torrent(torrent_path)
    info_hash = str(info.info_hashes().v1)
    seeder_announce = args.seeder_announce or args.announce
    seeder_torrent_path = torrent_path
    seeder_info = info
    if args.seeder_announce:
        if listen_interface(seeder_announce) != interface:
            raise Failure(f"the seeder's tracker {seeder_announce} is not of the same address family as {args.announce}")
        seeder_torrent_path = os.path.join(work, "seeder.torrent")
        retarget_torrent(torrent_path, seeder_announce, seeder_torrent_path)
        seeder_info = load_torrent(seeder_torrent_path)
        if str(seeder_info.info_hashes().v1) != info_hash:
            raise Failure(f"the seeder's torrent has info-hash {seeder_info.info_hashes().v1}, not {info_hash}")
    log(f"torrent {info_hash}: {info.total_size()} bytes, {info.num_pieces()} pieces of {info.piece_length()}, "
        f"leecher's tracker {args.announce}, seeder's tracker {seeder_announce}, listening on {interface}, "
        f"{'one process' if args.one_process else 'seeder in its own process'}")

    watcher = Watcher(deadline)
    seeder_process = None
    seeder_session = None
    try:
        if args.one_process:
            seeder_session, seeder = start_seeder(watcher, seeder_info, path, interface, seeder_announce)
        else:
            seeder_process = SeederProcess(args, seeder_announce, seeder_torrent_path, deadline)
            seeder_process.wait_until_seeding()

        leecher_session = make_session("leecher", interface, ALERTS)
        watcher.watch("leecher", leecher_session)
        leecher = add(leecher_session, info, leech_dir)
        check_trackers("leecher", leecher, args.announce)
        sources = {}
        last_report = [0.0]

        def leecher_done():
            for peer in leecher.get_peer_info():
                sources[peer.ip] = sources.get(peer.ip, 0) | peer.source
            if time.monotonic() - last_report[0] >= 1.0:
                last_report[0] = time.monotonic()
                s = leecher.status()
                log(f"{s.state} {s.progress * 100:.1f}% {s.total_wanted_done}/{s.total_wanted} bytes, "
                    f"{s.num_peers} peers, {s.download_rate} B/s")
            return "leecher" in watcher.finished

        watcher.until(leecher_done, "the leecher has every piece")
        watcher.until(lambda: ("leecher", lt.event_t.completed) in watcher.answered,
                      "the tracker's reply to the leecher's 'completed' announce")
        # Pop the alerts already posted (becoming a seed flushes too), so the next cache_flushed_alert is this one's.
        watcher.pump(wait_ms=1)
        flushed = watcher.flushed.get("leecher", 0)
        leecher.flush_cache()
        watcher.until(lambda: watcher.flushed.get("leecher", 0) > flushed, "the leecher's data on disk")

        log(f"peers the leecher met, with their peer_info.source bits: {sources}")
        if not any(source & lt.peer_info.tracker for source in sources.values()):
            raise Failure("the leecher met no peer through the tracker")
        if any(source & OTHER_SOURCES for source in sources.values()):
            raise Failure("the leecher learnt of a peer from something other than the tracker")
        for direction in ("==>", "<=="):
            handshake = watcher.handshakes.get(("leecher", direction))
            if handshake is None:
                raise Failure(f"the leecher saw no extension handshake in direction {direction}")
            if "ut_pex" in handshake:
                raise Failure(f"peer exchange was offered: {handshake}")

        copy = os.path.join(leech_dir, os.path.basename(path))
        if not same_bytes(path, copy):
            raise Failure(f"the leecher's copy {copy} differs from {path}")
        log("the leecher's copy is identical to the original")

        ready = f"READY {info_hash} {str(info.info_hashes().v2)[:40]}" if HYBRID else f"READY {info_hash}"
        print(ready, flush=True)
        if args.hold:
            watcher.hold(sys.stdin)
        watcher.leave("leecher", leecher)
        if args.one_process:
            watcher.leave("seeder", seeder)
        return 0
    finally:
        if seeder_process is not None:
            seeder_process.stop()
        del seeder_session


def main():
    global PROCESS, HYBRID
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--announce", required=True, help="the tracker's announce URL (http:// or udp://, loopback)")
    parser.add_argument("--file", required=True, help="the file to share; the seeder seeds from its directory")
    parser.add_argument("--work", required=True, help="an existing directory for the .torrent and the leecher")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before giving up (default 120)")
    parser.add_argument("--hold", action="store_true", help="after success, keep the sessions up until stdin closes")
    parser.add_argument("--seeder-announce",
                        help="the seeder's tracker URL instead of --announce (same torrent otherwise, same info-hash)")
    parser.add_argument("--one-process", action="store_true", help="run the seeder as a session of this process")
    parser.add_argument("--hybrid", action="store_true", help="make a hybrid v1 + v2 torrent (announced under both hashes)")
    parser.add_argument("--role", choices=["leecher", "seeder"], default="leecher", help=argparse.SUPPRESS)
    parser.add_argument("--torrent", help=argparse.SUPPRESS)
    args = parser.parse_args()
    PROCESS = "main" if args.role == "leecher" else "seeder process"
    HYBRID = args.hybrid
    if args.role == "seeder" and not args.torrent:
        parser.error("--role seeder needs --torrent")
    log(f"libtorrent {lt.__version__}, python {sys.version.split()[0]}")
    try:
        return run_seeder(args) if args.role == "seeder" else run_leecher(args)
    except Failure as error:
        log(f"FAILED: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
