"""check-grafana.py DIR — validate rig's Grafana dashboard and provisioning files in DIR (prometheus/grafana/).

Grafana itself is not installable here (AGPL, not in Debian); its own schema is: grafana-foundation-sdk, Grafana
Labs' generated types for the dashboard model (PyPI, pinned in requirements-dev.txt at the Grafana 11.6 schema).
The SDK validates nothing by itself (unknown keys are dropped, wrong types kept), so this script:
  1. decodes rig.json with the SDK (its Prometheus query and panel plugins registered) and encodes it back: any
     key the schema does not know is dropped on the way and reported, any value that comes back different is
     reported;
  2. walks the decoded objects against the SDK's type annotations: types, enums, literals; every query typed as
     Prometheus's;
  3. checks what Grafana checks on import: unique panel ids, refIds set and unique per panel, the 24-column grid,
     units Grafana knows, every panel on the provisioned Prometheus data source;
  4. parses every query with promtool (Prometheus' own parser) and allows only the metrics a GeForce card and a
     stock exporter export: dcgm-exporter's default DCGM_FI_DEV_* counters (never DCGM_FI_PROF_*, which need a
     data-center board) and node_exporter's;
  5. reads datasource.yaml and dashboards.yaml against Grafana's provisioning fields (Grafana ignores unknown keys
     silently, so they are errors here); the dashboard's panels use the data source datasource.yaml provisions.
Prints one line per problem and exits 1, or prints "OK: …" and exits 0.
"""

import enum
import json
import re
import subprocess
import sys
import tempfile
import types
import typing
from pathlib import Path

import yaml
from grafana_foundation_sdk.cog import variants
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.cog.plugins import register_default_plugins
from grafana_foundation_sdk.models import units
from grafana_foundation_sdk.models.dashboard import Dashboard

register_default_plugins()  # not done on import: without it queries and panel options stay untyped dicts

UNITS = {value for value in vars(units).values() if isinstance(value, str)}

# dcgm-exporter's default counters (NVIDIA/dcgm-exporter etc/default-counters.csv) that are not profiling
# fields, and node_exporter's CPU and memory metrics (collector/cpu_linux.go, meminfo_linux.go).
METRICS = {
    "DCGM_FI_DEV_SM_CLOCK", "DCGM_FI_DEV_MEM_CLOCK", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE",
    "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_MEM_COPY_UTIL",
    "DCGM_FI_DEV_ENC_UTIL", "DCGM_FI_DEV_DEC_UTIL", "DCGM_FI_DEV_XID_ERRORS", "DCGM_FI_DEV_FB_FREE",
    "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_PCIE_REPLAY_COUNTER",
    "node_cpu_seconds_total", "node_memory_MemTotal_bytes", "node_memory_MemAvailable_bytes",
    "node_memory_MemFree_bytes", "node_memory_Buffers_bytes", "node_memory_Cached_bytes",
}
PROMQL_WORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
    "sum", "avg", "min", "max", "count", "rate", "irate", "increase", "topk", "bottomk", "abs", "clamp_max",
    "clamp_min", "avg_over_time", "max_over_time", "min_over_time", "last_over_time", "delta", "deriv",
}

DATASOURCE_FIELDS = {
    "name": str, "type": str, "access": str, "orgId": int, "uid": str, "url": str, "user": str, "database": str,
    "basicAuth": bool, "basicAuthUser": str, "withCredentials": bool, "isDefault": bool, "jsonData": dict,
    "secureJsonData": dict, "version": int, "editable": bool,
}
PROVIDER_FIELDS = {
    "name": str, "orgId": int, "folder": str, "folderUid": str, "type": str, "disableDeletion": bool,
    "updateIntervalSeconds": int, "allowUiUpdates": bool, "options": dict,
}


def dropped_or_changed(given, back, path="$"):
    """What the SDK's round trip lost or changed (keys it adds as defaults are fine)."""
    if isinstance(given, dict) and isinstance(back, dict):
        for key, value in given.items():
            if key not in back:
                yield f"{path}.{key}: not in Grafana's dashboard schema (dropped on decoding)"
            else:
                yield from dropped_or_changed(value, back[key], f"{path}.{key}")
    elif isinstance(given, list) and isinstance(back, list) and len(given) == len(back):
        for index, (a, b) in enumerate(zip(given, back)):
            yield from dropped_or_changed(a, b, f"{path}[{index}]")
    elif given != back or type(given) is not type(back):
        yield f"{path}: {given!r} came back as {back!r}"


def mistyped(value, hint, path):
    """Where `value` does not have the type the SDK annotates."""
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if hint is None:
        for name, field in typing.get_type_hints(type(value)).items():
            yield from mistyped(getattr(value, name), field, f"{path}.{name}")
    elif origin in (typing.Union, types.UnionType):
        if value is None and type(None) in arguments:
            return
        arms = [arm for arm in arguments if arm is not type(None)]
        exact = [arm for arm in arms if isinstance(arm, type) and hasattr(arm, "to_json") and isinstance(value, arm)]
        if len(arms) == 1 or exact:
            yield from mistyped(value, (exact or arms)[0], path)
        elif all(list(mistyped(value, arm, path)) for arm in arms):
            yield f"{path}: {value!r} is none of {hint}"
    elif origin is typing.Literal:
        if value not in arguments:
            yield f"{path}: {value!r} is not one of {arguments}"
    elif origin in (list, dict):
        if not isinstance(value, origin):
            yield f"{path}: expected a {origin.__name__}, not {value!r}"
        else:
            items = value.items() if origin is dict else enumerate(value)
            for key, item in items:
                yield from mistyped(item, arguments[-1], f"{path}[{key!r}]")
    elif hint is object or hint is typing.Any:
        if hasattr(value, "to_json"):
            yield from mistyped(value, None, path)
    elif isinstance(hint, type) and issubclass(hint, enum.Enum):
        if value not in {member.value for member in hint}:
            yield f"{path}: {value!r} is not one of {[member.value for member in hint]}"
    elif hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            yield f"{path}: expected a number, not {value!r}"
    elif hint in (int, str, bool):
        if isinstance(value, bool) != (hint is bool) or not isinstance(value, hint):
            yield f"{path}: expected {hint.__name__}, not {value!r}"
    elif hint is variants.Dataquery:
        if type(value).__name__ == "UnknownDataquery":
            yield f"{path}: a query the SDK cannot type (no Prometheus data source on the panel or the query)"
        else:
            yield from mistyped(value, None, path)
    elif isinstance(hint, type):
        if isinstance(value, hint):
            yield from mistyped(value, None, path)
        else:
            yield f"{path}: expected {hint.__name__}, not {value!r}"


def check_dashboard(given, datasource_uid):
    try:
        dashboard = Dashboard.from_json(given)
    except Exception as error:  # the SDK raises on broken structure only
        return [f"the SDK cannot decode it: {type(error).__name__}: {error}"], []
    back = json.loads(json.dumps(dashboard, cls=JSONEncoder))
    problems = list(dropped_or_changed(given, back)) + list(mistyped(dashboard, None, "$"))
    panels = [p for panel in given.get("panels", []) for p in [panel, *panel.get("panels", [])]]
    ids = [panel.get("id") for panel in panels]
    problems += [f"panel id {i} is used twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    queries = []
    for panel in panels:
        name = f"panel {panel.get('id')} ({panel.get('title')!r})"
        grid = panel.get("gridPos", {})
        if grid.get("x", 0) + grid.get("w", 0) > 24:
            problems.append(f"{name}: it reaches past the grid's 24 columns")
        if panel.get("type") == "row":
            continue
        if panel.get("datasource") != {"type": "prometheus", "uid": datasource_uid}:
            problems.append(f"{name}: not on the provisioned data source {datasource_uid!r}")
        refs = [target.get("refId") for target in panel.get("targets", [])]
        if not refs or not all(refs) or len(set(refs)) != len(refs):
            problems.append(f"{name}: queries need refIds, each its own: {refs}")
        unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit")
        if unit and unit not in UNITS:
            problems.append(f"{name}: Grafana has no unit {unit!r}")
        queries += [(name, target.get("expr", "")) for target in panel.get("targets", [])]
    return problems, queries


def check_queries(queries):
    problems = []
    for name, expr in queries:
        if not expr:
            problems.append(f"{name}: a query without an expression")
        # The metric names: what is left without strings, matchers, ranges and grouping labels.
        bare = re.sub(r'"[^"]*"|\{[^}]*\}|\[[^]]*\]|\b(by|without|on|ignoring)\s*\([^)]*\)', " ", expr)
        words = set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", bare))
        for metric in sorted(words - PROMQL_WORDS - {"e"}):
            if metric not in METRICS:
                problems.append(f"{name}: {metric} is not a metric a GeForce card and a stock exporter export")
    # promtool parses each expression as a recording rule; Grafana's own interval variables become 5m.
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:query{index}", "expr": re.sub(r"\$__(rate_)?interval|\$__range", "5m", expr)}
        for index, (_, expr) in enumerate(queries)]}]}
    with tempfile.NamedTemporaryFile("w", suffix=".yml") as file:
        yaml.safe_dump(rules, file)
        file.flush()
        result = subprocess.run(["promtool", "check", "rules", file.name], capture_output=True, text=True)
    if result.returncode != 0:
        problems.append("promtool cannot parse a query: " + (result.stdout + result.stderr).strip())
    return problems


def fields(mapping, schema, where):
    if not isinstance(mapping, dict):
        return [f"{where}: expected a mapping"]
    problems = [f"{where}.{key}: not a field Grafana reads (it would ignore it)" for key in mapping if key not in schema]
    for key, value in mapping.items():
        kind = schema.get(key)
        if kind and (not isinstance(value, kind) or (kind is not bool and isinstance(value, bool))):
            problems.append(f"{where}.{key}: expected {kind.__name__}, not {value!r}")
    return problems


def check_datasources(document):
    problems = fields(document, {"apiVersion": int, "datasources": list}, "$")
    if document.get("apiVersion") != 1:
        problems.append("$.apiVersion: must be 1")
    sources = document.get("datasources") or []
    for index, source in enumerate(sources):
        where = f"$.datasources[{index}]"
        problems += fields(source, DATASOURCE_FIELDS, where)
        problems += [f"{where}.{key}: required" for key in ("name", "type") if not source.get(key)]
        if source.get("access", "proxy") not in ("proxy", "direct"):
            problems.append(f"{where}.access: proxy or direct")
    if sum(bool(source.get("isDefault")) for source in sources) > 1:
        problems.append("more than one data source is the default")
    return problems


def check_providers(document):
    problems = fields(document, {"apiVersion": int, "providers": list}, "$")
    if document.get("apiVersion") != 1:
        problems.append("$.apiVersion: must be 1")
    for index, provider in enumerate(document.get("providers") or []):
        where = f"$.providers[{index}]"
        problems += fields(provider, PROVIDER_FIELDS, where)
        problems += fields(provider.get("options") or {}, {"path": str, "foldersFromFilesStructure": bool},
                           f"{where}.options")
        if not provider.get("name"):
            problems.append(f"{where}.name: required")
        if provider.get("type", "file") == "file" and not (provider.get("options") or {}).get("path"):
            problems.append(f"{where}.options.path: required for a file provider")
    return problems


def main(folder):
    base = Path(folder) / "prometheus" / "grafana"
    if not base.is_dir():
        print("check-grafana: OK: no Grafana output; nothing to check")
        return 0
    problems = []
    try:
        dashboard = json.loads((base / "rig.json").read_text())
        datasources = yaml.safe_load((base / "datasource.yaml").read_text())
        providers = yaml.safe_load((base / "dashboards.yaml").read_text())
    except (OSError, ValueError, yaml.YAMLError) as error:
        print(f"check-grafana: FAIL: {error}", file=sys.stderr)
        return 1
    problems += [f"datasource.yaml: {p}" for p in check_datasources(datasources)]
    problems += [f"dashboards.yaml: {p}" for p in check_providers(providers)]
    uids = [source.get("uid") for source in datasources.get("datasources") or [] if isinstance(source, dict)]
    found, queries = check_dashboard(dashboard, uids[0] if uids else None)
    problems += [f"rig.json: {p}" for p in found + check_queries(queries)]
    if problems:
        print("\n".join(f"check-grafana: FAIL: {p}" for p in problems), file=sys.stderr)
        return 1
    panels = [p for p in dashboard.get("panels", []) if p.get("type") != "row"]
    metrics = {metric for _, expr in queries for metric in METRICS if metric in expr}
    print(f"check-grafana: OK: {len(panels)} panels, {len(queries)} queries on {len(metrics)} metrics; "
          "the schema keeps every field; provisioning valid")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: check-grafana.py DIR", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
