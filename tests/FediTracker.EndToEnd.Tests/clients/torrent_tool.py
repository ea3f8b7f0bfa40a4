#!/usr/bin/python3
"""libtorrent's view of .torrent files made by FediTracker, for TorrentClientTests. Run with Debian's /usr/bin/python3.

  info TORRENT                         one JSON line: libtorrent's info-hashes, name, sizes, trackers, web seeds, private
  create FILE PIECE_LENGTH hybrid|v1|v2  one JSON line: the info-hashes of libtorrent's own torrent for FILE (name = the
                                       file's name, no trackers, no creation date)
  webseed-download TORRENT SAVE_DIR TIMEOUT
                                       downloads the torrent with no peer but its BEP 19 web seeds: DHT, local service
                                       discovery, UPnP, NAT-PMP and the default plugins off, trackers removed. On
                                       success prints one JSON line with the seconds taken and the web seed's byte count.

Progress goes to stderr. Exit codes: 0 success; 1 failure or timeout; 2 bad arguments; 3 the bindings are missing.
"""

import json
import os
import sys
import time

START = time.monotonic()


def log(message):
    print(f"[{time.monotonic() - START:8.3f}] {message}", file=sys.stderr, flush=True)


try:
    import libtorrent as lt
except ImportError as import_error:
    log(f"cannot import libtorrent ({import_error}); install Debian's python3-libtorrent and run /usr/bin/python3")
    sys.exit(3)


def hashes(info_hashes):
    return {
        "v1": str(info_hashes.v1) if info_hashes.has_v1() else None,
        "v2": str(info_hashes.v2) if info_hashes.has_v2() else None,
    }


def info(path):
    ti = lt.torrent_info(path)
    files = ti.files()
    result = hashes(ti.info_hashes())
    result.update({
        "name": ti.name(),
        # libtorrent pads each file of a v2 torrent to a whole piece in total_size; content_size leaves padding out.
        "total_size": ti.total_size(),
        "content_size": sum(files.file_size(i) for i in range(files.num_files()) if not files.file_flags(i) & lt.file_storage.flag_pad_file),
        "piece_length": ti.piece_length(),
        "num_pieces": ti.num_pieces(),
        "trackers": [[entry.url, entry.tier] for entry in ti.trackers()],
        "web_seeds": [seed["url"] for seed in ti.web_seeds()],
        "private": ti.priv(),
    })
    print(json.dumps(result))


def create(path, piece_length, mode):
    flags = {"hybrid": 0, "v1": lt.create_torrent.v1_only, "v2": lt.create_torrent.v2_only}[mode]
    storage = lt.file_storage()
    lt.add_files(storage, path)
    creator = lt.create_torrent(storage, piece_length, flags)
    lt.set_piece_hashes(creator, os.path.dirname(os.path.abspath(path)))
    entry = creator.generate()
    entry.pop(b"creation date", None)
    ti = lt.torrent_info(lt.bencode(entry))
    print(json.dumps(hashes(ti.info_hashes())))


def webseed_download(torrent_path, save_dir, timeout):
    deadline = time.monotonic() + timeout
    settings = {
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "alert_mask": int(lt.alert.category_t.error_notification | lt.alert.category_t.status_notification
                          | lt.alert.category_t.storage_notification | lt.alert.category_t.peer_notification),
    }
    session = lt.session(settings, flags=0)
    # The trackers are dropped from the file (the info dictionary, so the info-hash, is untouched).
    with open(torrent_path, "rb") as torrent_file:
        metainfo = lt.bdecode(torrent_file.read())
    metainfo.pop(b"announce", None)
    metainfo.pop(b"announce-list", None)
    ti = lt.torrent_info(lt.bencode(metainfo))
    if list(ti.trackers()):
        log(f"trackers left: {[entry.url for entry in ti.trackers()]}")
        return 1
    params = lt.add_torrent_params()
    params.ti = ti
    params.save_path = save_dir
    params.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
    handle = session.add_torrent(params)
    if not ti.web_seeds():
        log("the torrent has no web seed")
        return 1

    while time.monotonic() < deadline:
        session.wait_for_alert(int(max(1, min(500, (deadline - time.monotonic()) * 1000))))
        for alert in session.pop_alerts():
            log(f"{type(alert).__name__}: {alert.message()}")
            # The web seed is the only source: its failure, or a piece that fails its hash check, ends the run.
            if isinstance(alert, (lt.torrent_error_alert, lt.file_error_alert, lt.hash_failed_alert, lt.url_seed_alert)):
                log("failed")
                return 1
            if isinstance(alert, lt.torrent_finished_alert):
                status = handle.status()
                peers = handle.get_peer_info()
                print(json.dumps({
                    "seconds": round(time.monotonic() - START, 3),
                    "total_wanted": status.total_wanted,
                    "total_payload_download": status.total_payload_download,
                    "num_pieces": status.num_pieces,
                    "non_web_peers": sum(1 for p in peers if not (p.connection_type & (lt.peer_info.web_seed | lt.peer_info.http_seed))),
                }), flush=True)
                return 0
    status = handle.status()
    log(f"timed out: state {status.state}, {status.num_pieces} pieces, {status.total_payload_download} bytes")
    return 1


def main(argv):
    if len(argv) == 2 and argv[0] == "info":
        info(argv[1])
        return 0
    if len(argv) == 4 and argv[0] == "create" and argv[3] in ("hybrid", "v1", "v2"):
        create(argv[1], int(argv[2]), argv[3])
        return 0
    if len(argv) == 4 and argv[0] == "webseed-download":
        return webseed_download(argv[1], argv[2], float(argv[3]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
