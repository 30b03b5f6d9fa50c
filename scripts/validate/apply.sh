#!/usr/bin/env bash
# The apply harness: runs an output folder's Ansible playbook for real on a fresh Debian machine, twice, and checks
# the machine it made.
#
#   scripts/validate/apply.sh RELEASE OUTPUT_DIR [UNIT...]
#
# RELEASE is bookworm or trixie. The machine is a Debian root made by debootstrap from the Debian archive (cached in
# $RIG_APPLY_CACHE, default /var/cache/rig-apply, and remade when the package list below changes), copied afresh for
# each run and booted with `systemd-nspawn -b` (systemd as PID 1; on a host whose own init is not systemd,
# --register=no --keep-unit). Ansible runs on this host from .venv and reaches the container through its
# namespaces (connection community.docker.nsenter). Passes when:
#   - run 1 has failed=0 and unreachable=0;
#   - run 2 has changed=0 and failed=0 (the playbook is idempotent);
#   - every package of the playbook's apt tasks is installed at the version the playbook pins (dpkg-query);
#   - every unit the playbook starts, and every UNIT named on the command line, is active;
#   - every service rig writes or extends runs with the environment its unit sets (its main process's environ),
#     secrets included: each credential a unit loads (LoadCredential=ID:PATH) is put at PATH before the run with a
#     stand-in value, as the machine's operator puts the real one;
#   - every slice rig writes has its AllowedCPUs= and MemoryMax=, and the services that name it run in it;
#   - with monitoring: Prometheus lists rig's alert rules, and a critical temperature alert posted to Alertmanager
#     makes the thermal guard freeze the GPU services, its resolution thaw them (the power limit needs the GPU).
# Downloads from outside the Debian archive (release archives on GitHub, which this machine cannot reach) come from
# a mirror the harness serves on 127.0.0.1, through the playbook's rig_mirror_* variables: for each release archive
# it unpacks, a stand-in archive of the same name and layout whose programs are shell scripts that stay up like a
# server (`sleep infinity`), so the download, unpack and link tasks, and the services that run them, run for real.
# Tasks tagged `hardware` (they need a physical NVIDIA GPU) and `kubernetes` (they need a cluster) are skipped.
# A fleet's output (ansible/tasks/HOST.yml for each host) boots one machine per inventory host, each named after it
# and in a network namespace of its own at its inventory address (ansible_host), on a bridge this script makes; the
# playbook runs once over all of them (its hosts go on at once), twice, and each machine is checked as above with
# its own files (hosts/HOST/), and by `rig verify --host HOST`. Their apt reaches the Debian archive through a proxy
# this script serves on the bridge, the release archives' stand-ins through a mirror there too.
# Needs root, debootstrap and systemd-container (scripts/bootstrap.sh installs them), zstd and xz for the stand-in
# archives, and the Debian archive.
set -euo pipefail

release=${1:?usage: apply.sh RELEASE OUTPUT_DIR [UNIT...]}
output=$(cd "${2:?usage: apply.sh RELEASE OUTPUT_DIR [UNIT...]}" && pwd)
shift 2
units=("$@")
root_dir=$(cd "$(dirname "$0")/../.." && pwd)
venv=${RIG_VENV:-$root_dir/.venv}
cache=${RIG_APPLY_CACHE:-/var/cache/rig-apply}
mirror=${RIG_DEBIAN_MIRROR:-http://deb.debian.org/debian}

fail() { echo "apply: FAIL: $*" >&2; exit 1; }
case "$release" in bookworm | trixie) ;; *) fail "release '$release' is not bookworm or trixie" ;; esac
[ "$(id -u)" = 0 ] || fail "needs root (debootstrap, systemd-nspawn)"
for tool in debootstrap systemd-nspawn nsenter; do command -v "$tool" >/dev/null || fail "$tool missing"; done
[ -x "$venv/bin/ansible-playbook" ] || fail "$venv/bin/ansible-playbook missing (scripts/bootstrap.sh)"
[ -f "$output/ansible/site.yml" ] || fail "$output/ansible/site.yml missing"

# What a fresh Debian machine has besides the minimal base: systemd as init, and what Ansible's apt and
# deb822_repository modules need (python3-apt, python3-debian); sudo for the play's `become`.
packages=systemd,systemd-sysv,dbus,sudo,python3,python3-apt,python3-debian,ca-certificates
base="$cache/$release-root"
stamp="$cache/$release-root.packages"
mkdir -p "$cache"
exec 9>"$cache/$release.lock"
flock 9
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$packages $mirror" ]; then
  echo "apply: debootstrap $release into $base (once; cached)"
  rm -rf "$base" "$stamp"
  debootstrap --variant=minbase --include="$packages" "$release" "$base.new" "$mirror" >"$cache/$release.log" 2>&1 ||
    { tail -n 20 "$cache/$release.log" >&2; rm -rf "$base.new"; fail "debootstrap $release failed"; }
  mv "$base.new" "$base"
  printf '%s' "$packages $mirror" >"$stamp"
fi

work=$(mktemp -d /var/tmp/rig-apply.XXXXXX)
nspawns=()
servers=()
netns=()
bridge=""
cleanup() {
  # SIGKILL: a test runner may start this script with SIGTERM blocked, which its children inherit.
  local pid ns
  for pid in ${servers[@]+"${servers[@]}"}; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in ${nspawns[@]+"${nspawns[@]}"}; do
    kill -0 "$pid" 2>/dev/null || continue
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  for ns in ${netns[@]+"${netns[@]}"}; do ip netns delete "$ns" 2>/dev/null || true; done
  [ -z "$bridge" ] || ip link delete "$bridge" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The machines: one, named after the inventory's host; or a fleet's hosts, each with its own files and address.
declare -A files tasks address leaders
if [ -d "$output/ansible/tasks" ]; then
  fleet=1
  mapfile -t hosts < <("$venv/bin/python" -c 'import sys, yaml; print("\n".join(yaml.safe_load(open(sys.argv[1]))["all"]["hosts"]))' "$output/ansible/inventory.yml")
  for h in "${hosts[@]}"; do
    files[$h]=$output/hosts/$h
    tasks[$h]=$output/ansible/tasks/$h.yml
    address[$h]=$("$venv/bin/python" -c 'import sys, yaml; print((yaml.safe_load(open(sys.argv[1])) or {}).get("ansible_host", ""))' "$output/ansible/host_vars/$h.yml")
    [[ ${address[$h]} =~ ^10\.10\.0\.([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 2 ] && [ "${BASH_REMATCH[1]}" -le 254 ] ||
      fail "host $h: the harness gives fleet machines addresses in 10.10.0.2-254 (its bridge is 10.10.0.1); its ansible_host is '${address[$h]}'"
  done
  # The bridge the machines' network namespaces hang on, this host's end at 10.10.0.1.
  bridge=rigbr$$
  ip link add "$bridge" type bridge
  ip addr add 10.10.0.1/24 dev "$bridge"
  ip link set "$bridge" up
  gateway=10.10.0.1
else
  fleet=0
  # The inventory's host name is the machine's name, as on a real host.
  hosts=("$(awk '/^    [A-Za-z0-9]/ { sub(":.*", "", $1); print $1; exit }' "$output/ansible/inventory.yml")")
  [ -n "${hosts[0]}" ] || hosts=(rig-apply)
  files[${hosts[0]}]=$output
  tasks[${hosts[0]}]=$output/ansible/site.yml
  gateway=127.0.0.1
fi

# The Debian archive through a proxy on the bridge, for machines in network namespaces of their own.
if [ "$fleet" = 1 ]; then
  proxy_port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("10.10.0.1", 0)); print(s.getsockname()[1])')
  "$venv/bin/python" - "$proxy_port" >"$work/proxy.log" 2>&1 <<'PY' &
import shutil, sys, urllib.error, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Proxy(BaseHTTPRequestHandler):
    """apt's GET and HEAD requests (absolute http:// URLs), fetched from the archive and passed back."""
    def relay(self, body):
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("range", "if-modified-since", "user-agent")}
        request = urllib.request.Request(self.path, headers=headers, method=self.command)
        try:
            response = urllib.request.urlopen(request, timeout=120)
        except urllib.error.HTTPError as error:
            response = error
        except Exception:
            self.send_error(502)
            return
        self.send_response(response.status if hasattr(response, "status") else response.code)
        for key in ("Content-Type", "Content-Length", "Last-Modified", "Content-Range", "Accept-Ranges"):
            if response.headers.get(key):
                self.send_header(key, response.headers[key])
        self.end_headers()
        if body:
            shutil.copyfileobj(response, self.wfile)
    def do_GET(self): self.relay(True)
    def do_HEAD(self): self.relay(False)

ThreadingHTTPServer(("10.10.0.1", int(sys.argv[1])), Proxy).serve_forever()
PY
  servers+=($!)
  disown "$!"
fi

index=0
for h in "${hosts[@]}"; do
  index=$((index + 1))
  root=$work/machines/$h
  mkdir -p "$work/machines"
  cp -a --reflink=auto "$base" "$root"
  # The sources a Debian installation starts with (debian-installer writes the release, its updates and its
  # security suite, main); debootstrap alone writes the release's main only.
  security=${RIG_DEBIAN_SECURITY:-http://security.debian.org/debian-security}
  printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s %s-security main\n' \
    "$mirror" "$release" "$mirror" "$release" "$security" "$release" >"$root/etc/apt/sources.list"
  echo "$h" >"$root/etc/hostname"
  # As Debian's installer writes it: the machine's own name resolves without a name server (sudo looks it up at
  # every `become`, and a machine in a network namespace of its own has no name server to ask).
  printf '127.0.1.1\t%s\n' "$h" >>"$root/etc/hosts"
  # The operator's part: each secret a unit loads, at its path, readable by root alone (a stand-in value here).
  shopt -s nullglob
  written=("${files[$h]}"/systemd/*.service "${files[$h]}"/systemd/*.service.d/*.conf)
  shopt -u nullglob
  if [ ${#written[@]} -gt 0 ]; then
    sed -n 's/^LoadCredential=//p' "${written[@]}" | sort -u | while IFS=: read -r id path; do
      install -d -m 0700 "$root${path%/*}"
      printf 'rig-apply-%s' "$id" >"$root$path"
      chmod 0600 "$root$path"
    done
  fi
  # Downloaded packages are kept between runs (apt's own cache, bound into the machine; one a machine, as each
  # runs apt at the same time), so a second run of the harness fetches only what the archive changed.
  debs=$cache/$release-debs
  [ "$fleet" = 0 ] || debs=$cache/$release-debs-fleet-$index
  mkdir -p "$debs/partial"
  network=()
  if [ "$fleet" = 1 ]; then
    ns=rig-apply-$$-$index
    ip netns add "$ns"
    netns+=("$ns")
    ip link add "rigv$$-$index" type veth peer name host0 netns "$ns"
    ip link set "rigv$$-$index" master "$bridge" up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "${address[$h]}/24" dev host0
    ip -n "$ns" link set host0 up
    ip -n "$ns" route add default via 10.10.0.1
    network=(--network-namespace-path="/run/netns/$ns")
    printf 'Acquire::http::Proxy "http://10.10.0.1:%s/";\n' "$proxy_port" >"$root/etc/apt/apt.conf.d/00rig-apply-proxy"
  fi
  systemd-nspawn -q -D "$root" --bind="$debs:/var/cache/apt/archives" ${network[@]+"${network[@]}"} --register=no --keep-unit -b \
    >"$work/console-$h.log" 2>&1 </dev/null &
  nspawns+=($!)
done
# Each machine's systemd, once it is up.
index=0
for h in "${hosts[@]}"; do
  leader=""
  for _ in $(seq 60); do
    leader=$(pgrep -P "${nspawns[$index]}" | head -n 1 || true)
    if [ -n "$leader" ] && nsenter -t "$leader" -a -- systemctl is-system-running --wait >/dev/null 2>&1; then break; fi
    leader=""
    sleep 1
  done
  [ -n "$leader" ] || { tail -n 30 "$work/console-$h.log" >&2; fail "the $release machine $h did not boot"; }
  leaders[$h]=$leader
  echo "apply: $release booted $h (systemd PID $leader on the host${address[$h]:+, address ${address[$h]}})"
  index=$((index + 1))
done
leader=${leaders[${hosts[0]}]}
inside() { nsenter -t "$leader" -a -- "$@"; }

# The mirror: a stand-in for every release archive the playbook unpacks, at its path under its variable.
mkdir -p "$work/mirror"
"$venv/bin/python" - "$work/mirror" "${tasks[@]}" <<'PY'
import os, re, subprocess, sys, tarfile, tempfile, yaml
mirror = sys.argv[1]
def task_lists(path):
    """A playbook's plays' tasks, or a fleet host's tasks file."""
    data = yaml.safe_load(open(path)) or []
    if data and isinstance(data[0], dict) and "hosts" in data[0]:
        return [play.get("tasks", []) for play in data]
    return [data]
for tasks in [t for path in sys.argv[2:] for t in task_lists(path)]:
    links = [t["ansible.builtin.file"]["src"] for t in tasks
             if t.get("ansible.builtin.file", {}).get("state") == "link" and "src" in t["ansible.builtin.file"]]
    for task in tasks:
        unarchive = task.get("ansible.builtin.unarchive")
        if not unarchive:
            continue
        match = re.match(r"\{\{ (rig_mirror_[a-z_]+) \}\}(/.*)$", unarchive["src"])
        if not match:
            sys.exit(f"apply: {unarchive['src']}: not behind a rig_mirror_* variable")
        variable, path = match.groups()
        strip = 0
        for option in unarchive.get("extra_opts", []):
            if option.startswith("--strip-components="):
                strip = int(option.split("=", 1)[1])
        dest = unarchive["dest"].rstrip("/")
        with tempfile.TemporaryDirectory() as staging:
            top = os.path.join(staging, *["stand-in"] * strip)
            for link in links:
                if not link.startswith(dest + "/"):
                    continue
                program = os.path.join(top, link[len(dest) + 1:])
                os.makedirs(os.path.dirname(program), exist_ok=True)
                with open(program, "w") as out:
                    out.write("#!/bin/sh\n# Stand-in for a program of a release archive this machine cannot download\n"
                              "# (scripts/validate/apply.sh): it stays up like a server would.\nexec sleep infinity\n")
                os.chmod(program, 0o755)
            target = os.path.join(mirror, variable, path.lstrip("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            plain = target + ".tar"
            with tarfile.open(plain, "w") as tar:
                for entry in sorted(os.listdir(staging)):
                    tar.add(os.path.join(staging, entry), arcname=entry)
            if target.endswith(".zst"):
                subprocess.run(["zstd", "-q", "-f", plain, "-o", target], check=True)
            elif target.endswith(".xz"):
                subprocess.run(["sh", "-c", f"xz -c '{plain}' > '{target}'"], check=True)
            else:
                subprocess.run(["sh", "-c", f"gzip -c '{plain}' > '{target}'"], check=True)
            os.remove(plain)
            print(f"apply: mirror: stand-in {variable}{path}")
PY
port=$("$venv/bin/python" -c 'import socket, sys; s = socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$gateway")
"$venv/bin/python" -m http.server "$port" --bind "$gateway" --directory "$work/mirror" >"$work/mirror.log" 2>&1 &
servers+=($!)
disown "$!"
mirrors=()
for variable in $(ls "$work/mirror"); do mirrors+=(-e "$variable=http://$gateway:$port/$variable"); done

# How Ansible reaches each machine: through its namespaces (its systemd's PID on this host).
{
  echo "all:"
  echo "  hosts:"
  for h in "${hosts[@]}"; do echo "    $h: { ansible_nsenter_pid: ${leaders[$h]} }"; done
} >"$work/machines.yml"
play() {
  ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=0 \
    "$venv/bin/ansible-playbook" -i "$output/ansible/inventory.yml" -i "$work/machines.yml" "$output/ansible/site.yml" \
    -e ansible_connection=community.docker.nsenter \
    -e ansible_python_interpreter=/usr/bin/python3 ${mirrors[@]+"${mirrors[@]}"} --skip-tags kubernetes,hardware "$@"
}
recaps() { grep -E '^[^ ]+ +: ok=' "$1"; }
# The sum of a count over every machine's recap line.
count() { recaps "$1" | sed -n "s/.* $2=\([0-9]*\).*/\1/p" | awk '{ s += $1 } END { print s + 0 }'; }

play >"$work/run1.log" 2>&1 || true
recaps "$work/run1.log" | sed 's/^/apply: run 1: /'
if [ "$(recaps "$work/run1.log" | wc -l)" != "${#hosts[@]}" ] || [ "$(count "$work/run1.log" failed)" != 0 ] ||
  [ "$(count "$work/run1.log" unreachable)" != 0 ]; then
  grep -E 'fatal:|FAILED!|ERROR' "$work/run1.log" | head -n 20 >&2
  fail "run 1 did not converge"
fi
play >"$work/run2.log" 2>&1 || true
recaps "$work/run2.log" | sed 's/^/apply: run 2: /'
[ "$(count "$work/run2.log" failed)" = 0 ] || { tail -n 30 "$work/run2.log" >&2; fail "run 2 failed"; }
if [ "$(count "$work/run2.log" changed)" != 0 ]; then
  grep -E '^changed:' -B 2 "$work/run2.log" | head -n 20 >&2
  fail "run 2 changed something: the playbook is not idempotent"
fi

problems=0
for h in "${hosts[@]}"; do
leader=${leaders[$h]}
[ "$fleet" = 0 ] || echo "apply: machine $h"
shopt -s nullglob
units_written=("${files[$h]}"/systemd/*.service "${files[$h]}"/systemd/*.service.d/*.conf)
slices_written=("${files[$h]}"/systemd/*.slice)
shopt -u nullglob
# The packages and units the playbook names.
"$venv/bin/python" - "${tasks[$h]}" >"$work/expected" <<'PY'
import sys, yaml
data = yaml.safe_load(open(sys.argv[1])) or []
plays = data if data and isinstance(data[0], dict) and "hosts" in data[0] else [{"tasks": data}]
for play in plays:
    for task in play.get("tasks", []):
        apt = task.get("ansible.builtin.apt")
        if apt:
            for item in apt.get("name", []):
                print("package", item)
        service = task.get("ansible.builtin.systemd_service")
        skipped = {"hardware", "kubernetes"} & set(task.get("tags", []))
        if service and service.get("state") == "started" and not skipped:
            print("unit", service["name"])
PY
for unit in ${units[@]+"${units[@]}"}; do echo "unit $unit" >>"$work/expected"; done

while read -r kind item; do
  case "$kind" in
    package)
      name=${item%%=*}
      want=${item#*=}
      got=$(inside dpkg-query -W -f='${db:Status-Abbrev}${Version}' "$name" 2>/dev/null || true)
      # A package installed at no pinned version (one a file configures) need only be installed.
      [ "$item" != "$name" ] || { want=${got#ii }; [ "$got" != "ii " ] || want=missing; }
      if [ "$got" = "ii $want" ]; then
        echo "apply: ok: $name $want"
      else
        echo "apply: package $name: want 'ii $want', have '${got:-nothing}'" >&2
        problems=$((problems + 1))
      fi
      ;;
    unit)
      state=$(inside systemctl is-active "$item" 2>/dev/null || true)
      if [ "$state" = active ]; then
        echo "apply: ok: $item active"
      else
        echo "apply: unit $item is '$state', not active" >&2
        inside systemctl status --no-pager "$item" 2>&1 | tail -n 10 >&2 || true
        problems=$((problems + 1))
      fi
      ;;
  esac
done <"$work/expected"
# The environment of each service rig writes or extends, read from its main process.
unquote() { local v=$1; if [[ $v == \"*\" ]]; then v=${v:1:-1}; v=${v//\\\"/\"}; v=${v//%%/%}; fi; printf '%s' "$v"; }
for file in "${units_written[@]}"; do
  case "$file" in
    *.service.d/*) unit=$(basename "$(dirname "$file")"); unit=${unit%.d} ;;
    *) unit=$(basename "$file") ;;
  esac
  [ "$unit" != irqbalance.service ] || continue  # a banned-CPU list for a daemon that may not run in a container
  wants=()
  while IFS= read -r line; do wants+=("$(unquote "$line")"); done < <(sed -n 's/^Environment=//p' "$file")
  while IFS=: read -r id _; do wants+=("=rig-apply-$id"); done < <(sed -n 's/^LoadCredential=//p' "$file")
  slice=$(sed -n 's/^Slice=//p' "$file")
  [ ${#wants[@]} -gt 0 ] || [ -n "$slice" ] || continue
  pid=$(inside systemctl show -p MainPID --value "$unit" 2>/dev/null || echo 0)
  if [ "${pid:-0}" = 0 ]; then
    echo "apply: $unit has no main process" >&2
    problems=$((problems + 1))
    continue
  fi
  environ=$(inside cat "/proc/$pid/environ" 2>/dev/null | tr '\0' '\n')
  for want in "${wants[@]}"; do
    if { [[ $want == =* ]] && grep -q -- "$want\$" <<<"$environ"; } || grep -qxF -- "$want" <<<"$environ"; then
      if [[ $want == =* ]]; then echo "apply: ok: $unit has the secret ${want#=rig-apply-} in its environment"
      else echo "apply: ok: $unit runs with ${want%%=*}=…"; fi
    else
      echo "apply: $unit (PID $pid) runs without '$want'" >&2
      problems=$((problems + 1))
    fi
  done
  if [ -n "$slice" ]; then
    got=$(inside systemctl show -p Slice --value "$unit")
    if [ "$got" = "$slice" ]; then echo "apply: ok: $unit in $slice"; else
      echo "apply: $unit runs in '$got', not $slice" >&2
      problems=$((problems + 1))
    fi
  fi
done
# Each slice's CPUs and memory, as systemd holds them.
for file in "${slices_written[@]}"; do
  slice=$(basename "$file")
  for key in AllowedCPUs MemoryMax; do
    want=$(sed -n "s/^$key=//p" "$file")
    [ -n "$want" ] || continue
    got=$(inside systemctl show -p "$key" --value "$slice")
    got=${got// /,}  # systemd prints a CPU list's ranges separated by spaces
    if [ "$got" = "$want" ]; then echo "apply: ok: $slice $key=$got"; else
      echo "apply: $slice has $key='$got', not '$want'" >&2
      problems=$((problems + 1))
    fi
  done
done

# Monitoring, when the output has it: Prometheus runs with rig's rules (its own API lists them), and an alert
# reaches the thermal guard through Alertmanager's routing for real: a critical temperature alert posted to
# Alertmanager's API freezes every unit the guard names, and its resolution thaws them.
http() {  # http METHOD URL [JSON]: the response body, from inside the machine
  inside /usr/bin/python3 -c 'import sys, urllib.request as u
data = sys.argv[3].encode() if len(sys.argv) > 3 else None
r = u.Request(sys.argv[2], data=data, method=sys.argv[1], headers={"Content-Type": "application/json"})
print(u.urlopen(r, timeout=10).read().decode())' "$@"
}
within() {  # within SECONDS COMMAND...: true once COMMAND succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $deadline ] || return 1; sleep 2; done
}
if [ -f "${files[$h]}/prometheus/prometheus.yml" ]; then
  want=$(grep -c '^ *- alert: ' "${files[$h]}/prometheus/rules.yml" || true)
  loaded() { [ "$(http GET http://127.0.0.1:9090/api/v1/rules 2>/dev/null | grep -o '"type":"alerting"' | wc -l)" = "$want" ]; }
  if within 60 loaded; then echo "apply: ok: Prometheus evaluates rig's $want alert rule(s)"; else
    echo "apply: Prometheus does not list rig's $want alert rule(s)" >&2
    problems=$((problems + 1))
  fi
fi
guard="${files[$h]}/prometheus/rig-thermal-guard.service"
if [ -f "$guard" ]; then
  frozen=$(sed -n 's/^ExecStart=//p' "$guard" | grep -o -- '--freeze [^ ]*' | cut -d' ' -f2 || true)
  alert() {  # alert STARTS ENDS: the critical temperature alert of GPU 0, as Prometheus would send it
    printf '[{"labels":{"alertname":"RigGPUTemperatureCritical","severity":"critical","gpu":"0","instance":"127.0.0.1:9400"},"startsAt":"%s","endsAt":"%s"}]' "$1" "$2"
  }
  # Suspended: frozen by the cgroup freezer, or (on a cgroup v1 host, where it is missing) its main process stopped.
  state() {
    local freezer pid run
    freezer=$(inside systemctl show -p FreezerState --value "$1")
    pid=$(inside systemctl show -p MainPID --value "$1")
    run=$(inside cat "/proc/$pid/stat" 2>/dev/null | sed 's/.*) \(.\).*/\1/')
    case $2 in
      frozen) [ "$freezer" = frozen ] || [ "$run" = T ] ;;
      running) [ "$freezer" = running ] && [ "$run" != T ] ;;
    esac
  }
  all() { local u; for u in $frozen; do state "$u" "$1" || return 1; done; }
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  http POST http://127.0.0.1:9093/api/v2/alerts "$(alert "$now" "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)")" >/dev/null
  if within 60 all frozen; then echo "apply: ok: the critical temperature alert froze ${frozen:-no unit}"; else
    echo "apply: the thermal guard did not freeze ${frozen}" >&2
    inside journalctl -u rig-thermal-guard.service --no-pager 2>&1 | tail -n 10 >&2 || true
    problems=$((problems + 1))
  fi
  http POST http://127.0.0.1:9093/api/v2/alerts "$(alert "$now" "$(date -u +%Y-%m-%dT%H:%M:%SZ)")" >/dev/null
  if within 90 all running; then echo "apply: ok: its resolution thawed ${frozen:-no unit}"; else
    echo "apply: the thermal guard did not thaw ${frozen}" >&2
    inside journalctl -u rig-thermal-guard.service --no-pager 2>&1 | tail -n 10 >&2 || true
    problems=$((problems + 1))
  fi
  inside journalctl -u rig-thermal-guard.service --no-pager -o cat 2>/dev/null | grep '^thermal-guard: ' | sed 's/^/apply: guard log: /' || true
fi

# Units of Debian's packages that cannot run in a container (nvmf-autoconnect needs NVMe fabrics) are reported,
# not judged: the units rig starts or names are checked above.
failed=$(inside systemctl list-units --state=failed --plain --no-legend 2>/dev/null | awk '{print $1}' | tr '\n' ' ')
[ -z "${failed// /}" ] || echo "apply: note: units of the distribution that failed in the container: $failed"
done
# rig verify, with RIG_APPLY_PROJECT naming the project rendered into OUTPUT_DIR: run on this host, reading the
# machine's root folder (every file rig installs, dpkg's database; systemd's view and /proc are inside the
# container, so verify lists them as not read). The converged machine is as planned; then a hand change (the first
# slice rig wrote gets other CPUs) must be named, alone, with exit 2.
# A fleet's machines are each verified as their host (`--host`).
if [ -n "${RIG_APPLY_PROJECT:-}" ]; then
  rig=${RIG_BINARY:-$root_dir/.build/debug/rig}
  verify() {  # verify HOST
    local named=()
    [ "$fleet" = 0 ] || named=(--host "$1")
    "$rig" verify "$RIG_APPLY_PROJECT" ${named[@]+"${named[@]}"} --root "$work/machines/$1" --detailed-exitcode \
      >"$work/verify.txt" 2>&1
  }
  for h in "${hosts[@]}"; do
    label="rig verify"
    [ "$fleet" = 0 ] || label+=" --host $h"
    if verify "$h"; then echo "apply: ok: $label: $(tail -n 1 "$work/verify.txt")"; else
      cat "$work/verify.txt" >&2
      problems=$((problems + 1))
    fi
  done
fi
if [ -n "${RIG_APPLY_PROJECT:-}" ] && [ "$fleet" = 0 ]; then
  slice=$(cd "$work/machines/${hosts[0]}" && ls etc/systemd/system/rig-*.slice 2>/dev/null | head -n 1 || true)
  if [ -n "$slice" ]; then
    sed -i 's/^AllowedCPUs=.*/AllowedCPUs=0/' "$work/machines/${hosts[0]}/$slice"
    status=0
    verify "${hosts[0]}" || status=$?
    if [ "$status" = 2 ] && grep -q "^  ~ file /$slice: " "$work/verify.txt" &&
      [ "$(grep -c '^  [~!] ' "$work/verify.txt")" = 1 ]; then
      echo "apply: ok: rig verify names the edited /$slice and exits 2"
    else
      echo "apply: rig verify after editing /$slice exited $status:" >&2
      cat "$work/verify.txt" >&2
      problems=$((problems + 1))
    fi
  fi
fi

if [ "$fleet" = 1 ]; then
  [ "$problems" = 0 ] || fail "$problems problem(s) on the $release fleet"
  echo "apply: OK: $release fleet of ${#hosts[@]} machines (${hosts[*]}) converged in one run, changed nothing in the second, and every package and unit checked"
else
  [ "$problems" = 0 ] || fail "$problems problem(s) on the $release machine"
  echo "apply: OK: $release converged in one run, changed nothing in the second, and every package and unit checked"
fi
