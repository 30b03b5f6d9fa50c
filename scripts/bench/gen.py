#!/usr/bin/env python3
"""Inputs for scripts/bench.sh, and the check that jsonnet's objects are rig's.

  gen.py project DIR N [--all-targets]  N Kubernetes Deployments: DIR/rig.yaml, DIR/part-K.yaml (its include:
                                        files, at most CHUNK components each, so every file stays under rig's
                                        1 MiB limit) and DIR/spec.json, the same components for the jsonnet peer
  gen.py chain DIR N                    N components, each requiring the next; only c0 in the stack
  gen.py fleet DIR HOSTS C              a fleet of HOSTS machines (four models, in groups of ten), each with C
                                        components (Kubernetes workloads and host packages) and all six targets,
                                        in one cluster: DIR/rig.yaml; and the same machines as HOSTS single-host
                                        projects, DIR/single/HOST/rig.yaml (one rig.yaml copied per machine)
  gen.py compare OUT JSON               OUT/kubernetes/*.yaml (rig render) against jsonnet's document: prints
                                        "same" or the files that differ, exits 1 on a difference
"""
import json
import os
import sys

CHUNK = 2000  # about 330 KB of YAML per include file
HEADER = """apiVersion: rig/v1
name: {name}

hardware:
  cpu: {{ hybrid: {{ performance: 64, efficiency: 0 }} }}
  memory: 4096GiB
  os: {{ distribution: debian, release: bookworm }}

sources: [debian-bookworm, kubernetes, upstream]
"""
TARGETS = {
    "kubernetes": '  kubernetes: { version: "1.30", namespace: bench }',
    "all": """  ansible: { host: bench }
  kubernetes: { version: "1.30", namespace: bench }
  nix: { release: "24.11" }
  kernel: {}
  systemd: {}
  prometheus: {}""",
}


def write(path, text):
    data = text.encode()
    if len(data) >= 1 << 20:
        sys.exit(f"gen.py: {path} would be {len(data)} bytes, over rig's 1 MiB limit")
    with open(path, "wb") as f:
        f.write(data)


def component(i):
    return {"name": f"app{i}", "version": f"1.0.{i}", "image": f"registry.example/app{i}:1.0.{i}",
            "ports": [10000 + i], "memory": "64MiB"}


def project(folder, n, all_targets):
    os.makedirs(folder, exist_ok=True)
    comps = [component(i) for i in range(n)]
    parts = []
    for k, start in enumerate(range(0, n, CHUNK)):
        chunk = comps[start:start + CHUNK]
        lines = ["stack:"] + [f"  - {c['name']}" for c in chunk] + ["", "components:"]
        lines += [f'  {c["name"]}: {{ versions: {{ "{c["version"]}": {{}} }}, runtime: kubernetes, '
                  f'image: {c["image"]}, ports: [{c["ports"][0]}], resources: {{ memory: {c["memory"]} }} }}'
                  for c in chunk]
        parts.append(f"part-{k}.yaml")
        write(os.path.join(folder, parts[-1]), "\n".join(lines) + "\n")
    if len(parts) > 64:
        sys.exit("gen.py: more than 64 include files; raise CHUNK")
    root = HEADER.format(name="bench") + "\ntargets:\n" + TARGETS["all" if all_targets else "kubernetes"]
    root += "\n\ninclude: [" + ", ".join(parts) + "]\n"
    write(os.path.join(folder, "rig.yaml"), root)
    spec = {"name": "bench", "namespace": "bench", "version": "1.30",
            "components": sorted(comps, key=lambda c: c["name"])}
    with open(os.path.join(folder, "spec.json"), "w") as f:
        json.dump(spec, f)


def chain(folder, n):
    os.makedirs(folder, exist_ok=True)
    lines = [HEADER.format(name="chain"), "stack: [c0]", "", "components:"]
    for i in range(n):
        requires = f"requires: [c{i + 1}] " if i + 1 < n else ""
        lines.append(f'  c{i}: {{ versions: {{ "1.0": {{ {requires}}} }} }}')
    write(os.path.join(folder, "rig.yaml"), "\n".join(lines) + "\n")


FLEET_MODELS = [  # (cpu hybrid shorthand, RAM, GPU line or None)
    ("{ performance: 8, efficiency: 12 }", "64GiB", "{ name: gpu0, model: NVIDIA GeForce RTX 4070, architecture: ada, memory: 12GiB }"),
    ("{ performance: 16, efficiency: 0, smt: split }", "128GiB", "{ name: gpu0, model: NVIDIA GeForce RTX 4090, architecture: ada, memory: 24GiB }"),
    ("{ performance: 8, efficiency: 0 }", "64GiB", None),
    ("{ performance: 6, efficiency: 8 }", "32GiB", "{ name: gpu0, model: NVIDIA RTX A4000, architecture: ampere, memory: 16GiB }"),
]


def fleet_machine(model, indent):
    cpu, memory, gpu = FLEET_MODELS[model]
    pad = " " * indent
    lines = [f"{pad}hardware:", f"{pad}  cpu: {{ hybrid: {cpu} }}", f"{pad}  memory: {memory}"]
    if gpu:
        lines.append(f"{pad}  gpus: [{gpu}]")
    lines.append(f"{pad}  os: {{ distribution: debian, release: bookworm }}")
    return lines


def fleet(folder, hosts, count):
    """Each host: the catalog packages below, then workloads up to `count` components (shared ones, and one
    of its group's own); a GPU workload on the GPU models."""
    packages = ["git", "curl", "htop", "tmux", "ripgrep", "zstd", "containerd", "kubelet",
                "prometheus-node-exporter"]
    shared = count - len(packages) - 1   # plus runc (containerd's) and the group's own workload
    os.makedirs(folder, exist_ok=True)
    def workload(name, gpu=False):
        resources = "{ memory: 64MiB" + (", gpu: { memory: 1GiB, sharing: time-sliced }" if gpu else "") + " }"
        return (f'  {name}: {{ versions: {{ "1.0.0": {{}} }}, runtime: kubernetes, '
                f'image: registry.example/{name}:1.0.0, ports: [8080], resources: {resources} }}')
    stack = packages + [f"app{i}" for i in range(shared - 1)]
    common = ["sources: [debian-bookworm, kubernetes, upstream]", "", "components:"]
    common += [workload(f"app{i}") for i in range(shared - 1)]
    targets = TARGETS["all"].replace("  ansible: { host: bench }", "  ansible: {}")
    names = [f"node-{i}" for i in range(hosts)]
    groups = (hosts + 9) // 10
    lines = ["apiVersion: rig/v1", "name: fleet", ""] + common + ["", "stack: [" + ", ".join(stack) + "]", "", "groups:"]
    for g in range(groups):
        model = g % len(FLEET_MODELS)
        gpu = FLEET_MODELS[model][2] is not None
        members = names[g * 10:(g + 1) * 10]
        lines += [f"  g{g}:", f"    names: [{', '.join(members)}]"] + fleet_machine(model, 4)
        lines += [f"    stack: [app{shared - 1}, group{g}]", "    components:", "    " + workload(f"group{g}", gpu)]
        lines += ["    " + workload(f"app{shared - 1}")]
    lines += ["", "cluster: { control_plane: node-0 }", "", "targets:", targets]
    write(os.path.join(folder, "rig.yaml"), "\n".join(lines) + "\n")
    # The same machines, one project each: what a lab without fleets copies per machine.
    for i, name in enumerate(names):
        g = i // 10
        model = g % len(FLEET_MODELS)
        gpu = FLEET_MODELS[model][2] is not None
        single = ["apiVersion: rig/v1", f"name: {name}", ""] + fleet_machine(model, 0) + [""] + common
        single += [workload(f"app{shared - 1}"), workload(f"group{g}", gpu)]
        single += ["", "stack: [" + ", ".join(stack + [f"app{shared - 1}", f"group{g}"]) + "]", "", "targets:",
                   TARGETS["all"].replace("host: bench", f"host: {name}")]
        os.makedirs(os.path.join(folder, "single", name), exist_ok=True)
        write(os.path.join(folder, "single", name, "rig.yaml"), "\n".join(single) + "\n")


def compare(out, document):
    import yaml  # PyYAML (Debian's python3-yaml)

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(document) as f:
        peer = json.load(f)
    folder = os.path.join(out, "kubernetes")
    rig = {}
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name)) as f:
            rig["kubernetes/" + name] = [d for d in yaml.load_all(f, Loader=loader) if d is not None]
    differ = sorted(p for p in set(rig) | set(peer) if rig.get(p) != peer.get(p))
    if differ:
        print(f"differ in {len(differ)} of {len(rig)} files: " + ", ".join(differ[:5]))
        return 1
    print(f"same objects in all {len(rig)} files")
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) >= 3 and args[0] == "project":
        project(args[1], int(args[2]), "--all-targets" in args[3:])
    elif len(args) == 3 and args[0] == "chain":
        chain(args[1], int(args[2]))
    elif len(args) == 4 and args[0] == "fleet":
        fleet(args[1], int(args[2]), int(args[3]))
    elif len(args) == 3 and args[0] == "compare":
        sys.exit(compare(args[1], args[2]))
    else:
        sys.exit(__doc__)
