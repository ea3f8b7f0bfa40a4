#!/usr/bin/env bash
# Installs what the tests need (Debian packages), builds the whole solution (benchmarks included) and runs every
# test project. Ends with one line: "N passed, N failed". Exit code 0 only when every test passed.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# prometheus (promtool), python3-yaml and systemd (systemd-analyze): deploy/check.sh and DeployTests.
# transmission-cli (transmission-show) and mktorrent: TorrentClientTests. procps (kill): ServerProcessTests send SIGTERM.
packages=(redis-server redis-tools python3-libtorrent aria2 opentracker prometheus python3-yaml systemd transmission-cli mktorrent procps)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "Installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

configuration=${CONFIGURATION:-Release}
results=artifacts/test-results
rm -rf "$results"

status=0
# deploy/: Prometheus rules and their tests, dashboard queries, compose, Dockerfile inputs, systemd unit.
bash deploy/check.sh || status=$?

dotnet build FediTracker.sln -c "$configuration" -warnaserror -nologo -v:q

# A hung test (a deadlock, a client that never exits) is dumped and killed rather than eating CI's time.
dotnet test FediTracker.sln -c "$configuration" --no-build --nologo --blame-hang-timeout 10m \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" || status=$?

passed=0; failed=0; total=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); total=$((total + ${t:-0}))
done
if [ "$total" -eq 0 ]; then
  echo "No test results were found in $results" >&2
  status=1
fi
echo "$passed passed, $failed failed"
exit "$status"
