#!/usr/bin/env bash
# Hashing throughput of `make-torrent` (v1-only, v2-only, hybrid) next to sha1sum and sha256sum on the same file.
#
#   benchmarks/hash-throughput.sh [FILE]     (default: a fresh file of SIZE_MIB MiB of random bytes, 1024 by default)
#
# The file is read once beforehand so every run hashes from the page cache. Each command runs RUNS times (default 3)
# and the best wall-clock time counts; MB/s is 10^6 bytes per second. make-torrent's time includes starting the .NET
# process; the line "make-torrent, 1-byte file" measures that start-up alone.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-3}
size_mib=${SIZE_MIB:-1024}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

file=${1:-}
if [ -z "$file" ]; then
  file="$work/content.bin"
  head -c "$((size_mib * 1024 * 1024))" /dev/urandom > "$file"
fi
bytes=$(stat -c %s "$file")
head -c 1 /dev/urandom > "$work/one.bin"

dotnet build src/FediTracker.Server -c Release -nologo -v:q >/dev/null
server=src/FediTracker.Server/bin/Release/net10.0/FediTracker.Server
cat "$file" > /dev/null

best() { # best wall-clock seconds of RUNS runs of the command
  local best_s=
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null
    end=$(date +%s.%N)
    best_s=$(awk -v a="$start" -v b="$end" -v best="$best_s" 'BEGIN { t = b - a; if (best == "" || t < best) best = t; printf "%.3f", best }')
  done
  echo "$best_s"
}

report() { # name, seconds
  awk -v name="$1" -v s="$2" -v n="$bytes" 'BEGIN { printf "%-34s %8.3f s %8.0f MB/s\n", name, s, n / s / 1e6 }'
}

echo "file: $file ($bytes bytes); $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
report "sha1sum" "$(best sha1sum "$file")"
report "sha256sum" "$(best sha256sum "$file")"
make() { "$server" make-torrent "$@" --announce http://127.0.0.1:6969/announce --no-date -o "$work/out.torrent"; }
report "make-torrent --v1-only" "$(best make "$file" --v1-only)"
report "make-torrent --v2-only" "$(best make "$file" --v2-only)"
report "make-torrent (hybrid)" "$(best make "$file")"
startup=$(best make "$work/one.bin")
echo "make-torrent, 1-byte file: $startup s (process start-up, included above)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
