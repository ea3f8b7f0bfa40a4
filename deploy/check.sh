#!/usr/bin/env bash
# Checks deploy/ without a Docker engine or a running systemd: the Prometheus configuration, alert rules and their
# unit tests, every PromQL query of the Grafana dashboard, the Grafana provisioning, the compose file (parsed, and
# every file it builds from or mounts present), the Dockerfile's inputs and the systemd unit.
# Installs nothing: a missing tool is named with the Debian package that provides it.
# Usage: bash deploy/check.sh   (from any directory). Exit code 0 only when every check passed.
set -euo pipefail

deploy_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$deploy_dir/.." && pwd)
cd "$repo_dir"

# --- tools -------------------------------------------------------------------------------------------------------
missing=()
command -v promtool >/dev/null 2>&1 || missing+=("promtool (Debian package: prometheus)")
command -v systemd-analyze >/dev/null 2>&1 || missing+=("systemd-analyze (Debian package: systemd)")

# The first python3 that can import yaml: the one on PATH, else Debian's own (python3-yaml installs for it).
python=
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import yaml' >/dev/null 2>&1; then
    python=$candidate
    break
  fi
done
[ -n "$python" ] || missing+=("python3 with the yaml module (Debian package: python3-yaml)")

if [ ${#missing[@]} -gt 0 ]; then
  echo "deploy/check.sh: missing tools; install them (apt-get install prometheus systemd python3-yaml):" >&2
  for m in "${missing[@]}"; do echo "  - $m" >&2; done
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
checks=0
pass() { checks=$((checks + 1)); echo "ok   $*"; }

# Runs a command quietly; on failure shows its output and stops.
run() {
  local what=$1; shift
  if ! "$@" >"$work/out" 2>&1; then
    echo "FAIL $what" >&2
    sed 's/^/     /' "$work/out" >&2
    exit 1
  fi
  pass "$what"
}

# --- Prometheus --------------------------------------------------------------------------------------------------
# rule_files in prometheus.yml are relative to prometheus.yml itself, so this works from any directory.
run "promtool check config deploy/prometheus/prometheus.yml (and the rule files it loads)" \
  promtool check config deploy/prometheus/prometheus.yml
run "promtool check rules deploy/prometheus/alerts.yml" \
  promtool check rules deploy/prometheus/alerts.yml
run "promtool test rules deploy/prometheus/alerts.test.yml (every alert fires when it should, and only then)" \
  promtool test rules deploy/prometheus/alerts.test.yml

# --- Grafana, compose, Dockerfile (python3 + yaml) ---------------------------------------------------------------
# Writes the dashboard's queries as recording rules into $work/dashboard-rules.yml, for promtool to parse below.
if ! "$python" - "$repo_dir" "$work" >"$work/py.out" 2>&1 <<'PY'
import json, os, re, sys
import yaml

repo, work = sys.argv[1], sys.argv[2]
deploy = os.path.join(repo, "deploy")
errors = []


def load_yaml(rel):
    with open(os.path.join(deploy, rel), encoding="utf-8") as f:
        return yaml.safe_load(f)


def concrete(expr):
    """A Grafana query with its variables replaced by values PromQL accepts."""
    expr = expr.replace("$__rate_interval", "5m").replace("$__interval", "1m").replace("$__range", "1h")
    return re.sub(r"\$\{?\w+\}?", ".*", expr)


def main():
    # Grafana dashboard: valid JSON, panels with unique ids, every query on the datasource variable.
    with open(os.path.join(deploy, "grafana/dashboards/feditracker.json"), encoding="utf-8") as f:
        dashboard = json.load(f)
    panels = []
    for p in dashboard.get("panels", []):
        panels.append(p)
        panels.extend(p.get("panels", []))
    ids = [p.get("id") for p in panels]
    if len(ids) != len(set(ids)):
        errors.append("dashboard: panel ids are not unique")
    exprs = []
    for p in panels:
        if p.get("type") == "row":
            continue
        if "gridPos" not in p:
            errors.append(f"dashboard: panel '{p.get('title')}' has no gridPos")
        targets = p.get("targets") or []
        if not targets:
            errors.append(f"dashboard: panel '{p.get('title')}' has no query")
        for t in targets:
            if t.get("datasource", p.get("datasource", {})).get("uid") != "${datasource}":
                errors.append(f"dashboard: panel '{p.get('title')}' does not use the $datasource variable")
            exprs.append((p.get("title"), t["expr"]))
    variables = {v["name"] for v in dashboard.get("templating", {}).get("list", [])}
    for needed in ("datasource", "instance"):
        if needed not in variables:
            errors.append(f"dashboard: template variable ${needed} is missing")
    # Each query as a recording rule, for promtool to parse.
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:query_{i}", "expr": concrete(e)} for i, (_, e) in enumerate(exprs)]}]}
    with open(os.path.join(work, "dashboard-rules.yml"), "w", encoding="utf-8") as f:
        yaml.safe_dump(rules, f)
    rows = sum(1 for p in panels if p.get("type") == "row")
    print(f"ok   grafana/dashboards/feditracker.json: valid JSON, {len(panels) - rows} panels in {rows} rows, {len(exprs)} queries")

    # Grafana provisioning: the data source is the compose Prometheus, the provider reads where compose mounts the JSON.
    ds = load_yaml("grafana/provisioning/datasources/prometheus.yml")
    if not any(d.get("type") == "prometheus" and d.get("url") == "http://prometheus:9090" for d in ds.get("datasources", [])):
        errors.append("grafana datasource: no prometheus data source at http://prometheus:9090")
    providers = load_yaml("grafana/provisioning/dashboards/feditracker.yml").get("providers", [])
    provider_paths = {p.get("options", {}).get("path") for p in providers}
    print("ok   grafana/provisioning: data source and dashboard provider parsed")

    # compose.yaml: parsed, the expected services, and every build input and mounted file present.
    compose = load_yaml("compose.yaml")
    services = compose.get("services", {})
    for name in ("tracker-1", "tracker-2", "redis", "redis-registry", "prometheus", "grafana"):
        if name not in services:
            errors.append(f"compose: service {name} is missing")
    mounted_targets = {}
    for name, svc in services.items():
        build = svc.get("build")
        if build:
            context = os.path.normpath(os.path.join(deploy, build.get("context", ".") if isinstance(build, dict) else build))
            dockerfile = os.path.join(context, build.get("dockerfile", "Dockerfile")) if isinstance(build, dict) else os.path.join(context, "Dockerfile")
            if not os.path.isdir(context):
                errors.append(f"compose: {name}: build context {context} does not exist")
            if not os.path.isfile(dockerfile):
                errors.append(f"compose: {name}: {dockerfile} does not exist")
        for volume in svc.get("volumes", []):
            source, target = (volume.get("source"), volume.get("target")) if isinstance(volume, dict) else (volume.split(":")[0], volume.split(":")[1])
            if source.startswith((".", "/")):
                path = os.path.normpath(os.path.join(deploy, source))
                if not os.path.exists(path):
                    errors.append(f"compose: {name} mounts {source}, which does not exist")
                mounted_targets[target] = path
            elif source not in (compose.get("volumes") or {}):
                errors.append(f"compose: {name} uses volume {source}, which is not declared")
        for port in svc.get("ports", []):
            if str(port).split("/")[0].endswith(":6970") or str(port).split("/")[0] == "6970":
                errors.append(f"compose: {name} publishes the admin port 6970 on the host")
    for node in ("tracker-1", "tracker-2"):
        env = services.get(node, {}).get("environment", {})
        if env.get("Store__Kind") != "redis" or env.get("Store__Redis") != "redis:6379":
            errors.append(f"compose: {node} is not on the shared Redis store")
        if env.get("Listen__Admin") != "0.0.0.0:6970":
            errors.append(f"compose: {node}: the admin listener must be 0.0.0.0:6970 inside the compose network")
    secrets = {str(services.get(n, {}).get("environment", {}).get("Listen__UdpConnectionSecret")) for n in ("tracker-1", "tracker-2")}
    if len(secrets) != 1 or not next(iter(secrets)).startswith("${"):
        errors.append("compose: both nodes must take the same Listen__UdpConnectionSecret from a variable, never a literal")
    redis_command = " ".join(services.get("redis", {}).get("command", []))
    for flag in ("--appendonly yes", "--appendfsync everysec"):
        if flag not in redis_command:
            errors.append(f"compose: redis runs without {flag}")
    if "/etc/prometheus" in mounted_targets:
        prometheus_dir = mounted_targets["/etc/prometheus"]
        for f in ("prometheus.yml", "alerts.yml"):
            if not os.path.isfile(os.path.join(prometheus_dir, f)):
                errors.append(f"compose: prometheus's mounted folder has no {f}")
    else:
        errors.append("compose: prometheus does not mount its configuration at /etc/prometheus")
    for path in provider_paths:
        if path not in mounted_targets or not os.path.isfile(os.path.join(mounted_targets[path], "feditracker.json")):
            errors.append(f"compose: the dashboard provider reads {path}, where compose mounts no feditracker.json")
    # Every variable compose.yaml interpolates is explained in .env.example.
    with open(os.path.join(deploy, "compose.yaml"), encoding="utf-8") as f:
        used = set(re.findall(r"\$\{(\w+)", f.read()))
    with open(os.path.join(deploy, ".env.example"), encoding="utf-8") as f:
        example = f.read()
    for var in sorted(used):
        if not re.search(rf"^#?\s*{var}=", example, re.M):
            errors.append(f".env.example does not mention {var}")
    for line in example.splitlines():
        m = re.match(r"^(FEDITRACKER_UDP_SECRET|GRAFANA_ADMIN_PASSWORD)=(.*)$", line)
        if m and m.group(2).strip():
            errors.append(f".env.example holds a value for {m.group(1)}; it must stay empty")
    print(f"ok   compose.yaml: parsed, {len(services)} services, every build input and mounted file present, .env.example covers {len(used)} variables")

    # Dockerfile: what it copies exists; it has a health check and runs as a non-root user.
    with open(os.path.join(deploy, "Dockerfile"), encoding="utf-8") as f:
        dockerfile = f.read()
    for m in re.finditer(r"^COPY (?!--from)(.+)$", dockerfile, re.M):
        for source in m.group(1).split()[:-1]:
            if not os.path.exists(os.path.join(repo, source)):
                errors.append(f"Dockerfile copies {source}, which does not exist")
    if not re.search(r"^HEALTHCHECK .*CMD \[", dockerfile, re.M | re.S):
        errors.append("Dockerfile: no exec-form HEALTHCHECK")
    user = re.findall(r"^USER (\S+)", dockerfile, re.M)
    if not user or user[-1] in ("root", "0"):
        errors.append("Dockerfile: does not end as a non-root user")
    for port in ("6969/tcp", "6969/udp", "6970/tcp"):
        if port not in dockerfile:
            errors.append(f"Dockerfile: does not expose {port}")
    print("ok   Dockerfile: every COPY source present, exec-form HEALTHCHECK, non-root USER, ports exposed")

    if errors:
        for e in errors:
            print("FAIL " + e)
        sys.exit(1)

try:
    main()
except (OSError, ValueError, KeyError, TypeError, AttributeError, yaml.YAMLError) as e:
    print(f"FAIL {type(e).__name__}: {e}")
    sys.exit(1)
PY
then
  cat "$work/py.out" >&2
  exit 1
fi
cat "$work/py.out"
checks=$((checks + $(grep -c '^ok ' "$work/py.out")))

run "promtool check rules: every PromQL query of the Grafana dashboard parses" \
  promtool check rules "$work/dashboard-rules.yml"

# --- systemd -----------------------------------------------------------------------------------------------------
# systemd-analyze verify also checks that ExecStart's program exists on this machine; /usr/bin/dotnet is a fact of
# the target host, not of the unit, so a copy runs /bin/true with the same arguments. systemd 252 only warns (exit
# 0) on unknown or malformed directives, so any output at all counts as a failure.
mkdir -p "$work/systemd"
sed -E 's#^ExecStart=[^ ]+#ExecStart=/bin/true#' deploy/feditracker.service >"$work/systemd/feditracker.service"
if ! systemd-analyze verify "$work/systemd/feditracker.service" >"$work/out" 2>&1 || [ -s "$work/out" ]; then
  echo "FAIL systemd-analyze verify deploy/feditracker.service" >&2
  sed "s#$work/systemd/#deploy/#; s/^/     /" "$work/out" >&2
  exit 1
fi
pass "systemd-analyze verify deploy/feditracker.service (no warning; ExecStart's program stubbed with /bin/true)"
if exposure=$(systemd-analyze security --offline=yes "$work/systemd/feditracker.service" 2>/dev/null | grep -o 'Overall exposure level.*'); then
  echo "     ${exposure/$work\/systemd\//}"
fi

echo "deploy/check.sh: $checks checks passed"
