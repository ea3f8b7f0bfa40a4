#!/usr/bin/env bash
# Where the CPU of a Redis-backed UDP announce goes: FediTracker's process against redis-server's.
#
#   benchmarks/redis-cpu-split.sh SERVER_DIR [SECONDS]
#
# SERVER_DIR holds a published FediTracker (dotnet publish src/FediTracker.Server -c Release -o DIR). Starts a fresh
# redis-server and that tracker over it, both pinned to core 0 (as compare.sh --redis does), warms up 3 s, then drives
# SECONDS (default 10) of benchmarks/FediTracker.LoadTest UDP load from core 1 (8 sockets x 16 in flight) and prints
# replies/s and each process's CPU, in % of one core and in microseconds per reply, from /proc/PID/stat.
# Needs benchmarks/FediTracker.LoadTest built in Release. Every process it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(cd "$1" && pwd); seconds=${2:-10}
lt_dll=benchmarks/FediTracker.LoadTest/bin/Release/net10.0/FediTracker.LoadTest.dll
[ -f "$lt_dll" ] || { echo "build benchmarks/FediTracker.LoadTest -c Release first" >&2; exit 2; }
lt() { timeout 120 dotnet "$lt_dll" "$@"; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
redis_port=$(lt free-port); port=$(lt free-port); admin=$(lt free-port)
taskset -c 0 redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$work" >/dev/null 2>&1 &
redis_pid=$!; pids+=("$redis_pid")
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null && break; sleep 0.1; done
(cd "$dir" && exec taskset -c 0 dotnet FediTracker.Server.dll --store redis --redis "127.0.0.1:$redis_port" \
  --http "127.0.0.1:$port" --udp "127.0.0.1:$port" --admin "127.0.0.1:$admin" --Listen:UdpReceiveLoops 1 \
  --Tracker:RateLimitPerSecond 1000000 --Tracker:RateLimitBurst 10000000 --Tracker:AccessMode open \
  --Logging:LogLevel:Default Warning) >"$work/tracker.log" 2>&1 &
tracker_pid=$!; pids+=("$tracker_pid")
for _ in $(seq 1 150); do curl -fsS "http://127.0.0.1:$admin/alive" >/dev/null 2>&1 && break; sleep 0.2; done
taskset -c 1 timeout 60 dotnet "$lt_dll" --target "udp://127.0.0.1:$port" --seconds 3 --warmup 0 >/dev/null 2>&1 || true
cpu() { awk '{ sub(/^.*\) /, ""); print ($12 + $13) / 100 }' "/proc/$1/stat"; }
t0=$(cpu "$tracker_pid"); r0=$(cpu "$redis_pid")
out=$(taskset -c 1 timeout $((seconds + 60)) dotnet "$lt_dll" --target "udp://127.0.0.1:$port" --seconds "$seconds" --warmup 0 \
  --workers 8 --inflight 16 2>&1)
t1=$(cpu "$tracker_pid"); r1=$(cpu "$redis_pid")
rps=$(echo "$out" | grep -oE '[0-9]+ replies/s \(' | head -n 1 | awk '{ print $1 }')
peers=$(echo "$out" | grep -oE 'peers per announce [0-9.]+' | awk '{ print $4 }')
awk -v rps="${rps:-0}" -v t0="$t0" -v t1="$t1" -v r0="$r0" -v r1="$r1" -v s="$seconds" -v peers="${peers:-?}" -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
  n = rps * s; if (n == 0) n = 1
  printf "replies/s %d  peers/announce %s  tracker CPU %.1f%% (%.1f us/reply)  redis-server CPU %.1f%% (%.1f us/reply)  load %s\n",
    rps, peers, 100 * (t1 - t0) / s, 1e6 * (t1 - t0) / n, 100 * (r1 - r0) / s, 1e6 * (r1 - r0) / n, load }'
