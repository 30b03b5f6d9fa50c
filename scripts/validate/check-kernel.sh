#!/bin/bash
# check-kernel.sh DIR — validate rig's kernel artifacts (DIR/kernel/) with Debian's
# real grub-mkconfig, sandboxed so that the host's /boot and /etc are never touched.
# Needs: root, util-linux unshare/mount, and
#   apt-get install -y --no-install-recommends grub2-common   (pulls in grub-common)
set -euo pipefail
die() { printf 'check-kernel: FAIL: %s\n' "$*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: $0 DIR"
DIR=$1 KVER=6.1.0-99-amd64
CMDLINE=$DIR/kernel/cmdline.txt GRUBD=$DIR/kernel/grub.d
MKCONFIG=/usr/sbin/grub-mkconfig SCRIPTCHECK=/usr/bin/grub-script-check
STOCK=/usr/share/grub/default/grub

# Prerequisites: fail loudly, never skip.
for f in "$MKCONFIG" "$SCRIPTCHECK" /usr/sbin/grub-probe; do
  [ -x "$f" ] || die "$f missing: apt-get install -y --no-install-recommends grub2-common"
done
[ -f "$STOCK" ] || die "$STOCK missing (package grub2-common)"
[ "$(id -u)" = 0 ] || die "must run as root (unshare --mount, grub-mkconfig)"
[ -d /boot ] && [ -d /etc/default ] || die "/boot and /etc/default must exist as mount points"
unshare --mount --propagation private true \
  || die "cannot make a private mount namespace (needs CAP_SYS_ADMIN, and / must be a mount point)"
[ -f "$CMDLINE" ] || die "$CMDLINE missing"

# Parameters rig promises (every whitespace-separated token of cmdline.txt).
read -r -d '' -a PARAMS < "$CMDLINE" || true
shopt -s nullglob
DROPINS=("$GRUBD"/*)
if [ ${#PARAMS[@]} -eq 0 ] && [ ${#DROPINS[@]} -eq 0 ]; then
  echo "check-kernel: OK: nothing isolated (empty cmdline.txt, no grub.d drop-in); nothing to check"
  exit 0
fi

# (a) Syntax: grub-mkconfig is #!/bin/sh (dash) and sources *.cfg only.
for f in "${DROPINS[@]}"; do
  case $f in *.cfg) ;; *) die "$f: grub-mkconfig only sources /etc/default/grub.d/*.cfg" ;; esac
  sh -n "$f" || die "$f: shell syntax error (sh -n)"
done

T=$(mktemp -d /tmp/check-kernel.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/boot/grub" "$T/default/grub.d"      # 05_debian_theme cds into /boot/grub
: > "$T/boot/vmlinuz-$KVER"; : > "$T/boot/initrd.img-$KVER"
cp "$STOCK" "$T/default/grub"
[ ${#DROPINS[@]} -eq 0 ] || cp "${DROPINS[@]}" "$T/default/grub.d/"

# Stub grub-probe, bind-mounted over /usr/sbin/grub-probe inside the namespace only.
# Why: grub-probe inspects the CHECKER's disks, which say nothing about rig's output,
# and it is unreliable there: on this VM it prints "disk `hostdisk//dev/vda' not found"
# for fs/fs_uuid/partmap..., and on an overlayfs root (docker-like) it fails outright
# ("failed to get canonical path of `overlay'"), aborting grub-mkconfig. The stub answers
# like a plain ext4 root (grub names ext4 "ext2"); any other query fails with a message,
# which the stderr check below reports (unless grub itself discards it as optional).
cat > "$T/grub-probe" <<'STUB'
#!/bin/sh
t=; while [ $# -gt 0 ]; do case $1 in -t) t=$2; shift ;; --target=*) t=${1#--target=} ;; esac; shift; done
case $t in
  device) echo /dev/rig-check-root ;;
  fs) echo ext2 ;;
  fs_uuid) echo 0e1d5f0c-0000-4000-8000-00000000c0de ;;
  drive) echo '(hd0)' ;;
  compatibility_hint) echo hd0 ;;
  partuuid|partmap|abstraction|hints_string) ;;
  *) echo "grub-probe stub: unsupported target '$t'" >&2; exit 1 ;;
esac
STUB
chmod 755 "$T/grub-probe"

# (b) Real grub-mkconfig in a private mount namespace; config goes to stdout -> file.
unshare --mount --propagation private /bin/sh -ec '
  mount --bind "$1/boot" /boot
  mount --bind "$1/default" /etc/default
  mount --bind "$1/grub-probe" /usr/sbin/grub-probe
  LC_ALL=C LANGUAGE= exec /usr/sbin/grub-mkconfig' sh "$T" > "$T/grub.cfg" 2> "$T/err" \
  || { rc=$?; cat "$T/err" >&2; die "grub-mkconfig (or the sandbox around it) failed with exit $rc"; }

# Only these informational stderr lines are normal (the UEFI one appears on EFI hosts).
NOISE='Generating grub configuration file \.\.\.|done'
NOISE+="|Found linux image: /boot/vmlinuz-$KVER|Found initrd image: /boot/initrd\.img-$KVER"
NOISE+='|Adding boot menu entry for UEFI Firmware Settings \.\.\.'
if grep -vxE "$NOISE" "$T/err" >&2; then die "unexpected grub-mkconfig stderr (above)"; fi
grep -qx "Found linux image: /boot/vmlinuz-$KVER" "$T/err" || die "dummy kernel not found by grub-mkconfig"

"$SCRIPTCHECK" "$T/grub.cfg" >&2 || die "grub-script-check rejected the generated grub.cfg"

# Non-recovery `linux` lines of the dummy kernel (recovery entries use only
# GRUB_CMDLINE_LINUX by design, so they legitimately lack *_DEFAULT parameters).
mapfile -t LINES < <(awk -v k="/vmlinuz-$KVER" '
  /^[[:space:]]*(menuentry|submenu)[[:space:]]/ { rec = /\(recovery mode\)/ }
  $1 == "linux" && substr($2, length($2) - length(k) + 1) == k && !rec' "$T/grub.cfg")
[ ${#LINES[@]} -gt 0 ] || die "no linux line for vmlinuz-$KVER in generated grub.cfg"
for line in "${LINES[@]}"; do
  norm=" $(tr -s '[:space:]' ' ' <<< "$line") "
  for p in "${PARAMS[@]}"; do
    [[ $norm == *" $p "* ]] || die "parameter '$p' of cmdline.txt missing from:$line"
  done
done
echo "check-kernel: OK: grub.d drop-in sources cleanly; grub-mkconfig + grub-script-check pass;" \
  "${#PARAMS[@]} cmdline.txt parameter(s) on ${#LINES[@]} linux line(s)"
