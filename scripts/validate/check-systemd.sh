#!/bin/bash
# check-systemd.sh DIR — validate rig's systemd artifacts (DIR/systemd/) with systemd's own parsers.
# Needs: systemd (systemd-analyze, /lib/systemd/systemd) and util-linux (setpriv). Any warning fails.
set -euo pipefail
die() { printf 'check-systemd: FAIL: %s\n' "$*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: $0 DIR"
SRC=$1/systemd SYSTEMD=/lib/systemd/systemd
command -v systemd-analyze >/dev/null && [ -x "$SYSTEMD" ] || die "systemd-analyze or $SYSTEMD missing: apt-get install -y systemd"
if [ ! -d "$SRC" ] || [ -z "$(ls -A "$SRC")" ]; then
  echo "check-systemd: OK: no systemd output; nothing to check"; exit 0
fi

T=$(mktemp -d /tmp/check-systemd.XXXXXX)
trap 'rm -rf "$T"' EXIT
# R: a --root for systemd-analyze. U = R/etc/systemd/system gets rig's units and drop-ins; V gets the
# checker's vendor units (targets, system.slice, user.slice, ...) so dependencies resolve inside R.
R=$T/root; U=$R/etc/systemd/system; V=$R/usr/lib/systemd/system; C=$T/xdg/systemd/user.conf.d
mkdir -p "$U" "$V" "$C"
cp -a /usr/lib/systemd/system/. "$V/"

shopt -s nullglob
UNITS=() BASES=() INIT=()
for f in "$SRC"/*; do
  n=${f##*/}
  case $n in
    system.conf.d) for c in "$f"/*; do [[ $c == *.conf ]] || die "$c: systemd reads only *.conf"; cp "$c" "$C/"; done ;;
    *.wants|*.requires) cp -a "$f" "$U/" ;;
    *.d) for c in "$f"/*; do [[ $c == *.conf ]] || die "$c: systemd reads only *.conf in drop-in folders"; done
         cp -a "$f" "$U/"
         if [ "$n" = init.scope.d ]; then INIT=("$f"/*.conf); else BASES+=("${n%.d}"); fi ;;
    *.service|*.socket|*.timer|*.slice|*.scope|*.target|*.path|*.mount|*.automount|*.swap)
         cp "$f" "$U/"; UNITS+=("$n") ;;
    *) die "$f: not a unit, a drop-in folder or system.conf.d" ;;
  esac
done

# Stub base units for drop-ins extending units this machine lacks (irqbalance.service, ollama.service
# come from other packages). The stub is the smallest valid unit of its type, placed in the vendor dir
# like the packaged unit, so that verify loads it *with rig's drop-ins applied* and checks those.
# -.slice and system.slice have no unit file: systemd synthesizes them (verify included).
STUBS=()
for b in "${BASES[@]}"; do
  case $b in -.slice|system.slice) continue ;; esac
  [ -e "$U/$b" ] || [ -e "$V/$b" ] && continue
  case $b in
    *.service) printf '[Unit]\nDescription=rig-check stub for %s\n[Service]\nExecStart=/usr/bin/true\n' "$b" > "$V/$b" ;;
    *.slice|*.target) printf '[Unit]\nDescription=rig-check stub for %s\n' "$b" > "$V/$b" ;;
    *) die "$SRC/$b.d: $b does not exist on this machine and there is no stub for its type" ;;
  esac
  STUBS+=("$V/$b")
done

# verify --root requires Exec*= binaries to exist inside R. Add an empty executable placeholder for each
# binary present on this machine, and for ones only the target machine has (MISSING_OK: nvidia-smi ships
# with the NVIDIA driver; ollama comes from its release archive, which this machine cannot download; thermal-guard
# is rig's own program, installed by the playbook and checked by check-prometheus.sh; busybox is a Debian package
# that the playbook installs where a component requires it, and the checking machine need not have). Any other
# missing binary fails here: verify itself only checks the FIRST
# command of each Exec*= list (a typo in the 2nd ExecStart= passes verify on systemd 252).
# A packaged unit that rig's drop-ins extend (prometheus-node-exporter.service when this machine has that
# package) names its package's binaries: they get placeholders too, as a package brings them.
MISSING_OK=" nvidia-smi ollama thermal-guard busybox "
execs() { cat /dev/null "$@" 2>/dev/null | sed -nE 's/^[[:space:]]*Exec[A-Za-z]+=[-@:+!|]*([^[:space:]]+).*/\1/p' | sort -u; }
placeholder() { mkdir -p "$R${1%/*}"; install -m 755 /dev/null "$R$1"; }
PACKAGED=(); for b in "${BASES[@]}"; do [ -e "$U/$b" ] || [ ! -f "$V/$b" ] || PACKAGED+=("$V/$b"); done
while read -r cmd; do [[ $cmd != /* ]] || placeholder "$cmd"; done < <(execs "${PACKAGED[@]}")
while read -r cmd; do
  if [[ $cmd == /* ]]; then p=$cmd
  else p=$(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin type -P "$cmd" || echo "/usr/bin/$cmd"); fi
  [ -x "$p" ] || [[ $MISSING_OK == *" ${p##*/} "* ]] || die "Exec*= binary $cmd: not on this machine and not in MISSING_OK"
  placeholder "$p"
done < <(execs "${STUBS[@]}" "$U"/*.* "$U"/*.d/*.conf)

show() { sed -e '/zz-rig-check-canary/d' -e "s#$U#$SRC#g" -e "s#$C#$SRC/system.conf.d#g" "$@" >&2; }

# 1) systemd-analyze verify: rig's units plus every unit that rig's drop-ins extend (loaded by name
# from R, so the drop-ins take effect). It exits 0 on parse warnings, so ANY output is a failure.
# --man=no: a Documentation= man page need not be installed on the checker.
NAMES=("${UNITS[@]}" "${BASES[@]}")
if [ ${#NAMES[@]} -gt 0 ]; then
  rc=0; (cd / && env -u SYSTEMD_UNIT_PATH SYSTEMD_LOG_COLOR=0 systemd-analyze verify --root="$R" --man=no -- "${NAMES[@]}") > "$T/verify" 2>&1 || rc=$?
  if [ $rc -ne 0 ] || [ -s "$T/verify" ]; then show "$T/verify"; die "systemd-analyze verify (exit $rc)"; fi
fi

# 2) The real manager in test mode (systemd --test --system; it refuses to run as root, so drop to
# nobody). It loads init.scope -- a perpetual unit that verify cannot load -- and system.slice/user.slice
# with rig's drop-ins from SYSTEMD_UNIT_PATH ("$U:" = rig's dir, then the defaults).
# system.conf.d: systemd reads system.conf(.d) only as PID 1, which --test refuses; as any other
# process it reads user.conf(.d) with the SAME [Manager] item table and parsers (parse_config_file()
# in src/core/main.c, e.g. config_parse_cpu_affinity2 for CPUAffinity=). So the files are staged as
# $XDG_CONFIG_HOME/systemd/user.conf.d/*.conf; a canary file proves the directory really is parsed.
printf '[Manager]\nRigCheckCanary=1\n' > "$C/zz-rig-check-canary.conf"
chmod -R a+rX "$T"
RUN=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/ SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_COLOR=0
     SYSTEMD_UNIT_PATH="$U:" XDG_CONFIG_HOME="$T/xdg")
[ "$(id -u)" != 0 ] || RUN+=(setpriv --reuid=65534 --regid=65534 --clear-groups)
rc=0; (cd / && "${RUN[@]}" "$SYSTEMD" --test --system --no-pager) > "$T/dump" 2> "$T/err" || rc=$?
[ $rc -eq 0 ] || { show "$T/err"; die "systemd --test --system (exit $rc; it needs /proc and a cgroup fs on /sys/fs/cgroup)"; }
grep -qF "zz-rig-check-canary.conf:2: Unknown key 'RigCheckCanary'" "$T/err" \
  || { show "$T/err"; die "canary not reported: this systemd does not parse user.conf.d as expected"; }
# Its stderr also carries host/container chatter (version banner, "Detected virtualization", ...), so
# here only lines about rig's files or about the units rig extends count as failures.
PATS=(-e "$T"); for b in init.scope "${BASES[@]}"; do PATS+=(-e "$b: "); done
if grep -vF zz-rig-check-canary "$T/err" | grep -F "${PATS[@]}" > "$T/bad"; then
  show "$T/bad"; die "systemd --test complained about rig's files"
fi
for c in "${INIT[@]}"; do
  grep -qF "DropIn Path: $U/init.scope.d/${c##*/}" "$T/dump" || die "$c was not applied to init.scope"
done
# 3) systemd-analyze security: every service rig writes scores at most 5.0 ("OK"), or 6.0 when it opens the
# NVIDIA driver's devices (DeviceAllow=char-nvidia-*); --threshold counts in tenths.
SCORES=()
for n in "${UNITS[@]}"; do
  [[ $n == *.service ]] || continue
  limit=50; grep -q '^DeviceAllow=char-nvidia' "$U/$n" && limit=60
  rc=0; (cd / && SYSTEMD_LOG_COLOR=0 systemd-analyze security --offline=yes --root="$R" --threshold=$limit --no-pager "$n") > "$T/security" 2>&1 || rc=$?
  score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$T/security")
  [ -n "$score" ] || { show "$T/security"; die "systemd-analyze security printed no score for $n"; }
  [ $rc -eq 0 ] || { grep -F '✗' "$T/security" >&2 || true; die "$n: exposure $score is above $((limit / 10)).0"; }
  SCORES+=("$n $score")
done

echo "check-systemd: OK: verify clean for ${#NAMES[@]} unit(s) (${#STUBS[@]} stub base unit(s)); systemd --test" \
  "applied ${#INIT[@]} init.scope drop-in(s) and parsed $(( $(ls "$C" | wc -l) - 1 )) system.conf.d file(s) cleanly; exposure: ${SCORES[*]:-no service}"
