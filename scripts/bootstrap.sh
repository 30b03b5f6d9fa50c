#!/usr/bin/env bash
# Installs what the tests need: a Python virtual environment in .venv with the validators of
# requirements-dev.txt (and, as root on Debian, the system packages that make a venv possible).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
  else
    echo "bootstrap: python3 with the venv module is needed (Debian: apt-get install python3-venv)" >&2
    exit 1
  fi
fi

stamp=.venv/.requirements
if [ ! -x .venv/bin/python ] || ! cmp -s requirements-dev.txt "$stamp"; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  cp requirements-dev.txt "$stamp"
fi
.venv/bin/check-jsonschema --version
