#!/usr/bin/env python3
"""Inputs for scripts/bench.sh, and the check that jsonnet's objects are rig's.

  gen.py project DIR N [--all-targets]  N Kubernetes Deployments: DIR/rig.yaml, DIR/part-K.yaml (its include:
                                        files, at most CHUNK components each, so every file stays under rig's
                                        1 MiB limit) and DIR/spec.json, the same components for the jsonnet peer
  gen.py chain DIR N                    N components, each requiring the next; only c0 in the stack
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
    elif len(args) == 3 and args[0] == "compare":
        sys.exit(compare(args[1], args[2]))
    else:
        sys.exit(__doc__)
