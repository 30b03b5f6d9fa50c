#!/bin/bash
# check-graph.sh PATH... — validate `rig graph` output with the real consumers. Each PATH is a file or a folder
# (its *.dot and *.mmd files, not recursive).
#  - *.dot: Graphviz lays it out and writes SVG (dot -Tsvg); a non-zero exit or any output on stderr (Graphviz
#    warns there about unknown colors, bad attributes, syntax it skipped) fails.
#  - *.mmd: Mermaid itself parses and renders it to SVG: mermaidx (PyPI, in .venv) runs the mermaid.js of the
#    Mermaid release in QuickJS with a DOM stand-in. Its mermaid.js must be Mermaid 11.16.0's dist/mermaid.min.js
#    byte for byte (the SHA-256 below; the same file artoo-mermaid vendors from the npm release), so the
#    parser that judges the diagram is Mermaid's own. A parse or render error, or anything on stderr, fails.
# Needs: graphviz (apt-get install -y graphviz) and .venv with mermaidx (scripts/bootstrap.sh). A missing tool
# fails; nothing is skipped.
set -euo pipefail
die() { printf 'check-graph: FAIL: %s\n' "$*" >&2; exit 1; }
[ $# -ge 1 ] || die "usage: $0 FILE-OR-FOLDER..."
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENV=${RIG_VENV:-$ROOT/.venv}
MERMAID_SHA256=74d7c46dabca328c2294733910a8aa1ed0c37451776e8d5295da38a2b758fb9b

command -v dot >/dev/null || die "dot missing: apt-get install -y graphviz"
MERMAIDX=$VENV/bin/mermaidx
[ -x "$MERMAIDX" ] || die "$MERMAIDX missing: run scripts/bootstrap.sh (pip install mermaidx into .venv)"
ASSETS=$("$VENV/bin/python" -c 'import mermaidx, os; print(os.path.join(os.path.dirname(mermaidx.__file__), "assets"))') \
  || die "cannot import mermaidx from $VENV"
[ "$(sha256sum "$ASSETS/mermaid.js" | cut -d' ' -f1)" = "$MERMAID_SHA256" ] \
  || die "$ASSETS/mermaid.js is not Mermaid 11.16.0's mermaid.min.js (SHA-256 differs)"

FILES=()
for p in "$@"; do
  if [ -d "$p" ]; then
    while IFS= read -r f; do FILES+=("$f"); done < <(find "$p" -maxdepth 1 -type f \( -name '*.dot' -o -name '*.mmd' \) | LC_ALL=C sort)
  elif [ -f "$p" ]; then
    FILES+=("$p")
  else
    die "$p: no such file or folder"
  fi
done
[ ${#FILES[@]} -gt 0 ] || die "no .dot or .mmd file in: $*"

T=$(mktemp -d /tmp/check-graph.XXXXXX)
trap 'rm -rf "$T"' EXIT
dots=0 mmds=0
for f in "${FILES[@]}"; do
  [ -s "$f" ] || die "$f: empty"
  case $f in
    *.dot)
      rc=0; dot -Tsvg "$f" -o "$T/out.svg" 2> "$T/err" || rc=$?
      if [ $rc -ne 0 ] || [ -s "$T/err" ]; then cat "$T/err" >&2; die "$f: dot -Tsvg (exit $rc)"; fi
      grep -q '<svg' "$T/out.svg" || die "$f: dot wrote no SVG"
      dots=$((dots + 1)) ;;
    *.mmd)
      rc=0; "$MERMAIDX" -q -i "$f" -o "$T/out.svg" > "$T/log" 2>&1 || rc=$?
      if [ $rc -ne 0 ] || [ -s "$T/log" ]; then
        # Mermaid's message, without the Python traceback that mermaidx wraps around it.
        if grep -q '^RuntimeError: Mermaid rendering failed: ' "$T/log"; then
          sed -n '/^RuntimeError: Mermaid rendering failed: /,$p' "$T/log" >&2
        else
          cat "$T/log" >&2
        fi
        die "$f: Mermaid $("$MERMAIDX" --info) (exit $rc)"
      fi
      grep -q '<svg' "$T/out.svg" || die "$f: Mermaid wrote no SVG"
      mmds=$((mmds + 1)) ;;
    *) die "$f: neither .dot nor .mmd" ;;
  esac
done
echo "check-graph: OK: $dots DOT file(s) laid out by $(dot -V 2>&1 | sed "s/^dot - //"); $mmds Mermaid file(s) parsed and rendered by Mermaid $("$MERMAIDX" --info)"
