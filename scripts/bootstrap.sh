#!/usr/bin/env bash
# Installs what the tests need: the Debian packages below (as root, with apt) and a Python virtual
# environment in .venv with the validators of requirements-dev.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: a Python with venv for the pip validators; grub2-common (Debian's grub-mkconfig) and
# systemd (systemd-analyze, the manager's --test mode) for the kernel and systemd artifacts; nix-bin
# (nix-instantiate) for the NixOS module; prometheus (promtool) for the alerting rules and Prometheus'
# configuration, prometheus-alertmanager (amtool) for Alertmanager's; python3-apt and
# python3-debian for Debian's /usr/bin/python3, which runs the ansible apt/deb822_repository modules in the
# check-mode run (the target is this machine there); graphviz (dot) for `rig graph --format dot`; debootstrap and
# systemd-container (systemd-nspawn) for the apply harness, which runs the playbooks on booted Debian roots, and
# iproute2 (ip) for the network namespaces and the bridge it gives a fleet's machines.
missing=()
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3 python3-venv)
[ -x /usr/sbin/grub-mkconfig ] && [ -x /usr/bin/grub-script-check ] || missing+=(grub2-common)
command -v systemd-analyze >/dev/null && [ -x /lib/systemd/systemd ] || missing+=(systemd)
command -v nix-instantiate >/dev/null || missing+=(nix-bin)
command -v promtool >/dev/null || missing+=(prometheus)
command -v amtool >/dev/null || missing+=(prometheus-alertmanager)
/usr/bin/python3 -c 'import apt, apt_pkg' >/dev/null 2>&1 || missing+=(python3-apt)
/usr/bin/python3 -c 'import debian.deb822' >/dev/null 2>&1 || missing+=(python3-debian)
command -v dot >/dev/null || missing+=(graphviz)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v systemd-nspawn >/dev/null || missing+=(systemd-container)
command -v pgrep >/dev/null || missing+=(procps)
command -v ip >/dev/null || missing+=(iproute2)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    # Only promtool and amtool are wanted from the prometheus packages: keep their postinst from starting servers
    # (policy-rc.d exit 101 = "do not start services now"; an existing policy is left alone).
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d
      trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
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
for t in ansible-playbook ansible-lint kubernetes-validate pre-commit mermaidx; do
  [ -x .venv/bin/$t ] || { echo "bootstrap: .venv/bin/$t missing after pip install" >&2; exit 1; }
done
