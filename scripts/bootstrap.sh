#!/usr/bin/env bash
# Installs what the tests need: the Debian packages below (as root, with apt) and a Python virtual
# environment in .venv with the validators of requirements-dev.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: a Python with venv for the pip validators; grub2-common (Debian's grub-mkconfig) and
# systemd (systemd-analyze, the manager's --test mode) for the kernel and systemd artifacts.
missing=()
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3 python3-venv)
[ -x /usr/sbin/grub-mkconfig ] && [ -x /usr/bin/grub-script-check ] || missing+=(grub2-common)
command -v systemd-analyze >/dev/null && [ -x /lib/systemd/systemd ] || missing+=(systemd)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "bootstrap: these Debian packages are needed: ${missing[*]} (apt-get install --no-install-recommends)" >&2
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
