#!/usr/bin/python3
"""Revokes a torrent under libtorrent's feet: a download that works, then a client refused, then a newcomer shut out.

Run with Debian's /usr/bin/python3 (python3-libtorrent 2.0). Talks to its caller over stdin/stdout, one line each:

  out "HASH <v1 info-hash in hex>"   the torrent made for FILE (v1 only, the tracker URL its only announce URL)
  in  "go"                           the caller registered the hash with the tracker
      a seeder and a leecher (two sessions of this process) meet through the tracker only, and the leecher
      downloads FILE, checked byte for byte
  out "DOWNLOADED"
  in  "revoked"                      the caller revoked the hash
      the leecher re-announces at once (force_reannounce, ignoring the min interval) and the script waits for
      its tracker_error_alert
  out "LEECHER_ERROR <failure reason>|<the alert's message>"
      a fresh session adds the torrent on an empty directory and announces; the script waits for its
      tracker_error_alert, then watches it for --join-wait seconds
  out "NEWCOMER_ERROR <failure reason>|<the alert's message>"
  out "NEWCOMER peers=<most peers seen> pieces=<pieces held> tracker_peers=<peers the tracker gave it>"
  out "DONE"

Every wait is bounded (--timeout in all). Sessions listen only on the loopback address of the tracker URL's family,
with DHT, local service discovery, UPnP and NAT-PMP off and no default plugins (so no peer exchange).
Progress and alerts go to stderr.

Exit codes: 0 done (the caller judges the lines); 1 failure or timeout; 2 bad arguments; 3 libtorrent missing.
"""

import argparse
import os
import select
import sys
import time

START = time.monotonic()


def log(message):
    print(f"[{time.monotonic() - START:8.3f}] revoke| {message}", file=sys.stderr, flush=True)


try:
    import libtorrent as lt
except ImportError as import_error:
    log(f"cannot import libtorrent ({import_error}); install Debian's python3-libtorrent and run /usr/bin/python3")
    sys.exit(3)

from lt_common import Failure, add, listen_interface, make_session, same_bytes  # noqa: E402 (after the libtorrent check)

ALERTS = (lt.alert.category_t.error_notification | lt.alert.category_t.status_notification
          | lt.alert.category_t.tracker_notification | lt.alert.category_t.connect_notification
          | lt.alert.category_t.storage_notification | lt.alert.category_t.peer_notification)


def say(line):
    log(f"stdout: {line}")
    print(line, flush=True)


def make_torrent(path, announce_url, torrent_path):
    storage = lt.file_storage()
    lt.add_files(storage, path)
    creator = lt.create_torrent(storage, 0, lt.create_torrent.v1_only)
    creator.add_tracker(announce_url)
    creator.set_creator("FediTracker end-to-end revocation test")
    lt.set_piece_hashes(creator, os.path.dirname(path))
    with open(torrent_path, "wb") as torrent_file:
        torrent_file.write(lt.bencode(creator.generate()))


class Watcher:
    """Pops and logs the alerts of named sessions and keeps what the script waits on; tracker errors are recorded,
    not fatal (they are what this script is after)."""

    def __init__(self, deadline):
        self.deadline = deadline
        self.sessions = {}
        self.replies = {}
        self.errors = {}
        self.tracker_peers = {}
        self.announcing = {}
        self.answered = set()
        self.finished = set()

    def watch(self, name, session):
        self.sessions[name] = session
        self.replies[name] = 0
        self.errors[name] = []
        self.tracker_peers[name] = 0

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
        log(f"{name}: {type(alert).__name__}: {alert.message()}")
        if isinstance(alert, lt.tracker_announce_alert):
            self.announcing[name] = alert.event
        elif isinstance(alert, lt.tracker_reply_alert):
            # One announce at a time per torrent and tracker: a reply answers the last announce sent.
            self.replies[name] += 1
            self.tracker_peers[name] += alert.num_peers
            if name in self.announcing:
                self.answered.add((name, self.announcing.pop(name)))
        elif isinstance(alert, lt.tracker_error_alert):
            self.errors[name].append(f"{alert.failure_reason()}|{alert.message()}")
        elif isinstance(alert, lt.torrent_finished_alert):
            self.finished.add(name)
        elif isinstance(alert, (lt.torrent_error_alert, lt.file_error_alert, lt.listen_failed_alert)):
            raise Failure(f"{name}: {alert.message()}")

    def until(self, condition, what):
        log(f"waiting: {what}")
        while not condition():
            try:
                self.pump()
            except Failure as error:
                raise Failure(f"{error} (while waiting: {what})") from error

    def read_line(self, expected):
        """Pumps alerts (so the sessions stay served) until stdin gives a line; fails unless it is `expected`."""
        log(f"waiting: '{expected}' on stdin")
        line = b""
        while not line.endswith(b"\n"):
            remaining = self.remaining()
            if remaining <= 0:
                raise Failure(f"timed out waiting for '{expected}' on stdin")
            readable, _, _ = select.select([sys.stdin], [], [], min(remaining, 0.2))
            if readable:
                chunk = os.read(sys.stdin.fileno(), 1)
                if not chunk:
                    raise Failure(f"stdin closed while waiting for '{expected}'")
                line += chunk
            elif self.sessions:
                self.pump(wait_ms=20)
        if line.strip().decode() != expected:
            raise Failure(f"expected '{expected}' on stdin, got {line!r}")


def run(args):
    deadline = START + args.timeout
    interface = listen_interface(args.announce)
    path = os.path.abspath(args.file)
    work = os.path.abspath(args.work)
    leech_dir = os.path.join(work, "leecher")
    newcomer_dir = os.path.join(work, "newcomer")
    os.makedirs(leech_dir, exist_ok=False)
    os.makedirs(newcomer_dir, exist_ok=False)
    torrent_path = os.path.join(work, "test.torrent")
    make_torrent(path, args.announce, torrent_path)
    info = lt.torrent_info(torrent_path)
    info_hash = str(info.info_hashes().v1)
    log(f"torrent {info_hash}: {info.total_size()} bytes, {info.num_pieces()} pieces, tracker {args.announce}, "
        f"listening on {interface}")
    watcher = Watcher(deadline)

    say(f"HASH {info_hash}")
    watcher.read_line("go")

    # The download, through the tracker: the seeder's first reply before the leecher starts.
    seeder_session = make_session("seeder", interface, ALERTS)
    watcher.watch("seeder", seeder_session)
    seeder = add(seeder_session, info, os.path.dirname(path))
    watcher.until(lambda: seeder.status().is_seeding, "the seeder has checked the file")
    watcher.until(lambda: watcher.replies["seeder"] > 0 or watcher.errors["seeder"], "the seeder's first tracker reply")
    if watcher.errors["seeder"]:
        raise Failure(f"the tracker refused the seeder before the revocation: {watcher.errors['seeder']}")

    leecher_session = make_session("leecher", interface, ALERTS)
    watcher.watch("leecher", leecher_session)
    leecher = add(leecher_session, info, leech_dir)
    watcher.until(lambda: "leecher" in watcher.finished or watcher.errors["leecher"], "the leecher has every piece")
    if watcher.errors["leecher"]:
        raise Failure(f"the tracker refused the leecher before the revocation: {watcher.errors['leecher']}")
    # Its 'completed' announce answered, so nothing is in flight when the revocation comes.
    watcher.until(lambda: ("leecher", lt.event_t.completed) in watcher.answered or watcher.errors["leecher"],
                  "the tracker's reply to the leecher's 'completed' announce")
    if watcher.errors["leecher"]:
        raise Failure(f"the tracker refused the leecher's 'completed' before the revocation: {watcher.errors['leecher']}")
    if watcher.tracker_peers["leecher"] == 0:
        raise Failure("the leecher finished without the tracker giving it a peer")
    leecher.flush_cache()
    copy = os.path.join(leech_dir, os.path.basename(path))
    watcher.until(lambda: os.path.exists(copy) and same_bytes(path, copy), "the leecher's copy on disk equals the file")
    say("DOWNLOADED")

    # The revocation: the leecher's next announce is refused.
    watcher.read_line("revoked")
    errors_before = len(watcher.errors["leecher"])
    leecher.force_reannounce(0, -1, lt.reannounce_flags_t.ignore_min_interval)
    watcher.until(lambda: len(watcher.errors["leecher"]) > errors_before, "the tracker's answer to the leecher's re-announce")
    say(f"LEECHER_ERROR {watcher.errors['leecher'][errors_before]}")

    # A newcomer: its announce fails, and it gets no peer and no piece within the wait.
    newcomer_session = make_session("newcomer", interface, ALERTS)
    watcher.watch("newcomer", newcomer_session)
    newcomer = add(newcomer_session, info, newcomer_dir)
    watcher.until(lambda: watcher.errors["newcomer"] or watcher.replies["newcomer"] > 0, "the tracker's answer to the newcomer")
    if not watcher.errors["newcomer"]:
        raise Failure("the tracker answered the newcomer's announce instead of refusing it")
    say(f"NEWCOMER_ERROR {watcher.errors['newcomer'][0]}")
    most_peers = 0
    join_deadline = time.monotonic() + args.join_wait
    while time.monotonic() < join_deadline:
        watcher.pump(wait_ms=100)
        status = newcomer.status()
        most_peers = max(most_peers, status.num_peers, len(newcomer.get_peer_info()))
    status = newcomer.status()
    say(f"NEWCOMER peers={most_peers} pieces={status.num_pieces} tracker_peers={watcher.tracker_peers['newcomer']}")

    for handle in (newcomer, leecher, seeder):
        handle.pause()
    say("DONE")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--announce", required=True, help="the tracker's announce URL (http:// or udp://, loopback)")
    parser.add_argument("--file", required=True, help="the file to share; the seeder seeds from its directory")
    parser.add_argument("--work", required=True, help="an existing directory for the .torrent and the downloads")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before giving up (default 120)")
    parser.add_argument("--join-wait", type=float, default=5.0,
                        help="seconds the newcomer is watched for peers and pieces after its refusal (default 5)")
    args = parser.parse_args()
    log(f"libtorrent {lt.__version__}, python {sys.version.split()[0]}")
    try:
        return run(args)
    except Failure as error:
        log(f"FAILED: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
