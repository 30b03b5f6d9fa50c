#!/bin/bash
# check-nix.sh DIR — validate rig's NixOS module (DIR/nix/rig.nix) with Nix itself (no nixpkgs here):
#  1. nix-instantiate --parse: the Nix syntax;
#  2. nix-instantiate --eval --strict --json of a generated eval.nix that imports the module and applies it
#     to stub { config; lib; pkgs; }: evaluates every value (type errors, undefined variables, missing
#     attributes, throw/assert, mkIf on a non-boolean, ...).
# Stubs: Nix has no "any attribute" set (a missing attribute is always an error), so the stubs are built
# from the module's text. Every `pkgs.a.b` and `config.a.b` attribute path becomes a node, and if the
# module uses `with pkgs;` every identifier path of the file becomes an attribute of pkgs too (harmless
# over-approximation: `with` never shadows lexically bound names such as lib, config or builtins, so the
# extra attributes are only reachable as otherwise-undefined variables inside `with pkgs;`). A node is an
# attribute set { outPath = "/rig-check-stub/pkgs.git"; <children> }: it is a valid list element, it
# interpolates ("${pkgs.git}/bin/git") and serializes to that string in JSON. A `config.<...>.enable` read
# is `true` (NixOS' convention: enable options are booleans), so `lib.mkIf config.x.enable { ... }` bodies
# are evaluated too. lib offers mkDefault, mkForce,
# mkOverride, mkIf, mkMerge, mkBefore, mkAfter, mkOrder, optional(s), optionalString, optionalAttrs, getExe.
# What it cannot check (no nixpkgs): option names and types, package names. Golden review covers those.
# Runs on a temporary copy with a dummy store (--store dummy://) and all Nix state in a temporary
# directory: nothing is written into DIR or /nix. Any stderr output (warnings) fails.
# Needs: apt-get install -y nix-bin (nix-instantiate), python3.
set -euo pipefail
die() { printf 'check-nix: FAIL: %s\n' "$*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: $0 DIR"
SRC=$1/nix
command -v nix-instantiate >/dev/null || die "nix-instantiate missing: apt-get install -y --no-install-recommends nix-bin"
command -v python3 >/dev/null || die "python3 missing"
if [ ! -d "$SRC" ]; then echo "check-nix: OK: no nix output; nothing to check"; exit 0; fi
[ -f "$SRC/rig.nix" ] || die "$SRC/rig.nix missing"

T=$(mktemp -d /tmp/check-nix.XXXXXX)
trap 'rm -rf "$T"' EXIT
cp -a "$SRC" "$T/nix"; mkdir -p "$T/state" "$T/log" "$T/conf" "$T/home"
# No /etc/nix/nix.conf, no NIX_PATH (<nixpkgs> must not be used), no daemon, state below $T.
export NIX_STATE_DIR=$T/state NIX_LOG_DIR=$T/log NIX_CONF_DIR=$T/conf HOME=$T/home XDG_CACHE_HOME=$T/home/.cache \
  NIX_CONFIG='build-users-group =' NIX_PATH= NIX_REMOTE=
unset NIX_USER_CONF_FILES
NIX=(nix-instantiate --store dummy://)

# 1) Parse.
"${NIX[@]}" --parse "$T/nix/rig.nix" > "$T/parsed" 2> "$T/err" || { cat "$T/err" >&2; die "rig.nix does not parse"; }
[ ! -s "$T/err" ] || { cat "$T/err" >&2; die "nix-instantiate --parse printed warnings (above)"; }

# 2) Stubs from the module's text, then evaluate.
python3 - "$T/nix/rig.nix" > "$T/nix/stubs.nix" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
IDENT = r"[A-Za-z_][A-Za-z0-9_'-]*"
SEG = rf'(?:{IDENT}|"(?:[^"\\$]|\\.)*")'
def paths(root):
    for m in re.finditer(rf"(?<![A-Za-z0-9_'.-]){root}((?:\.{SEG})+)", text):
        yield re.findall(SEG, m.group(1))
tree = {"pkgs": {}, "config": {}}
def add(node, segs):
    for s in segs:
        s = s[1:-1] if s.startswith('"') else s
        if s == "outPath":
            return
        node = node.setdefault(s, {})
for root in ("pkgs", "config"):
    for segs in paths(root):
        add(tree[root], segs)
if re.search(r"\bwith\s+pkgs\s*;", text):
    KEYWORDS = {"if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or"}
    for m in re.finditer(rf"(?<![A-Za-z0-9_'.-]){IDENT}(?:\.{SEG})*", text):
        segs = re.findall(SEG, m.group(0))
        if segs[0] not in KEYWORDS:
            add(tree["pkgs"], segs)
def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("${", "\\${") + '"'
def emit(path, node):
    if path.startswith("config.") and path.endswith(".enable") and not node:
        return "true"
    kids = "".join(f" {q(k)} = {emit(path + '.' + k, v)};" for k, v in sorted(node.items()))
    return f"stub {q(path)} {{{kids} }}"
print("stub: { pkgs = " + emit("pkgs", tree["pkgs"]) + "; config = " + emit("config", tree["config"]) + "; }")
PY
cat > "$T/nix/eval.nix" <<'NIX'
let
  module = import ./rig.nix;
  stub = path: children: children // { outPath = "/rig-check-stub/" + path; };
  stubs = import ./stubs.nix stub;
  lib = {
    mkDefault = v: v; mkForce = v: v; mkOverride = _: v: v; mkIf = c: v: if c then v else { };
    mkMerge = vs: builtins.foldl' (a: b: a // b) { } vs; mkBefore = v: v; mkAfter = v: v; mkOrder = _: v: v;
    optional = c: v: if c then [ v ] else [ ]; optionals = c: v: if c then v else [ ];
    optionalString = c: s: if c then s else ""; optionalAttrs = c: a: if c then a else { };
    getExe = p: "${p}/bin/${p.meta.mainProgram or "stub"}";
  };
  args = { inherit lib; inherit (stubs) pkgs config; options = { }; modulesPath = "/rig-check-stub/modulesPath"; };
  formals = builtins.functionArgs module;
  result = if builtins.isFunction module
    then module (if formals == { } then args else builtins.intersectAttrs formals args)
    else module;
in
  if builtins.isAttrs result then result else throw "rig.nix does not evaluate to an attribute set (a NixOS module)"
NIX
(cd "$T/nix" && "${NIX[@]}" --eval --strict --json eval.nix) > "$T/eval.json" 2> "$T/err" \
  || { sed "s#$T/nix/##g" "$T/err" >&2; die "rig.nix does not evaluate against the stubs (eval.nix)"; }
[ ! -s "$T/err" ] || { cat "$T/err" >&2; die "nix-instantiate --eval printed warnings (above)"; }
keys=$(python3 -c 'import json,sys; print(" ".join(sorted(json.load(open(sys.argv[1])))))' "$T/eval.json") \
  || die "nix-instantiate printed no JSON"
echo "check-nix: OK: rig.nix parses and evaluates strictly (top-level: $keys)"
