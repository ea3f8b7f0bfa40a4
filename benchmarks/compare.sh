#!/usr/bin/env bash
# Side-by-side load test of FediTracker against opentracker on this machine, over loopback.
#
#   benchmarks/compare.sh [--quick] [--redis] [--rounds N] [--seconds N] [--warmup N] [--no-build] [--out DIR]
#                         [--baseline DIR] [--udp-only] [--no-memory] [--memory-only]
#
# Builds Release, then for each round and each target in turn (opentracker, FediTracker with the memory store, and
# with --redis FediTracker over a local redis-server when the build supports it), A B A B: starts the tracker pinned
# to core 0, warms it up (a few seconds of each protocol, unmeasured), drives it from core 1 with
# benchmarks/FediTracker.LoadTest (UDP; HTTP keep-alive; HTTP one connection per request) and with wrk (HTTP
# keep-alive, benchmarks/wrk-announce.lua), and stops it. Then memory per peer: a fresh
# tracker of each kind is filled with 1 000 000 IPv4 peers (100 000 torrents x 10) and its RSS growth is read
# (for FediTracker also after a full GC induced through the runtime's diagnostics IPC, and the managed heap of the
# same peers in FediTracker's MemorySwarmStore, measured in process; over Redis, redis-server's RSS for a tenth of
# the peers).
# Prints a table with FediTracker/opentracker ratios; every record and log stays in the output directory.
#
# --baseline DIR adds a fourth target, 'feditracker-base': another published FediTracker build (e.g. of main, from
# 'dotnet publish src/FediTracker.Server -c Release -o DIR' in another worktree), started with the same arguments, so
# that a change is measured before and after in the same session, interleaved with opentracker; with --redis also
# 'feditracker-base-redis', the same build over its own fresh redis-server. --udp-only runs only
# the UDP test; --no-memory skips the memory fills; --memory-only runs nothing but them (about 2 minutes per target).
#
# Defaults take about 7 minutes (11 with --redis); --quick (1 round, 4 s runs, 100 000-peer fill) about 2 minutes
# once built (3 with --redis).
# Every step is bounded, and every process the script starts is stopped on exit (trap), however it exits.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

rounds=2
seconds=15
warmup=5
prewarm=3            # seconds of unmeasured load per protocol after each tracker start (see warm_target)
fill_torrents=100000
quick=0
with_redis=0
build=1
out=""
baseline=""
udp_only=0
memory=1
memory_only=0
udp_loops=1          # FediTracker --Listen:UdpReceiveLoops for one core (1 measured best against 2 and 4 here)
workers_udp=8        # 8 sockets x 16 in flight: 128 requests outstanding; opentracker drops datagrams above ~256
inflight_udp=16
workers_http=64      # 64 connections, one request each in flight (no pipelining)
wrk_connections=64

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --redis) with_redis=1 ;;
    --rounds) rounds=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --no-build) build=0 ;;
    --out) out=$2; shift ;;
    --baseline) baseline=$(cd "$2" && pwd); shift ;;
    --udp-only) udp_only=1 ;;
    --no-memory) memory=0 ;;
    --memory-only) memory_only=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "Unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [ "$quick" -eq 1 ]; then
  rounds=1; seconds=4; warmup=2; prewarm=1; fill_torrents=10000
fi

for tool in dotnet opentracker wrk taskset curl; do
  command -v "$tool" >/dev/null || { echo "compare.sh needs '$tool' (Debian: opentracker, wrk, util-linux, curl)." >&2; exit 1; }
done
if [ "$(nproc)" -lt 2 ]; then
  echo "compare.sh pins the tracker to core 0 and the load to core 1: it needs at least 2 cores." >&2
  exit 1
fi

work=$(mktemp -d /tmp/feditracker-compare.XXXXXX)
chmod 755 "$work"
out=${out:-$work}
mkdir -p "$out"
results=$out/results.jsonl
log=$out/log.txt
: >"$results"
: >"$log"

started=()          # every tracker (and redis-server) this script starts, stopped by the trap
child=""            # the load generator or wrk running now
cleanup() {
  local status=$?
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; fi
  for pid in "${started[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  for pid in "${started[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  echo "Records and logs: $out" >&2
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "== $*" | tee -a "$log" >&2; }
indent() { sed 's/^/  /'; }

# Runs a command in the background and waits for it, so that a signal reaches the trap at once (bash defers traps
# until a foreground command ends). Output goes to the file named first.
run_child() {
  local file=$1 status=0
  shift
  "$@" >"$file" 2>&1 &
  child=$!
  wait "$child" || status=$?
  child=""
  return "$status"
}
loadavg() { cut -d' ' -f1 /proc/loadavg; }

# ---- build -------------------------------------------------------------------------------------------------------
lt_dll=benchmarks/FediTracker.LoadTest/bin/Release/net10.0/FediTracker.LoadTest.dll
if [ "$build" -eq 1 ]; then
  say "building (Release)"
  timeout 600 dotnet build benchmarks/FediTracker.LoadTest -c Release -nologo -v:q >>"$log"
  timeout 600 dotnet publish src/FediTracker.Server -c Release -o "$work/server" -nologo -v:q >>"$log"
else
  timeout 600 dotnet publish src/FediTracker.Server -c Release -o "$work/server" -nologo -v:q --no-build >>"$log"
fi
lt() { timeout 900 dotnet "$lt_dll" "$@"; }

mkdir -p "$work/ot"
chmod 755 "$work/ot"
lt hashes --torrents "$fill_torrents" --out "$work/ot/whitelist.txt" >>"$log"
chmod 644 "$work/ot/whitelist.txt"
lt wrk-paths --count 100000 --out "$work/wrk-paths.txt" >>"$log"

# ---- trackers ----------------------------------------------------------------------------------------------------
# Each start_* sets tracker_pid and tracker_port, and server_pids: the processes whose CPU counts as the tracker's
# (with Redis: FediTracker and its redis-server, both on core 0).
tracker_pid=""
tracker_port=""
server_pids=""

wait_tcp() { # port, seconds
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  return 1
}

start_opentracker() {
  tracker_port=$(lt free-port)
  taskset -c 0 opentracker -i 127.0.0.1 -p "$tracker_port" -P "$tracker_port" -d "$work/ot" -u nobody -w whitelist.txt \
    >>"$out/opentracker.log" 2>&1 &
  tracker_pid=$!
  server_pids=$tracker_pid
  started+=("$tracker_pid")
  wait_tcp "$tracker_port" 10 || { echo "opentracker did not start; see $out/opentracker.log" >&2; exit 1; }
}

# FediTracker's per-address rate limit (Tracker:RateLimitPerSecond, 100 a second by default) would refuse a load that
# comes from a handful of loopback addresses. It stays on, so that its check is part of every request as in
# production, at the highest rate and burst the configuration accepts, which this load never reaches.
# Tracker:AccessMode defaults to 'registered', which refuses every hash not registered through the admin API; the
# load's hashes are random, so FediTracker serves them in 'open' mode (opentracker gets them in its whitelist).
feditracker_args() { # port admin-port [extra...]
  local port=$1 admin=$2; shift 2
  echo --http "127.0.0.1:$port" --udp "127.0.0.1:$port" --admin "127.0.0.1:$admin" \
    --Listen:UdpReceiveLoops "$udp_loops" --Tracker:RateLimitPerSecond 1000000 --Tracker:RateLimitBurst 10000000 \
    --Tracker:AccessMode open --Logging:LogLevel:Default Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime Warning "$@"
}

start_feditracker() { # [extra args...]
  start_feditracker_from "$work/server" "$@"
}

start_feditracker_from() { # server-directory [extra args...]
  local dir=$1; shift
  tracker_port=$(lt free-port)
  local admin
  admin=$(lt free-port)
  # shellcheck disable=SC2046
  (cd "$dir" && exec taskset -c 0 dotnet FediTracker.Server.dll $(feditracker_args "$tracker_port" "$admin" "$@")) \
    >>"$out/feditracker.log" 2>&1 &
  tracker_pid=$!
  server_pids=$tracker_pid
  started+=("$tracker_pid")
  local deadline=$((SECONDS + 30))
  until curl -fsS "http://127.0.0.1:$admin/alive" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ] || ! kill -0 "$tracker_pid" 2>/dev/null; then
      echo "FediTracker did not start; see $out/feditracker.log" >&2; exit 1
    fi
    sleep 0.2
  done
}

redis_pid=""
redis_port=""
start_redis() {
  redis_port=$(lt free-port)
  taskset -c 0 redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$work" \
    >>"$out/redis.log" 2>&1 &
  redis_pid=$!
  started+=("$redis_pid")
  wait_tcp "$redis_port" 10 || { echo "redis-server did not start; see $out/redis.log" >&2; exit 1; }
}

# A fresh, empty redis-server for every start, so that no run inherits the swarms of the one before.
start_feditracker_redis() { # [server-directory]
  start_redis
  start_feditracker_from "${1:-$work/server}" --store redis --redis "127.0.0.1:$redis_port"
  server_pids="$tracker_pid,$redis_pid"
}

stop_tracker() {
  kill -TERM "$tracker_pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$tracker_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$tracker_pid" 2>/dev/null || true
  wait "$tracker_pid" 2>/dev/null || true
  if [ -n "$redis_pid" ]; then
    kill -TERM "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
    redis_pid=""
  fi
}

targets=(opentracker feditracker)
if [ -n "$baseline" ]; then
  [ -f "$baseline/FediTracker.Server.dll" ] || { echo "--baseline $baseline: no FediTracker.Server.dll there" >&2; exit 2; }
  targets+=(feditracker-base)
fi
if [ "$with_redis" -eq 1 ]; then
  if ! command -v redis-server >/dev/null; then
    say "skipping FediTracker over Redis: redis-server is not installed"
  else
    # Does this build know the Redis store? One that does keeps running against a live redis-server (the probe's
    # timeout ends it: 124); one that does not exits at once with a configuration error. (Against an unreachable
    # Redis a build with the registry in Redis refuses to start, so the probe needs a live one.)
    start_redis
    probe_status=0
    probe_output=$(cd "$work/server" && timeout 10 dotnet FediTracker.Server.dll --store redis --redis "127.0.0.1:$redis_port" \
      --http 127.0.0.1:0 --udp 127.0.0.1:0 --admin 127.0.0.1:0 2>&1) || probe_status=$?
    kill -TERM "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
    redis_pid=""
    if [ "$probe_status" -eq 124 ]; then
      targets+=(feditracker-redis)
      if [ -n "$baseline" ]; then targets+=(feditracker-base-redis); fi
    else
      say "skipping FediTracker over Redis: this build does not support '--store redis' (exit $probe_status: $(echo "$probe_output" | head -n 3 | tr '\n' ' '))"
    fi
  fi
fi

start_target() {
  case "$1" in
    opentracker) start_opentracker ;;
    feditracker) start_feditracker ;;
    feditracker-base) start_feditracker_from "$baseline" ;;
    feditracker-redis) start_feditracker_redis ;;
    feditracker-base-redis) start_feditracker_redis "$baseline" ;;
  esac
}

cpu_seconds() { # user+system CPU seconds of comma-separated processes together, from /proc/PID/stat (USER_HZ 100)
  local total=0 pid
  for pid in ${1//,/ }; do
    total=$(awk -v t="$total" '{ sub(/^.*\) /, ""); print t + ($12 + $13) / 100 }' "/proc/$pid/stat")
  done
  echo "$total"
}

to_us() { # wrk latency ("812.00us", "2.33ms", "1.02s") to microseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n * 1000; else if (v ~ /s$/) print n * 1000000; else print -1 }'
}

run_wrk() { # target round
  local target=$1 round=$2 url="http://127.0.0.1:$tracker_port"
  local cpu0 cpu1 l0 l1 output
  l0=$(loadavg); cpu0=$(cpu_seconds "$server_pids")
  run_child "$work/run.out" taskset -c 1 timeout $((seconds + 30)) wrk -t1 -c"$wrk_connections" -d"${seconds}s" --latency \
    -s benchmarks/wrk-announce.lua "$url" -- "$work/wrk-paths.txt" || say "wrk against $target ended with exit code $?"
  output=$(cat "$work/run.out")
  cpu1=$(cpu_seconds "$server_pids"); l1=$(loadavg)
  echo "$output" >>"$log"
  echo "$output" | indent >&2
  local rps p50 p99 read_errors other_errors non2xx cpu_pct per_cpu
  rps=$(echo "$output" | awk '/^Requests\/sec:/ { print $2 }')
  p50=$(to_us "$(echo "$output" | awk '$1 == "50%" { print $2 }')")
  p99=$(to_us "$(echo "$output" | awk '$1 == "99%" { print $2 }')")
  read_errors=$(echo "$output" | sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\2/p')
  other_errors=$(echo "$output" | sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \3 \4/p' \
    | awk '{ print $1 + $2 + $3 }')
  non2xx=$(echo "$output" | awk '/Non-2xx or 3xx responses:/ { print $NF }')
  cpu_pct=$(awk -v a="$cpu0" -v b="$cpu1" -v s="$seconds" 'BEGIN { printf "%.1f", 100 * (b - a) / s }')
  per_cpu=$(awk -v r="${rps:-0}" -v c="$cpu_pct" 'BEGIN { if (c > 0) printf "%.0f", r / (c / 100); else print -1 }')
  printf '{"kind":"load","label":"%s","test":"wrk-ka","round":%s,"protocol":"http","ok_per_s":%s,"p50_us":%s,"p99_us":%s,"p999_us":-1,"errors":%s,"lost_on_close":%s,"server_cpu_pct":%s,"per_server_cpu_second":%s,"load1_start":%s,"load1_end":%s}\n' \
    "$target" "$round" "${rps:-0}" "$p50" "$p99" $(( ${other_errors:-0} + ${non2xx:-0} )) "${read_errors:-0}" "$cpu_pct" "$per_cpu" "$l0" "$l1" >>"$results"
}

run_load() { # target round test [extra load-test args...]
  local target=$1 round=$2 test=$3; shift 3
  local output status=0
  run_child "$work/run.out" taskset -c 1 timeout $((seconds + warmup + 60)) dotnet "$lt_dll" --label "$target" --test "$test" \
    --round "$round" --seconds "$seconds" --warmup "$warmup" --server-pid "$server_pids" --json "$@" || status=$?
  output=$(cat "$work/run.out")
  echo "$output" >>"$log"
  if [ "$status" -ne 0 ]; then
    say "the $test run against $target ended with exit code $status (no successful replies, or a timeout)"
  fi
  echo "$output" | grep -v '^{' | indent >&2
  echo "$output" | tail -n 1 >>"$results"
}

warm_target() { # every path once, unmeasured: a fresh .NET process compiles (tiers up) Kestrel's and the tracker's
  # code during its first seconds of load; each run's own warm-up then only settles the state
  local t
  for t in "udp://127.0.0.1:$tracker_port" "http://127.0.0.1:$tracker_port/announce" "--http-close"; do
    if [ "$t" = --http-close ]; then
      run_child "$work/warm.out" taskset -c 1 timeout 60 dotnet "$lt_dll" --target "http://127.0.0.1:$tracker_port/announce" \
        --seconds "$prewarm" --warmup 0 --http-close || true
    else
      run_child "$work/warm.out" taskset -c 1 timeout 60 dotnet "$lt_dll" --target "$t" --seconds "$prewarm" --warmup 0 || true
    fi
  done
}

# ---- throughput, A B A B -----------------------------------------------------------------------------------------
say "$(date -u '+%Y-%m-%d %H:%M:%S UTC'); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "targets: ${targets[*]}; $rounds round(s); after each start ${prewarm} s per protocol unmeasured, then ${warmup} s warm-up + ${seconds} s per run; tracker on core 0, load on core 1"
throughput_rounds=$rounds
if [ "$memory_only" -eq 1 ]; then throughput_rounds=0; fi
for round in $(seq 1 "$throughput_rounds"); do
  for target in "${targets[@]}"; do
    say "round $round: $target (load average $(loadavg))"
    start_target "$target"
    warm_target
    run_load "$target" "$round" udp --target "udp://127.0.0.1:$tracker_port" --workers "$workers_udp" --inflight "$inflight_udp"
    if [ "$udp_only" -eq 0 ]; then
      run_load "$target" "$round" http-ka --target "http://127.0.0.1:$tracker_port/announce" --workers "$workers_http"
      run_load "$target" "$round" http-close --target "http://127.0.0.1:$tracker_port/announce" --workers "$workers_http" --http-close
      run_wrk "$target" "$round"
    fi
    stop_tracker
  done
done

# ---- memory per peer ---------------------------------------------------------------------------------------------
memory_targets=("${targets[@]}")
if [ "$memory" -eq 0 ]; then memory_targets=(); fi
for target in "${memory_targets[@]}"; do
  # The memory store's peers live in the tracker process; the Redis store's in redis-server, which takes a tenth of
  # the peers (its announces are some 30 times slower) and whose RSS is the one read.
  torrents=$fill_torrents measured_pid="" label=$target extra=()
  start_target "$target"
  case "$target" in
    opentracker) measured_pid=$tracker_pid ;;
    feditracker|feditracker-base) measured_pid=$tracker_pid; extra=(--induce-gc) ;;
    feditracker-redis|feditracker-base-redis) measured_pid=$redis_pid; torrents=$((fill_torrents / 10)); label="$target (redis-server)" ;;
  esac
  say "memory: $label, $torrents torrents x 10 peers (load average $(loadavg))"
  run_child "$work/run.out" taskset -c 1 timeout 900 dotnet "$lt_dll" fill --target "udp://127.0.0.1:$tracker_port" \
    --pid "$measured_pid" --label "$label" --fill-torrents "$torrents" --json "${extra[@]}" \
    || say "the memory fill of $target ended with exit code $?"
  output=$(cat "$work/run.out")
  echo "$output" >>"$log"
  echo "$output" | grep -v '^{' | indent >&2
  echo "$output" | grep '^{' | tail -n 1 >>"$results" || true
  stop_tracker
done

# The store's managed heap alone, in process (no runtime, sockets or GC reserve): the same peers as the fill.
if [ "$memory" -eq 1 ]; then
  lt store-memory --fill-torrents "$fill_torrents" --json | tee -a "$log" | grep '^{' >>"$results"
fi

say "done $(date -u '+%H:%M:%S UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
lt summarize "$results" | tee "$out/summary.md"
