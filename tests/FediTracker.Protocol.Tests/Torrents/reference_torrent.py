#!/usr/bin/python3
"""Independent reference for TorrentBuilderGoldenTests: builds the same single-file torrents with nothing but
hashlib and a few lines of bencode, straight from the BEP 3 / BEP 12 / BEP 19 / BEP 27 / BEP 52 texts, and prints
the expected v1 and v2 info-hashes and the SHA-256 of the whole .torrent file as C# TestCase lines.

Content of a case of N bytes: byte i is i % 251. Regenerate with:
    /usr/bin/python3 tests/FediTracker.Protocol.Tests/Torrents/reference_torrent.py
"""
import hashlib

BLOCK = 16384


def bencode(value):
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(v) for v in value) + b"e"
    if isinstance(value, dict):
        items = sorted((k.encode() if isinstance(k, str) else k, v) for k, v in value.items())
        return b"d" + b"".join(bencode(k) + bencode(v) for k, v in items) + b"e"
    raise TypeError(value)


def content(size):
    return bytes(i % 251 for i in range(size))


def next_pow2(n):
    p = 1
    while p < n:
        p *= 2
    return p


def root(hashes, pad):
    """Merkle root of a layer, padded to a power of two with pad."""
    layer = list(hashes) + [pad] * (next_pow2(len(hashes)) - len(hashes))
    while len(layer) > 1:
        layer = [hashlib.sha256(layer[i] + layer[i + 1]).digest() for i in range(0, len(layer), 2)]
    return layer[0]


def v2_tree(data, piece_length):
    leaves = [hashlib.sha256(data[i:i + BLOCK]).digest() for i in range(0, len(data), BLOCK)]
    zero = bytes(32)
    if len(data) <= piece_length:
        return root(leaves, zero), None
    per_piece = piece_length // BLOCK
    pieces = []
    for i in range(0, len(leaves), per_piece):
        pieces.append(root(leaves[i:i + per_piece] + [zero] * (per_piece - len(leaves[i:i + per_piece])), zero))
    pad = root([zero] * per_piece, zero)
    return root(pieces, pad), b"".join(pieces)


def torrent(size, piece_length, version, name="media.webm", extra=None):
    data = content(size)
    info = {"name": name, "piece length": piece_length}
    top = {}
    if version in ("v1", "hybrid"):
        info["length"] = size
        info["pieces"] = b"".join(hashlib.sha1(data[i:i + piece_length]).digest() for i in range(0, size, piece_length))
    if version in ("v2", "hybrid"):
        pieces_root, layer = v2_tree(data, piece_length)
        info["meta version"] = 2
        info["file tree"] = {name: {"": {"length": size, "pieces root": pieces_root}}}
        if layer is not None:
            top["piece layers"] = {pieces_root: layer}
    if extra:
        if extra.get("private"):
            info["private"] = 1
        for key in ("announce", "announce-list", "url-list", "comment", "created by", "creation date"):
            if key in extra:
                top[key] = extra[key]
    raw_info = bencode(info)
    top["info"] = info
    whole = bencode(top)
    assert raw_info in whole
    v1 = hashlib.sha1(raw_info).hexdigest() if version != "v2" else None
    v2 = hashlib.sha256(raw_info).hexdigest() if version != "v1" else None
    return v1, v2, hashlib.sha256(whole).hexdigest()


CASES = [
    (1, 16384, "hybrid"),
    (16383, 16384, "hybrid"),
    (16384, 16384, "hybrid"),
    (16385, 16384, "hybrid"),
    (16385, 32768, "hybrid"),
    (40000, 65536, "hybrid"),
    (65535, 65536, "hybrid"),
    (65536, 65536, "hybrid"),
    (65537, 65536, "hybrid"),
    (3 * 65536 + 5, 65536, "hybrid"),
    (1048577, 1048576, "hybrid"),
    (5 * 1048576 + 123, 65536, "hybrid"),
    (5 * 1048576 + 123, 2097152, "hybrid"),
    (4194304, 4194304, "hybrid"),
    (3 * 65536 + 5, 65536, "v1"),
    (3 * 65536 + 5, 65536, "v2"),
    (40000, 65536, "v2"),
    (5 * 1048576 + 123, 65536, "v1"),
    (5 * 1048576 + 123, 65536, "v2"),
]

# Every optional key at once (the builder's FullOptions case).
FULL = {
    "private": True,
    "announce": "http://127.0.0.1:6969/announce",
    "announce-list": [["http://127.0.0.1:6969/announce"], ["udp://tracker.example:1337/announce"], ["https://other.example/announce"]],
    "url-list": ["https://media.example/files/media.webm", "https://mirror.example/media.webm"],
    "comment": "a comment",
    "created by": "FediTracker tests",
    "creation date": 1764460800,
}

if __name__ == "__main__":
    def cs(v):
        return "null" if v is None else f'"{v}"'
    for size, piece_length, version in CASES:
        v1, v2, whole = torrent(size, piece_length, version)
        print(f'    [TestCase({size}, {piece_length}, TorrentVersion.{version.capitalize() if version == "hybrid" else version.upper()}, {cs(v1)}, {cs(v2)}, "{whole}")]')
    v1, v2, whole = torrent(100000, 32768, "hybrid", extra=FULL)
    print(f"    full options: {v1} {v2} {whole}")
