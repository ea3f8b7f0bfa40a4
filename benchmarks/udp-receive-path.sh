#!/usr/bin/env bash
# The UDP receive path of one or more published FediTracker builds, alternating, N rounds: replies/s, tracker CPU,
# replies per tracker CPU-second, context switches of the tracker per request (its threads, from
# /proc/PID/task/*/status; a lower bound, since a thread that ends during the run takes its count with it) and
# bytes the whole server process allocated per request (dotnet_gc_heap_total_allocated_bytes_total from /metrics
# before and after the run, less what a scrape with no load in between allocates).
# Tracker pinned to core 0, the UDP load (benchmarks/FediTracker.LoadTest, built) on core 1.
#
#   benchmarks/udp-receive-path.sh [--rounds N] [--seconds N] [--warmup N] [--load "LOADTEST ARGS"] [--http]
#                                  LABEL=SERVER_DIR [...]
#
# --http drives HTTP announces over keep-alive connections (64 workers) instead of UDP: the same figures for
# Kestrel's path, whose allocations include Kestrel's own per request.
#
# --load passes workload options to the load generator, for warm-up and measurement alike; e.g.
# --load "--torrents 10 --peers 1000 --started 0 --stopped 0" is a steady state in which every announce after the
# warm-up re-announces a peer the store already holds (10 000 pairs), where the default workload (100 000 peers over
# 10 000 torrents) keeps filing new peers.
#
# A SERVER_DIR is the output of 'dotnet publish src/FediTracker.Server -c Release -o DIR'; a file DIR/server.env
# (lines of NAME=VALUE) adds environment variables to that build's server only, e.g. DOTNET_GCgen0size=0x400000 to
# compare GC settings on one build in one run. Stops what it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

rounds=3
seconds=10
warmup=5
builds=()
load_args=()
scheme=udp
path=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --http) scheme=http; path=/announce; load_args+=(--workers 64) ;;
    --load) read -r -a load_args <<<"$2"; shift ;;
    *=*) builds+=("$1") ;;
    *) echo "Unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
[ ${#builds[@]} -gt 0 ] || { echo "Give at least one LABEL=SERVER_DIR." >&2; exit 2; }

lt_dll=benchmarks/FediTracker.LoadTest/bin/Release/net10.0/FediTracker.LoadTest.dll
[ -f "$lt_dll" ] || { echo "Build benchmarks/FediTracker.LoadTest (Release) first." >&2; exit 1; }
work=$(mktemp -d /tmp/feditracker-udp-path.XXXXXX)
server=""
child=""
cleanup() {
  local status=$?
  for pid in $child $server; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

snapshot() { # "tid switches" for every thread of a process (voluntary + involuntary context switches)
  for task in /proc/"$1"/task/*; do
    awk -v tid="${task##*/}" '/ctxt_switches/ { s += $2 } END { print tid, s + 0 }' "$task/status" 2>/dev/null || true
  done
}
switched() { awk 'NR == FNR { before[$1] = $2; next } { s += $2 - (($1 in before) ? before[$1] : 0) } END { print s + 0 }' "$1" "$2"; }
allocated() { # bytes the server has allocated so far, from its own /metrics
  curl -fsS "http://127.0.0.1:$1/metrics" | awk '/^dotnet_gc_heap_total_allocated_bytes_total/ && !seen { print $2; seen = 1 }'
}

printf '| round | build | replies/s | tracker CPU %% | replies per tracker CPU-s | context switches per request | bytes allocated per request | load avg |\n'
printf '|---:|---|---:|---:|---:|---:|---:|---:|\n'
for round in $(seq 1 "$rounds"); do
  for build in "${builds[@]}"; do
    label=${build%%=*}
    dir=${build#*=}
    port=$(timeout 60 dotnet "$lt_dll" free-port)
    admin=$(timeout 60 dotnet "$lt_dll" free-port)
    server_env=()
    [ -f "$dir/server.env" ] && mapfile -t server_env < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$dir/server.env")
    (cd "$dir" && exec env "${server_env[@]}" taskset -c 0 dotnet FediTracker.Server.dll \
      --http "127.0.0.1:$port" --udp "127.0.0.1:$port" --admin "127.0.0.1:$admin" --Listen:UdpReceiveLoops 1 \
      --Tracker:RateLimitPerSecond 1000000 --Tracker:RateLimitBurst 10000000 --Tracker:AccessMode open \
      --Logging:LogLevel:Default Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime Warning) >>"$work/server.log" 2>&1 &
    server=$!
    deadline=$((SECONDS + 30))
    until curl -fsS "http://127.0.0.1:$admin/alive" >/dev/null 2>&1; do
      [ $SECONDS -lt $deadline ] || { echo "FediTracker did not start; see $work/server.log" >&2; exit 1; }
      sleep 0.2
    done
    taskset -c 1 timeout 120 dotnet "$lt_dll" --target "$scheme://127.0.0.1:$port$path" --seconds "$warmup" --warmup 0 "${load_args[@]}" >/dev/null &
    child=$!; wait "$child"; child=""
    # What one scrape allocates by itself (the exporter's collection), measured with no load in between.
    a0=$(allocated "$admin"); sleep 1; a1=$(allocated "$admin")
    snapshot "$server" >"$work/before"
    b0=$(allocated "$admin")
    taskset -c 1 timeout 120 dotnet "$lt_dll" --target "$scheme://127.0.0.1:$port$path" --seconds "$seconds" --warmup 0 "${load_args[@]}" \
      --server-pid "$server" --json >"$work/run.out" &
    child=$!; wait "$child"; child=""
    b1=$(allocated "$admin")
    snapshot "$server" >"$work/after"
    count=$(switched "$work/before" "$work/after")
    tail -n 1 "$work/run.out" | awk -v r="$round" -v v="$label" -v n="$count" -v a0="$a0" -v a1="$a1" -v b0="$b0" -v b1="$b1" '
      { match($0, /"ok_per_s":[0-9.]+/); ok = substr($0, RSTART + 11, RLENGTH - 11)
        match($0, /"sent":[0-9]+/); sent = substr($0, RSTART + 7, RLENGTH - 7)
        match($0, /"server_cpu_pct":[0-9.]+/); cpu = substr($0, RSTART + 17, RLENGTH - 17)
        match($0, /"per_server_cpu_second":[0-9.]+/); per = substr($0, RSTART + 24, RLENGTH - 24)
        match($0, /"load1_start":[0-9.]+/); load = substr($0, RSTART + 14, RLENGTH - 14)
        alloc = (b1 - b0) - (a1 - a0); if (alloc < 0) alloc = 0
        printf "| %s | %s | %.0f | %s | %s | %.3f | %.2f | %s |\n", r, v, ok, cpu, per, n / sent, alloc / sent, load }'
    kill -TERM "$server"; wait "$server" 2>/dev/null || true; server=""
  done
done
rm -rf "$work"
