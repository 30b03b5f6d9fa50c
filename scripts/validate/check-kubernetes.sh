#!/bin/bash
# check-kubernetes.sh DIR [VERSION] — validate rig's Kubernetes manifests (DIR/kubernetes/*.yaml, several
# documents per file allowed) for Kubernetes VERSION (default 1.30.0; kubernetes-validate 1.37 bundles
# the schemas of 1.25 to 1.37):
#  1. every file parses as YAML; every document is a mapping with apiVersion, kind and metadata.name
#     (KubeletConfiguration has no metadata); no two documents name the same object;
#  2. kubernetes-validate --strict -k VERSION on every file: the OpenAPI schema of each object, unknown
#     fields included. Every API document must be reported as passed; the only tolerated warning is the one
#     for KubeletConfiguration (kubelet.config.k8s.io/v1beta1), which is not an API object: kubernetes-validate
#     has no schema for it, so
#  3. KubeletConfiguration documents are checked here: apiVersion/kind, every top-level field is a field of
#     KubeletConfiguration v1beta1 with the right JSON type, the enums and CPU list rig uses are valid, and
#     the static CPU manager policy has CPUs reserved;
#  4. kubelet.service.conf, the kubelet unit's drop-in, beside the KubeletConfiguration and only with it:
#     systemd-analyze verify loads it on top of the units the kubelet and kubeadm packages install (copies
#     below, from kubernetes/release cmd/krel/templates/latest/{kubelet/kubelet.service,kubeadm/10-kubeadm.conf}),
#     and the variable kubeadm's ExecStart= passes, KUBELET_CONFIG_ARGS, ends up with --config-dir set to the
#     folder the KubeletConfiguration is installed in.
# Reads DIR only. Needs the venv (RIG_VENV, else the repo's .venv) with kubernetes-validate and PyYAML.
set -euo pipefail
die() { printf 'check-kubernetes: FAIL: %s\n' "$*" >&2; exit 1; }
[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: $0 DIR [KUBERNETES_VERSION (default 1.30.0)]"
HERE=$(cd "$(dirname "$0")" && pwd)
VENV=${RIG_VENV:-$(cd "$HERE/../.." && pwd)/.venv}
SRC=$1/kubernetes VERSION=${2:-1.30.0}
for t in python kubernetes-validate; do
  [ -x "$VENV/bin/$t" ] || die "$VENV/bin/$t missing: run scripts/bootstrap.sh (or set RIG_VENV)"
done
[[ $VERSION =~ ^1\.[0-9]+\.[0-9]+$ ]] || die "VERSION must look like 1.30.0, not '$VERSION'"
if [ ! -d "$SRC" ]; then echo "check-kubernetes: OK: no kubernetes output; nothing to check"; exit 0; fi

T=$(mktemp -d /tmp/check-kubernetes.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$SRC"
shopt -s nullglob
FILES=(*)
[ ${#FILES[@]} -gt 0 ] || die "$SRC is empty"
UNIT_DROPIN=
YAMLS=()
for f in "${FILES[@]}"; do
  if [ "$f" = kubelet.service.conf ] && [ -f "$f" ]; then UNIT_DROPIN=$f; continue; fi
  [[ -f $f && $f == *.yaml && $f != -* ]] || die "$SRC/$f: only *.yaml files and kubelet.service.conf are expected (and checked)"
  YAMLS+=("$f")
done
FILES=("${YAMLS[@]}")
[ ${#FILES[@]} -gt 0 ] || die "$SRC has no manifests"

# 1) + 3) Structure and KubeletConfiguration. Prints "<api documents> <kubelet files...>".
"$VENV/bin/python" - "${FILES[@]}" > "$T/static" 2>&1 <<'PY' || { cat "$T/static" >&2; die "manifest structure / KubeletConfiguration (above)"; }
import re, sys
import yaml

# KubeletConfiguration v1beta1 top-level fields and their JSON types, from
# https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/ (the KubeletConfiguration table)
# and its source, k8s.io/kubelet/config/v1beta1/types.go (union over current releases: a field newer than
# the target kubelet is accepted here).  dur = a Go duration string ("10s", "1m30s").
KUBELET_FIELDS = {
    "enableServer": "bool", "staticPodPath": "str", "podLogsDir": "str", "syncFrequency": "dur",
    "fileCheckFrequency": "dur", "httpCheckFrequency": "dur", "staticPodURL": "str",
    "staticPodURLHeader": "map-list-str", "address": "str", "port": "int", "readOnlyPort": "int",
    "tlsCertFile": "str", "tlsPrivateKeyFile": "str", "tlsCipherSuites": "list-str",
    "tlsCurvePreferences": "list-int", "tlsMinVersion": "str", "rotateCertificates": "bool",
    "serverTLSBootstrap": "bool", "authentication": "obj", "authorization": "obj", "registryPullQPS": "int",
    "registryBurst": "int", "imagePullCredentialsVerificationPolicy": "str",
    "preloadedImagesVerificationAllowlist": "list-str", "eventRecordQPS": "int", "eventBurst": "int",
    "enableDebuggingHandlers": "bool", "enableContentionProfiling": "bool", "healthzPort": "int",
    "healthzBindAddress": "str", "oomScoreAdj": "int", "clusterDomain": "str", "clusterDNS": "list-str",
    "streamingConnectionIdleTimeout": "dur", "nodeStatusUpdateFrequency": "dur",
    "nodeStatusReportFrequency": "dur", "nodeLeaseDurationSeconds": "int", "imageMinimumGCAge": "dur",
    "imageMaximumGCAge": "dur", "imageGCHighThresholdPercent": "int", "imageGCLowThresholdPercent": "int",
    "volumeStatsAggPeriod": "dur", "kubeletCgroups": "str", "systemCgroups": "str", "cgroupRoot": "str",
    "cgroupsPerQOS": "bool", "cgroupDriver": "str", "cpuManagerPolicy": "str", "singleProcessOOMKill": "bool",
    "cpuManagerPolicyOptions": "map-str", "cpuManagerReconcilePeriod": "dur",
    "draManagerReconcilePeriod": "dur", "memoryManagerPolicy": "str", "topologyManagerPolicy": "str",
    "topologyManagerScope": "str", "topologyManagerPolicyOptions": "map-str", "qosReserved": "map-str",
    "runtimeRequestTimeout": "dur", "hairpinMode": "str", "maxPods": "int", "podCIDR": "str",
    "podPidsLimit": "int", "resolvConf": "str", "runOnce": "bool", "cpuCFSQuota": "bool",
    "cpuCFSQuotaPeriod": "dur", "nodeStatusMaxImages": "int", "maxOpenFiles": "int", "contentType": "str",
    "kubeAPIQPS": "int", "kubeAPIBurst": "int", "serializeImagePulls": "bool", "maxParallelImagePulls": "int",
    "evictionHard": "map-str", "evictionSoft": "map-str", "evictionSoftGracePeriod": "map-str",
    "evictionPressureTransitionPeriod": "dur", "evictionMaxPodGracePeriod": "int",
    "evictionMinimumReclaim": "map-str", "mergeDefaultEvictionSettings": "bool", "podsPerCore": "int",
    "enableControllerAttachDetach": "bool", "protectKernelDefaults": "bool", "makeIPTablesUtilChains": "bool",
    "iptablesMasqueradeBit": "int", "iptablesDropBit": "int", "featureGates": "map-bool", "failSwapOn": "bool",
    "memorySwap": "obj", "containerLogMaxSize": "str", "containerLogMaxFiles": "int",
    "containerLogMaxWorkers": "int", "containerLogMonitorInterval": "dur",
    "configMapAndSecretChangeDetectionStrategy": "str", "systemReserved": "map-str", "kubeReserved": "map-str",
    "reservedSystemCPUs": "str", "showHiddenMetricsForVersion": "str", "systemReservedCgroup": "str",
    "kubeReservedCgroup": "str", "enforceNodeAllocatable": "list-str", "allowedUnsafeSysctls": "list-str",
    "volumePluginDir": "str", "providerID": "str", "kernelMemcgNotification": "bool", "logging": "obj",
    "enableSystemLogHandler": "bool", "enableSystemLogQuery": "bool", "shutdownGracePeriod": "dur",
    "shutdownGracePeriodCriticalPods": "dur", "shutdownGracePeriodByPodPriority": "list-obj",
    "crashLoopBackOff": "obj", "reservedMemory": "list-obj", "enableProfilingHandler": "bool",
    "enableDebugFlagsHandler": "bool", "seccompDefault": "bool", "memoryThrottlingFactor": "float",
    "memoryReservationPolicy": "str", "registerWithTaints": "list-obj", "registerNode": "bool",
    "tracing": "obj", "localStorageCapacityIsolation": "bool", "containerRuntimeEndpoint": "str",
    "imageServiceEndpoint": "str", "failCgroupV1": "bool", "userNamespaces": "obj",
}
ENUMS = {  # documented values of the fields rig sets
    "cpuManagerPolicy": {"none", "static"},
    "memoryManagerPolicy": {"None", "Static"},
    "topologyManagerPolicy": {"none", "best-effort", "restricted", "single-numa-node"},
    "topologyManagerScope": {"container", "pod"},
    "cgroupDriver": {"cgroupfs", "systemd"},
}
DURATION = re.compile(r"^(0|-?([0-9]+(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+)$")
QUANTITY = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[KMGTPE]i|[mkMGTPE])?$")
CPULIST = re.compile(r"^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$")

def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)

def type_ok(kind, v):
    return {
        "str": lambda: isinstance(v, str),
        "bool": lambda: isinstance(v, bool),
        "int": lambda: is_int(v),
        "float": lambda: is_int(v) or isinstance(v, float),
        "dur": lambda: isinstance(v, str) and bool(DURATION.match(v)),
        "obj": lambda: isinstance(v, dict),
        "map-str": lambda: isinstance(v, dict) and all(isinstance(k, str) and isinstance(x, str) for k, x in v.items()),
        "map-bool": lambda: isinstance(v, dict) and all(isinstance(k, str) and isinstance(x, bool) for k, x in v.items()),
        "map-list-str": lambda: isinstance(v, dict) and all(isinstance(x, list) and all(isinstance(s, str) for s in x) for x in v.values()),
        "list-str": lambda: isinstance(v, list) and all(isinstance(x, str) for x in v),
        "list-int": lambda: isinstance(v, list) and all(is_int(x) for x in v),
        "list-obj": lambda: isinstance(v, list) and all(isinstance(x, dict) for x in v),
    }[kind]()

def kubelet(where, doc):
    errs = []
    if doc.get("apiVersion") != "kubelet.config.k8s.io/v1beta1":
        errs.append(f"apiVersion must be kubelet.config.k8s.io/v1beta1, not {doc.get('apiVersion')!r}")
    for k, v in doc.items():
        if k in ("apiVersion", "kind"):
            continue
        if k not in KUBELET_FIELDS:
            errs.append(f"unknown field {k!r} (not a KubeletConfiguration v1beta1 field)")
        elif not type_ok(KUBELET_FIELDS[k], v):
            errs.append(f"{k}: {v!r} is not of type {KUBELET_FIELDS[k]}")
        elif k in ENUMS and v not in ENUMS[k]:
            errs.append(f"{k}: {v!r} is not one of {sorted(ENUMS[k])}")
    if "reservedSystemCPUs" in doc and isinstance(doc["reservedSystemCPUs"], str) and not CPULIST.match(doc["reservedSystemCPUs"]):
        errs.append(f"reservedSystemCPUs: {doc['reservedSystemCPUs']!r} is not a CPU list like 0-3,8")
    for k in ("systemReserved", "kubeReserved"):
        for r, q in (doc.get(k) or {}).items() if isinstance(doc.get(k), dict) else []:
            if isinstance(q, str) and not QUANTITY.match(q):
                errs.append(f"{k}.{r}: {q!r} is not a resource quantity")
    if doc.get("cpuManagerPolicy") == "static":
        cpu_reserved = doc.get("reservedSystemCPUs") or any(
            QUANTITY.match(str((doc.get(k) or {}).get("cpu", ""))) and str((doc.get(k) or {}).get("cpu")) not in ("0", "0m")
            for k in ("systemReserved", "kubeReserved") if isinstance(doc.get(k), dict))
        if not cpu_reserved:
            errs.append("cpuManagerPolicy static needs CPUs reserved (reservedSystemCPUs, or kubeReserved/systemReserved cpu)")
    return [f"{where}: KubeletConfiguration: {e}" for e in errs]

errors, api_docs, kubelet_files, seen = [], 0, [], {}
for f in sys.argv[1:]:
    try:
        docs = list(yaml.safe_load_all(open(f, encoding="utf-8")))
    except yaml.YAMLError as exc:
        errors.append(f"{f}: does not parse as YAML: {exc}")
        continue
    docs = [(i, d) for i, d in enumerate(docs) if d is not None]
    if not docs:
        errors.append(f"{f}: no YAML document")
    for i, d in docs:
        where = f"{f} (document {i + 1})"
        if not isinstance(d, dict):
            errors.append(f"{where}: not a mapping")
            continue
        missing = [k for k in ("apiVersion", "kind") if not isinstance(d.get(k), str) or not d.get(k)]
        if missing:
            errors.append(f"{where}: missing {' and '.join(missing)}")
            continue
        if d["kind"] == "KubeletConfiguration":
            errors += kubelet(where, d)
            kubelet_files.append(f)
            continue
        meta = d.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else None
        if not isinstance(name, str) or not name:
            errors.append(f"{where}: {d['kind']} without metadata.name")
            continue
        api_docs += 1
        key = (d["apiVersion"].split("/")[0] if "/" in d["apiVersion"] else "", d["kind"], meta.get("namespace", ""), name)
        if key in seen:
            errors.append(f"{where}: {d['kind']} {name!r} is also defined in {seen[key]}")
        seen[key] = where
print("\n".join(errors) if errors else " ".join([str(api_docs)] + kubelet_files))
sys.exit(1 if errors else 0)
PY
read -r -a S < "$T/static"
API_DOCS=${S[0]} KUBELET_FILES=("${S[@]:1}")

# 2) kubernetes-validate: one "INFO ... passed" line per API document; only KubeletConfiguration may warn.
rc=0; "$VENV/bin/kubernetes-validate" --strict -k "$VERSION" "${FILES[@]}" > "$T/kv" 2>&1 || rc=$?
V=${VERSION%.*}
EXPECTED=()
for f in "${KUBELET_FILES[@]}"; do
  EXPECTED+=("WARN $f Couldn't find schema for kind KubeletConfiguration with api version kubelet.config.k8s.io/v1beta1 for kubernetes version $V")
done
passed=$(grep -cE '^INFO .+ passed for resource .+ against version '"${V//./\\.}"'$' "$T/kv" || true)
unexpected=$(grep -vE '^INFO .+ passed for resource .+ against version '"${V//./\\.}"'$' "$T/kv" \
  | grep -vxF -f <(printf '%s\n' "${EXPECTED[@]}" '') || true)
warned=$(grep -c '^WARN ' "$T/kv" || true)
if [ $rc -ne 0 ] || [ -n "$unexpected" ] || [ "$passed" -ne "$API_DOCS" ] || [ "$warned" -ne ${#KUBELET_FILES[@]} ]; then
  cat "$T/kv" >&2
  die "kubernetes-validate --strict -k $VERSION (exit $rc; $passed of $API_DOCS API document(s) passed)"
fi
# 4) The kubelet unit's drop-in, with the kubelet's and kubeadm's own units.
if [ ${#KUBELET_FILES[@]} -gt 0 ] && [ -z "$UNIT_DROPIN" ]; then
  die "kubelet-config.yaml without kubelet.service.conf: nothing starts the kubelet with --config-dir"
fi
if [ -n "$UNIT_DROPIN" ]; then
  [ ${#KUBELET_FILES[@]} -gt 0 ] || die "kubelet.service.conf without a KubeletConfiguration to read"
  command -v systemd-analyze >/dev/null || die "systemd-analyze missing: apt-get install -y systemd"
  R=$T/root; U=$R/usr/lib/systemd/system; D=$R/etc/systemd/system/kubelet.service.d
  mkdir -p "$U" "$D" "$R/usr/bin"
  cp -a /usr/lib/systemd/system/. "$U/"
  install -m 755 /dev/null "$R/usr/bin/kubelet"
  cat > "$U/kubelet.service" <<'UNIT'
[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
UNIT
  mkdir -p "$U/kubelet.service.d"
  cat > "$U/kubelet.service.d/10-kubeadm.conf" <<'UNIT'
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
UNIT
  cp "$UNIT_DROPIN" "$D/20-rig-config-dir.conf"
  rc=0; (cd / && SYSTEMD_LOG_COLOR=0 systemd-analyze verify --root="$R" --man=no kubelet.service) > "$T/verify" 2>&1 || rc=$?
  if [ $rc -ne 0 ] || [ -s "$T/verify" ]; then cat "$T/verify" >&2; die "systemd-analyze verify of the kubelet unit with $UNIT_DROPIN (exit $rc)"; fi
  # The last assignment of KUBELET_CONFIG_ARGS wins: kubeadm's drop-in, then rig's (read after it by name).
  last=$(cat "$U/kubelet.service.d/10-kubeadm.conf" "$D/20-rig-config-dir.conf" \
    | sed -nE 's/^Environment="KUBELET_CONFIG_ARGS=(.*)"$/\1/p' | tail -n 1)
  [[ " $last " == *" --config-dir=/etc/kubernetes/kubelet.conf.d "* ]] \
    || die "$UNIT_DROPIN: KUBELET_CONFIG_ARGS ends up as '$last', without --config-dir=/etc/kubernetes/kubelet.conf.d"
  [[ " $last " == *" --config=/var/lib/kubelet/config.yaml "* ]] \
    || die "$UNIT_DROPIN: KUBELET_CONFIG_ARGS ends up as '$last', which drops kubeadm's --config"
fi
echo "check-kubernetes: OK: ${#FILES[@]} file(s), $API_DOCS API document(s) valid for Kubernetes $VERSION (strict)," \
  "${#KUBELET_FILES[@]} KubeletConfiguration document(s) checked against the v1beta1 field list" \
  "${UNIT_DROPIN:+, the kubelet unit's drop-in verified with kubeadm's}"
