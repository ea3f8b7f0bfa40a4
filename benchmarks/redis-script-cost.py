#!/usr/bin/env python3
"""Redis time per call of the swarm store's announce script, measured inside Redis (INFO commandstats).

    benchmarks/redis-script-cost.py [--scripts PATH/RedisScripts.cs] [--peers 1000] [--calls 20000] [--clients 8]

Starts a throwaway redis-server (persistence off) on a free loopback port, pinned to core 0, loads the Announce script
taken from the given RedisScripts.cs (default: this tree's; pass another tree's to compare before and after), files
--peers IPv4 peers of one torrent through the script itself (a quarter seeders), then lets redis-benchmark (core 1)
send --calls leecher re-announces with numwant 50 from --clients connections, and prints usec_per_call of EVALSHA
for that phase only (CONFIG RESETSTAT before it). Members and peer ids are ASCII stand-ins of the real lengths'
order (redis-benchmark cannot send binary arguments); the script treats them as opaque bytes.
Works with both key layouts: 7 keys (s4 l4 s6 l6 ids dl revoked) or 6 keys (p4 i4 p6 i6 dl revoked).
"""
import argparse, hashlib, os, re, shutil, socket, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
here = os.path.dirname(os.path.abspath(__file__))
ap.add_argument("--scripts", default=os.path.join(here, "..", "src", "FediTracker.Storage.Redis", "RedisScripts.cs"))
ap.add_argument("--peers", type=int, default=1000)
ap.add_argument("--calls", type=int, default=20000)
ap.add_argument("--clients", type=int, default=8)
args = ap.parse_args()

source = open(args.scripts, encoding="utf-8").read()
m = re.search(r'public const string Announce = """\n(.*?)\n\s*""";', source, re.S)
if not m:
    sys.exit("no Announce script in " + args.scripts)
lines = m.group(1).split("\n")
indent = min(len(l) - len(l.lstrip()) for l in lines if l.strip())
script = "\n".join(l[indent:] for l in lines)
sha = hashlib.sha1(script.encode()).hexdigest()
old_layout = "KEYS[7]" in script
suffixes = ["s4", "l4", "s6", "l6", "ids", "dl", "revoked"] if old_layout else ["p4", "i4", "p6", "i6", "dl", "revoked"]
tag = "{" + "ab" * 20 + "}"
keys = ["ft:" + tag + ":" + s for s in suffixes]

def resp(*parts):
    out = [b"*%d\r\n" % len(parts)]
    for p in parts:
        p = p if isinstance(p, bytes) else str(p).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(p), p))
    return b"".join(out)

def read_reply(f):
    line = f.readline()
    t, rest = line[:1], line[1:-2]
    if t in (b"+", b":"):
        return rest
    if t == b"-":
        raise RuntimeError(rest.decode())
    if t == b"$":
        n = int(rest)
        return None if n < 0 else f.read(n + 2)[:-2]
    if t == b"*":
        return [read_reply(f) for _ in range(max(int(rest), 0))]
    raise RuntimeError("bad reply " + repr(line))

probe = socket.socket(); probe.bind(("127.0.0.1", 0)); port = probe.getsockname()[1]; probe.close()
work = tempfile.mkdtemp(prefix="ft-script-cost-")
redis = subprocess.Popen(["taskset", "-c", "0", "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                          "--appendonly", "no", "--dir", work, "--logfile", ""], stdout=subprocess.DEVNULL)
try:
    deadline = time.time() + 10
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", port)); break
        except OSError:
            if time.time() > deadline: raise
            time.sleep(0.05)
    f = s.makefile("rb")
    def call(*parts):
        s.sendall(resp(*parts)); return read_reply(f)
    call("SCRIPT", "LOAD", script)
    now = int(time.time()); cutoff = now - 3600
    leechers = args.peers - (args.peers + 3) // 4
    def announce_args(member, peer_id, mode, want):
        return ["EVALSHA", sha, len(keys), *keys, "4", member, peer_id, now, cutoff, mode, "0", want, 7_200_000 * 2, 64, 123456, 2_592_000_000]
    batch = []
    for i in range(args.peers):
        member = ("L%012d" % i) if i < leechers else ("S%012d" % i)
        batch.append(resp(*announce_args(member, "-FT0001-%012d" % i, "1" if i < leechers else "2", 0)))
        if len(batch) == 500 or i == args.peers - 1:
            s.sendall(b"".join(batch))
            for _ in batch: read_reply(f)
            batch = []
    call("CONFIG", "RESETSTAT")
    bench = ["taskset", "-c", "1", "redis-benchmark", "-p", str(port), "-c", str(args.clients), "-n", str(args.calls), "-r", str(leechers), "-q",
             *[str(a) for a in announce_args("L__rand_int__", "-FT0001-__rand_int__", "1", 50)]]
    out = subprocess.run(bench, capture_output=True, text=True, timeout=600)
    stats = call("INFO", "commandstats").decode()
    line = next(l for l in stats.splitlines() if l.startswith("cmdstat_evalsha:"))
    if "failed_calls=0" not in line or "rejected_calls=0" not in line:
        sys.exit("errors: " + line + "\n" + out.stdout + out.stderr)
    sample = call(*[str(a) for a in announce_args("L%012d" % 1, "-FT0001-%012d" % 1, "1", 50)])
    size = sum(len(x) if isinstance(x, bytes) else 0 for x in (sample if isinstance(sample, list) else [sample]))
    print("layout=%s peers=%d calls=%d clients=%d %s reply_elements=%d reply_bytes~%d loadavg=%s | redis-benchmark: %s" % (
        "old(7 keys)" if old_layout else "new(6 keys)", args.peers, args.calls, args.clients, line.split(":", 1)[1],
        len(sample) if isinstance(sample, list) else 1, size, open("/proc/loadavg").read().split()[0], out.stdout.replace("\r", "\n").strip().splitlines()[-1].split(": ")[-1]))
finally:
    redis.terminate(); redis.wait(10); shutil.rmtree(work, ignore_errors=True)
