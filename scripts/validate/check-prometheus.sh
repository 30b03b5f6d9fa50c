#!/bin/bash
# check-prometheus.sh DIR — validate rig's Prometheus rules (DIR/prometheus/rules.yml and its unit tests
# rules.test.yml) with Prometheus' own promtool:
#  1. promtool check rules --lint=all --lint-fatal rules.yml (YAML, PromQL, templates, duplicate rules);
#  2. promtool test rules rules.test.yml (synthetic series; every expected alert must fire, and only it);
#  3. coverage: rules.test.yml loads rules.yml, and every alert of rules.yml has a test case that expects
#     it to fire (non-empty exp_alerts), so each alert is proven to fire at least once;
#  4. promtool check config prometheus.yml (it loads the rule files it names: rules.yml);
#  5. amtool check-config alertmanager.yml, and amtool's routing of the critical temperature alert (to the
#     thermal guard and the operator, when the guard exists) and of a warning (to the operator);
#  6. the thermal guard, fed Alertmanager payloads with the arguments its unit gives it, systemctl and nvidia-smi
#     replaced by recorders: a firing alert freezes every unit (SIGSTOP where freezing fails) and lowers every
#     limit, its resolution thaws (SIGCONT) and restores them, another alert does nothing, a payload that is not Alertmanager's is refused; its unit passes
#     check-systemd.sh (verify, systemd --test, exposure);
#  7. the Grafana dashboard and provisioning files in grafana/, through check-grafana.py (Grafana's dashboard
#     schema as grafana-foundation-sdk types it, promtool for its queries, the metrics a GeForce card exports).
# Runs on a temporary copy: nothing is written into DIR. Any unexpected output fails.
# Needs: apt-get install -y prometheus prometheus-alertmanager (promtool, amtool), python3, and the venv
# (RIG_VENV, else the repo's .venv) for PyYAML.
set -euo pipefail
die() { printf 'check-prometheus: FAIL: %s\n' "$*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: $0 DIR"
HERE=$(cd "$(dirname "$0")" && pwd)
VENV=${RIG_VENV:-$(cd "$HERE/../.." && pwd)/.venv}
SRC=$1/prometheus
command -v promtool >/dev/null || die "promtool missing: apt-get install -y --no-install-recommends prometheus"
[ -x "$VENV/bin/python" ] || die "$VENV/bin/python missing: run scripts/bootstrap.sh (or set RIG_VENV)"
if [ ! -d "$SRC" ]; then echo "check-prometheus: OK: no prometheus output; nothing to check"; exit 0; fi
command -v amtool >/dev/null || die "amtool missing: apt-get install -y --no-install-recommends prometheus-alertmanager"
for f in rules.yml rules.test.yml prometheus.yml alertmanager.yml; do [ -f "$SRC/$f" ] || die "$SRC/$f missing"; done

T=$(mktemp -d /tmp/check-prometheus.XXXXXX)
trap 'rm -rf "$T"' EXIT
cp -a "$SRC" "$T/prometheus"; mkdir "$T/tmp"
cd "$T/prometheus"
export TMPDIR=$T/tmp HOME=$T      # promtool's test storage is a temporary directory

# 1) Rules: the only normal output is "Checking rules.yml" and "  SUCCESS: N rules found".
rc=0; promtool check rules --lint=all --lint-fatal rules.yml > "$T/check" 2>&1 || rc=$?
if [ $rc -ne 0 ] || grep -vxE '|Checking rules\.yml|  SUCCESS: [0-9]+ rules found' "$T/check" > /dev/null; then
  cat "$T/check" >&2; die "promtool check rules (exit $rc)"
fi
grep -qxE '  SUCCESS: [1-9][0-9]* rules found' "$T/check" || { cat "$T/check" >&2; die "rules.yml holds no rules"; }

# 2) Unit tests.
rc=0; promtool test rules rules.test.yml > "$T/test" 2>&1 || rc=$?
if [ $rc -ne 0 ] || grep -vxE '|Unit Testing:  rules\.test\.yml|  SUCCESS' "$T/test" > /dev/null; then
  cat "$T/test" >&2; die "promtool test rules (exit $rc)"
fi

# 3) Coverage: every alert has a test case in which it fires.
"$VENV/bin/python" - > "$T/cover" 2>&1 <<'PY' || { cat "$T/cover" >&2; die "unit-test coverage of the alerts (above)"; }
import yaml
rules = yaml.safe_load(open("rules.yml"))
tests = yaml.safe_load(open("rules.test.yml"))
alerts = [r["alert"] for g in rules.get("groups") or [] for r in g.get("rules") or [] if "alert" in r]
errors = []
if "rules.yml" not in (tests.get("rule_files") or []):
    errors.append("rules.test.yml: rule_files does not list rules.yml")
fired = {c.get("alertname") for t in tests.get("tests") or [] for c in t.get("alert_rule_test") or [] if c.get("exp_alerts")}
errors += [f"alert {a}: no test case expects it to fire (alert_rule_test with non-empty exp_alerts)" for a in alerts if a not in fired]
print("\n".join(errors) if errors else f"{len(alerts)} alert(s), each proven to fire")
raise SystemExit(1 if errors else 0)
PY
# 4) Prometheus' configuration, with the rule files it names.
rc=0; promtool check config prometheus.yml > "$T/config" 2>&1 || rc=$?
if [ $rc -ne 0 ] || ! grep -qx ' SUCCESS: prometheus.yml is valid prometheus config file syntax' "$T/config" \
   || grep -i 'warn' "$T/config" > /dev/null; then
  cat "$T/config" >&2; die "promtool check config (exit $rc)"
fi
grep -qx '  SUCCESS: 1 rule files found' "$T/config" || { cat "$T/config" >&2; die "prometheus.yml does not load rules.yml"; }

# 5) Alertmanager's configuration and its routing.
rc=0; amtool check-config alertmanager.yml > "$T/am" 2>&1 || rc=$?
if [ $rc -ne 0 ] || ! grep -q "Checking 'alertmanager.yml'  SUCCESS" "$T/am"; then cat "$T/am" >&2; die "amtool check-config (exit $rc)"; fi
GUARD=no; [ -f thermal-guard ] && GUARD=yes
route() { amtool config routes test --config.file=alertmanager.yml "$@" 2>/dev/null; }
want=operator; [ $GUARD = yes ] && want=thermal-guard,operator
got=$(route alertname=RigGPUTemperatureCritical severity=critical gpu=0 instance=rig-test:9400)
[ "$got" = "$want" ] || die "the critical temperature alert goes to '$got', not '$want'"
got=$(route alertname=RigGPUTemperatureWarning severity=warning gpu=0 instance=rig-test:9400)
[ "$got" = operator ] || die "a warning goes to '$got', not 'operator'"

# 6) The thermal guard, fed the alert.
GUARDED="no thermal guard"
if [ $GUARD = yes ]; then
  [ -f rig-thermal-guard.service ] || die "thermal-guard without rig-thermal-guard.service"
  mkdir "$T/bin"
  # The recorders; with NO_FREEZER set, systemctl fails freeze and thaw as on a host without the cgroup v2 freezer.
  for c in systemctl nvidia-smi; do
    printf '#!/bin/sh\necho "%s $*" >> "%s/calls"\n' "$c" "$T" > "$T/bin/$c"
    [ $c != systemctl ] || printf 'case "$1$NO_FREEZER" in freeze1|thaw1) exit 1;; esac\n' >> "$T/bin/$c"
    chmod +x "$T/bin/$c"
  done
  read -r -a ARGS < <(sed -n 's/^ExecStart=[^ ]* //p' rig-thermal-guard.service)
  ALERT=$(sed -n 's/^ExecStart=.* --alert \([^ ]*\).*/\1/p' rig-thermal-guard.service)
  [ "$ALERT" = RigGPUTemperatureCritical ] || die "the guard does not act on RigGPUTemperatureCritical"
  FREEZE=$(sed -n 's/^ExecStart=//p' rig-thermal-guard.service | grep -o -- '--freeze [^ ]*' | cut -d' ' -f2 || true)
  LIMITS=$(sed -n 's/^ExecStart=//p' rig-thermal-guard.service | grep -o -- '--power-limit [^ ]*' | cut -d' ' -f2 || true)
  [ -n "$FREEZE$LIMITS" ] || die "the guard has nothing to do: no unit to freeze and no power limit"
  payload() { printf '{"version":"4","status":"%s","receiver":"thermal-guard","groupLabels":{"alertname":"%s"},"alerts":[{"status":"%s","labels":{"alertname":"%s","severity":"critical","gpu":"0"}}]}' "$1" "$2" "$1" "$2"; }
  feed() { : > "$T/calls"; payload "$1" "$2" | PATH="$T/bin:$PATH" /usr/bin/python3 thermal-guard "${ARGS[@]}" --once - > "$T/guard" 2>&1; }
  expect() {  # expect OUTCOME VERB-PER-UNIT LIMIT-FIELD FALLBACK-SIGNAL
    grep -qx "thermal-guard: $1" "$T/guard" || { cat "$T/guard" >&2; die "the guard did not $1"; }
    : > "$T/want"
    for u in $FREEZE; do echo "systemctl $2 $u" >> "$T/want"
      [ -z "${NO_FREEZER:-}" ] || { echo "systemctl kill --signal=$4 $u" >> "$T/want"; }; done
    for l in $LIMITS; do IFS=: read -r g low restore <<< "$l"; w=$low; [ "$3" = restore ] && w=$restore
      echo "nvidia-smi --id=$g --power-limit=$w" >> "$T/want"; done
    diff -u "$T/want" "$T/calls" >&2 || die "the guard's actions on '$1' differ (- expected, + run)"
  }
  for NO_FREEZER in "" 1; do
    export NO_FREEZER
    feed firing RigGPUTemperatureCritical || { cat "$T/guard" >&2; die "the guard failed on a firing alert"; }
    expect suspend freeze low SIGSTOP
    feed resolved RigGPUTemperatureCritical || { cat "$T/guard" >&2; die "the guard failed on a resolved alert"; }
    expect resume thaw restore SIGCONT
  done
  unset NO_FREEZER
  feed firing RigGPUTemperatureWarning || { cat "$T/guard" >&2; die "the guard failed on another alert"; }
  grep -qx "thermal-guard: ignore" "$T/guard" && [ ! -s "$T/calls" ] || die "the guard acted on another alert"
  if echo '{"alerts":[]}' | PATH="$T/bin:$PATH" /usr/bin/python3 thermal-guard "${ARGS[@]}" --once - > "$T/guard" 2>&1; then
    die "the guard accepted a payload that is not Alertmanager's"
  fi
  mkdir -p "$T/unit/systemd"; cp rig-thermal-guard.service "$T/unit/systemd/"
  "$HERE/check-systemd.sh" "$T/unit" > "$T/systemd" 2>&1 || { cat "$T/systemd" >&2; die "check-systemd on rig-thermal-guard.service"; }
  GUARDED="thermal guard acts ($(echo $FREEZE | wc -w) unit(s) frozen, $(echo $LIMITS | wc -w) power limit(s)), its unit $(sed -n 's/.*exposure: //p' "$T/systemd")"
fi

# 7) The Grafana dashboard and its provisioning files (check-grafana.py says how).
[ -d grafana ] || die "$SRC/grafana missing: rig writes the dashboard with the rules"
"$VENV/bin/python" "$HERE/check-grafana.py" "$T" > "$T/grafana" 2>&1 || { cat "$T/grafana" >&2; die "check-grafana (above)"; }

echo "check-prometheus: OK: $(sed -n 's/^  SUCCESS: //p' "$T/check"); unit tests pass; $(cat "$T/cover"); config and" \
  "routing valid; $GUARDED; grafana: $(sed -n 's/^check-grafana: OK: //p' "$T/grafana")"
