#!/bin/bash
# check-prometheus.sh DIR — validate rig's Prometheus rules (DIR/prometheus/rules.yml and its unit tests
# rules.test.yml) with Prometheus' own promtool:
#  1. promtool check rules --lint=all --lint-fatal rules.yml (YAML, PromQL, templates, duplicate rules);
#  2. promtool test rules rules.test.yml (synthetic series; every expected alert must fire, and only it);
#  3. coverage: rules.test.yml loads rules.yml, and every alert of rules.yml has a test case that expects
#     it to fire (non-empty exp_alerts), so each alert is proven to fire at least once.
# Runs on a temporary copy: nothing is written into DIR. Any unexpected output fails.
# Needs: apt-get install -y prometheus (promtool), and the venv (RIG_VENV, else the repo's .venv) for PyYAML.
set -euo pipefail
die() { printf 'check-prometheus: FAIL: %s\n' "$*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: $0 DIR"
HERE=$(cd "$(dirname "$0")" && pwd)
VENV=${RIG_VENV:-$(cd "$HERE/../.." && pwd)/.venv}
SRC=$1/prometheus
command -v promtool >/dev/null || die "promtool missing: apt-get install -y --no-install-recommends prometheus"
[ -x "$VENV/bin/python" ] || die "$VENV/bin/python missing: run scripts/bootstrap.sh (or set RIG_VENV)"
if [ ! -d "$SRC" ]; then echo "check-prometheus: OK: no prometheus output; nothing to check"; exit 0; fi
for f in rules.yml rules.test.yml; do [ -f "$SRC/$f" ] || die "$SRC/$f missing"; done

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
echo "check-prometheus: OK: $(sed -n 's/^  SUCCESS: //p' "$T/check"); unit tests pass; $(cat "$T/cover")"
