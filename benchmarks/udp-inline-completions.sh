#!/usr/bin/env bash
# What the async socket completions cost FediTracker's UDP path on one core: the same published build, pinned to
# core 0, once as shipped and once with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 (a receive continuation runs
# on the socket engine's own thread instead of hopping to the thread pool), alternating, N rounds. The UDP load comes
# from benchmarks/FediTracker.LoadTest on core 1. Reports replies/s, tracker CPU, replies per tracker CPU-second and
# context switches of the tracker per request (its threads, from /proc/PID/task/*/status; a lower bound, since a
# thread that ends during the run takes its count with it).
#
#   benchmarks/udp-inline-completions.sh [--rounds N] [--seconds N] [--no-build]
#
# About 2 minutes with the defaults (3 rounds x 2 variants x 15 s). Stops what it starts, however it exits.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

rounds=3
seconds=10
warmup=5
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --no-build) build=0 ;;
    *) echo "Unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

work=$(mktemp -d /tmp/feditracker-inline.XXXXXX)
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

lt_dll=benchmarks/FediTracker.LoadTest/bin/Release/net10.0/FediTracker.LoadTest.dll
if [ "$build" -eq 1 ]; then
  timeout 600 dotnet build benchmarks/FediTracker.LoadTest -c Release -nologo -v:q >"$work/build.log"
  timeout 600 dotnet publish src/FediTracker.Server -c Release -o "$work/server" -nologo -v:q >>"$work/build.log"
else
  timeout 600 dotnet publish src/FediTracker.Server -c Release -o "$work/server" -nologo -v:q --no-build >"$work/build.log"
fi

snapshot() { # "tid switches" for every thread of a process (voluntary + involuntary context switches)
  for task in /proc/"$1"/task/*; do
    awk -v tid="${task##*/}" '/ctxt_switches/ { s += $2 } END { print tid, s + 0 }' "$task/status" 2>/dev/null || true
  done
}

switched() { # context switches between two snapshots: threads in both count their growth, new threads all of
  # theirs; a thread that ended in between is missed, so this is a lower bound.
  awk 'NR == FNR { before[$1] = $2; next } { s += $2 - (($1 in before) ? before[$1] : 0) } END { print s + 0 }' "$1" "$2"
}

printf '| round | variant | replies/s | tracker CPU %% | replies per tracker CPU-s | context switches per request | load avg |\n'
printf '|---:|---|---:|---:|---:|---:|---:|\n'
for round in $(seq 1 "$rounds"); do
  for variant in default inline; do
    port=$(timeout 60 dotnet "$lt_dll" free-port)
    admin=$(timeout 60 dotnet "$lt_dll" free-port)
    env_value=0
    if [ "$variant" = inline ]; then env_value=1; fi
    (cd "$work/server" && DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=$env_value exec taskset -c 0 dotnet FediTracker.Server.dll \
      --http "127.0.0.1:$port" --udp "127.0.0.1:$port" --admin "127.0.0.1:$admin" --Listen:UdpReceiveLoops 1 \
      --Tracker:RateLimitPerSecond 1000000 --Tracker:RateLimitBurst 10000000 --Tracker:AccessMode open \
      --Logging:LogLevel:Default Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime Warning) >>"$work/server.log" 2>&1 &
    server=$!
    deadline=$((SECONDS + 30))
    until curl -fsS "http://127.0.0.1:$admin/alive" >/dev/null 2>&1; do
      [ $SECONDS -lt $deadline ] || { echo "FediTracker did not start; see $work/server.log" >&2; exit 1; }
      sleep 0.2
    done
    # Warm up (JIT tiers), then measure with the switch count taken around the measured run only.
    taskset -c 1 timeout 120 dotnet "$lt_dll" --target "udp://127.0.0.1:$port" --seconds "$warmup" --warmup 0 >/dev/null &
    child=$!; wait "$child"; child=""
    snapshot "$server" >"$work/before"
    taskset -c 1 timeout 120 dotnet "$lt_dll" --target "udp://127.0.0.1:$port" --seconds "$seconds" --warmup 0 \
      --server-pid "$server" --json >"$work/run.out" &
    child=$!; wait "$child"; child=""
    snapshot "$server" >"$work/after"
    count=$(switched "$work/before" "$work/after")
    tail -n 1 "$work/run.out" | awk -v r="$round" -v v="$variant" -v n="$count" '
      { match($0, /"ok_per_s":[0-9.]+/); ok = substr($0, RSTART + 11, RLENGTH - 11)
        match($0, /"sent":[0-9]+/); sent = substr($0, RSTART + 7, RLENGTH - 7)
        match($0, /"server_cpu_pct":[0-9.]+/); cpu = substr($0, RSTART + 17, RLENGTH - 17)
        match($0, /"per_server_cpu_second":[0-9.]+/); per = substr($0, RSTART + 24, RLENGTH - 24)
        match($0, /"load1_start":[0-9.]+/); load = substr($0, RSTART + 14, RLENGTH - 14)
        printf "| %s | %s | %.0f | %s | %s | %.3f | %s |\n", r, v, ok, cpu, per, n / sent, load }'
    kill -TERM "$server"; wait "$server" 2>/dev/null || true; server=""
  done
done
rm -rf "$work"
