#!/usr/bin/env python3
"""The Debian catalog files, from the Debian archive's package indexes.

    scripts/catalog/debian.py check RELEASE [--catalog FILE]    # exit 1, saying what moved, when the archive moved
    scripts/catalog/debian.py refresh RELEASE [--catalog FILE]  # rewrite the versions and areas from the archive

For each component of Sources/RigCatalog/data/debian-RELEASE.yaml (its `package:` and `architecture:`), the
archive's facts are read from the Packages indexes of RELEASE, RELEASE-updates and RELEASE-security, every area,
as apt on a machine of that release sees them:
  - the version: the highest one the suites offer, which is what apt installs (all suites have one priority);
  - the areas: those of the package and of everything it depends on (Depends and Pre-Depends, first alternative),
    beyond main, from each package's Section (`non-free/libs` is in non-free, `libs` in main);
  - that the pins can be installed together: a dependency the package ties to one version (`=`) must have that
    version as its candidate, or apt refuses the pin.
What the archive cannot say (requirements between components, the GPUs a driver supports, the comments that cite
them) is written by hand in the catalog file and kept; `refresh` rewrites only the version keys and `areas:` lines.
"""
import argparse
import lzma
import os
import re
import sys
import urllib.request

MIRROR = os.environ.get("RIG_DEBIAN_MIRROR", "http://deb.debian.org/debian")
SECURITY = os.environ.get("RIG_DEBIAN_SECURITY", "http://security.debian.org/debian-security")
AREAS = ["main", "contrib", "non-free", "non-free-firmware"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.environ.get("RIG_INDEX_CACHE", "/var/cache/rig-apply/indexes")


# Debian version comparison (Debian Policy 5.6.12).
def _order(c):
    if c == "~":
        return -1
    if c.isdigit():
        return 0
    if c.isalpha():
        return ord(c)
    return ord(c) + 256


def _compare_part(a, b):
    while a or b:
        a_text = re.match(r"[^0-9]*", a).group()
        b_text = re.match(r"[^0-9]*", b).group()
        for i in range(max(len(a_text), len(b_text))):
            x = _order(a_text[i]) if i < len(a_text) else 0
            y = _order(b_text[i]) if i < len(b_text) else 0
            if x != y:
                return -1 if x < y else 1
        a, b = a[len(a_text):], b[len(b_text):]
        a_num = re.match(r"[0-9]*", a).group()
        b_num = re.match(r"[0-9]*", b).group()
        if int(a_num or 0) != int(b_num or 0):
            return -1 if int(a_num or 0) < int(b_num or 0) else 1
        a, b = a[len(a_num):], b[len(b_num):]
    return 0


def compare(a, b):
    def split(v):
        epoch, _, rest = v.rpartition(":") if ":" in v else ("0", "", v)
        upstream, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "0")
        return int(epoch or 0), upstream, revision

    (ea, ua, ra), (eb, ub, rb) = split(a), split(b)
    if ea != eb:
        return -1 if ea < eb else 1
    return _compare_part(ua, ub) or _compare_part(ra, rb)


def fetch(url):
    """The text of a Packages.xz index, cached on disk and fetched again only when the server's copy changed."""
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, re.sub(r"[^A-Za-z0-9.-]", "_", url))
    request = urllib.request.Request(url)
    if os.path.exists(path):
        request.add_header("If-Modified-Since", _http_date(os.path.getmtime(path)))
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            data = response.read()
        with open(path + ".new", "wb") as out:
            out.write(data)
        os.replace(path + ".new", path)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return ""
        if error.code != 304:
            raise
    with open(path, "rb") as cached:
        return lzma.decompress(cached.read()).decode("utf-8", "replace")


def _http_date(seconds):
    import email.utils

    return email.utils.formatdate(seconds, usegmt=True)


def stanzas(text):
    for block in text.split("\n\n"):
        fields, key = {}, None
        for line in block.splitlines():
            if line.startswith((" ", "\t")) and key:
                fields[key] += "\n" + line
            elif ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        if "Package" in fields:
            yield fields


def archive(release, architectures):
    """Every package of the release's suites: name:arch -> [(version, section, depends, suite)]."""
    suites = [(MIRROR, release), (MIRROR, release + "-updates"), (SECURITY, release + "-security")]
    packages = {}
    for base, suite in suites:
        for area in AREAS:
            for architecture in architectures:
                url = f"{base}/dists/{suite}/{area}/binary-{architecture}/Packages.xz"
                for fields in stanzas(fetch(url)):
                    section = fields.get("Section", "")
                    depends = ", ".join(fields[k] for k in ("Pre-Depends", "Depends") if k in fields)
                    key = fields["Package"] + ":" + architecture
                    packages.setdefault(key, []).append((fields["Version"], section, depends, suite))
    return packages


def candidate(packages, name, architecture):
    offers = packages.get(f"{name}:{architecture}", [])
    best = None
    for offer in offers:
        if best is None or compare(offer[0], best[0]) > 0:
            best = offer
    return best


def area_of(section):
    return section.split("/")[0] if "/" in section else "main"


def parse_depends(text):
    """(name, operator, version) of the first alternative of each dependency; `:any` and arch qualifiers dropped."""
    result = []
    for clause in filter(None, (c.strip() for c in text.split(","))):
        first = clause.split("|")[0].strip()
        match = re.match(r"([a-z0-9][a-z0-9+.-]*)(?::[a-z0-9]+)?\s*(?:\(\s*([<>=]+)\s*([^)\s]+)\s*\))?", first)
        if match:
            result.append((match.group(1), match.group(2), match.group(3)))
    return result


def facts(packages, name, architecture):
    """The candidate's version and suite, the areas beyond main of its dependency closure, and its broken ties."""
    top = candidate(packages, name, architecture)
    if top is None:
        return None
    areas, seen, todo, ties = set(), set(), [(name, architecture)], []
    while todo:
        package, arch = todo.pop()
        if (package, arch) in seen:
            continue
        seen.add((package, arch))
        offer = candidate(packages, package, arch) or candidate(packages, package, "all")
        if offer is None:
            continue  # a virtual package, provided by another
        areas.add(area_of(offer[1]))
        for dependency, operator, version in parse_depends(offer[2]):
            todo.append((dependency, arch))
            if package == name and operator == "=":
                tied = candidate(packages, dependency, arch) or candidate(packages, dependency, "all")
                if tied is not None and tied[0] != version:
                    ties.append(f"{dependency} (= {version}), whose candidate is {tied[0]}")
    return top[0], top[3], sorted(areas - {"main"}, key=AREAS.index), ties


COMPONENT = re.compile(r"^  ([a-z0-9][a-z0-9+.-]*):\s*$")
VERSION = re.compile(r'^      "([^"]+)":(.*)$')


def components(lines):
    """Each component block: name, package, architecture, the line numbers of its areas and version keys."""
    blocks, current = [], None
    for number, line in enumerate(lines):
        match = COMPONENT.match(line)
        if match:
            current = {"name": match.group(1), "package": match.group(1), "architecture": "amd64",
                       "start": number, "areas": None, "versions": []}
            blocks.append(current)
        elif current is not None and line.startswith("    package: "):
            current["package"] = line.split(":", 1)[1].strip()
        elif current is not None and line.startswith("    architecture: "):
            current["architecture"] = line.split(":", 1)[1].strip()
        elif current is not None and line.startswith("    areas: "):
            current["areas"] = number
        elif current is not None and VERSION.match(line):
            current["versions"].append(number)
    return blocks


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["check", "refresh"])
    parser.add_argument("release", choices=["bookworm", "trixie"])
    parser.add_argument("--catalog", help="the catalog file (default: the built-in one of RELEASE)")
    arguments = parser.parse_args()
    path = arguments.catalog or os.path.join(ROOT, "Sources/RigCatalog/data", f"debian-{arguments.release}.yaml")
    with open(path, encoding="utf-8") as file:
        lines = file.read().split("\n")
    blocks = components(lines)
    packages = archive(arguments.release, sorted({b["architecture"] for b in blocks} | {"amd64"}))
    if not packages:
        sys.exit(f"debian.py: the archive's indexes for {arguments.release} are empty or unreachable")
    problems, edits = [], {}
    for block in blocks:
        name, package, architecture = block["name"], block["package"], block["architecture"]
        found = facts(packages, package, architecture)
        where = f"{os.path.relpath(path, ROOT)}:{block['start'] + 1}"
        if found is None:
            problems.append(f"{where}: {name}: the archive has no {package}:{architecture} in {arguments.release}")
            continue
        version, suite, areas, ties = found
        if len(block["versions"]) != 1:
            problems.append(f"{where}: {name}: a Debian release offers one version; the catalog lists "
                            f"{len(block['versions'])}")
            continue
        line = block["versions"][0]
        written, rest = VERSION.match(lines[line]).groups()
        if written != version:
            problems.append(f"{where}: {name}: the catalog pins {package}={written}; the archive's is {version} "
                            f"({suite})")
            edits[line] = f'      "{version}":{rest}'
        written_areas = []
        if block["areas"] is not None:
            written_areas = [a.strip() for a in lines[block["areas"]].split("[", 1)[1].rstrip("] ").split(",")]
        if written_areas != areas:
            problems.append(f"{where}: {name}: the catalog's areas are {written_areas or ['main']}; "
                            f"{package} and its dependencies need {areas or ['main']}")
            edits[("areas", block["start"])] = areas
        for tie in ties:
            problems.append(f"{where}: {name}: {package} {version} depends on {tie}: apt cannot install the pin")
    if arguments.mode == "check":
        for problem in problems:
            print("debian.py:", problem)
        if problems:
            print(f"debian.py: the archive moved: run 'scripts/catalog/debian.py refresh {arguments.release}' "
                  "and review the diff")
            sys.exit(1)
        print(f"debian.py: OK: {len(blocks)} components of {arguments.release} match the archive")
        return
    out = []
    for number, line in enumerate(lines):
        if number in edits:
            line = edits[number]
        if block_start := next((b for b in blocks if b["start"] == number), None):
            out.append(line)
            areas = edits.get(("areas", number))
            if areas is not None and block_start["areas"] is None and areas:
                pending = f"    areas: [{', '.join(areas)}]"
                block_start["pending"] = pending
            continue
        block = next((b for b in blocks if b["areas"] == number), None)
        if block is not None and ("areas", block["start"]) in edits:
            areas = edits[("areas", block["start"])]
            if areas:
                out.append(f"    areas: [{', '.join(areas)}]")
            continue
        out.append(line)
        pending = next((b.get("pending") for b in blocks if line.startswith("    package: ")
                        and b.get("pending") and b["start"] < number and number - b["start"] <= 3), None)
        if pending:
            out.append(pending)
            for b in blocks:
                if b.get("pending") == pending:
                    b.pop("pending")
    with open(path, "w", encoding="utf-8") as file:
        file.write("\n".join(out))
    print(f"debian.py: {len(problems)} fact(s) of {os.path.relpath(path, ROOT)} rewritten from the archive")
    for problem in problems:
        print("  ", problem)


if __name__ == "__main__":
    main()
