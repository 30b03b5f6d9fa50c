#!/bin/bash
# selftest.sh [SAMPLE] — self-test for check-kernel.sh / check-systemd.sh: builds broken copies of a
# good rig output folder (default: the hand-written sample/ beside this script) and asserts which ones pass (0) and which fail (1).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); SAMPLE=${1:-$HERE/sample}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
G=kernel/grub.d/60-rig-cpu-isolation.cfg S=systemd
P='isolcpus=managed_irq,8-15 nohz_full=8-15 rcu_nocbs=8-15 irqaffinity=0-7,16-27'
mk() { cp -a "$SAMPLE" "$W/$1"; cd "$W/$1"; }
mk k-good
mk k-syntax;     printf 'GRUB_CMDLINE_LINUX_DEFAULT="${GRUB_CMDLINE_LINUX_DEFAULT} %s\n' "$P" > $G
mk k-dropped;    printf 'GRUB_CMDLINE_LINUX_DEFAULT="${GRUB_CMDLINE_LINUX_DEFAULT} %s"\n' "${P/rcu_nocbs=8-15 /}" > $G
mk k-overwrite;  printf 'GRUB_CMDLINE_LINUX_DEFAULT="%s"\n' "$P" > $G
mk k-linux-var;  printf 'GRUB_CMDLINE_LINUX="${GRUB_CMDLINE_LINUX} %s"\n' "$P" > $G
mk k-empty;      : > kernel/cmdline.txt; rm -rf kernel/grub.d
mk k-no-dropin;  rm -rf kernel/grub.d
mk k-bashism;    printf 'if [[ -n "$GRUB_CMDLINE_LINUX_DEFAULT" ]]; then :; fi\nGRUB_CMDLINE_LINUX_DEFAULT="%s"\n' "$P" > $G
mk k-near-miss;  printf 'GRUB_CMDLINE_LINUX_DEFAULT="%s"\n' "${P/rcu_nocbs=8-15/rcu_nocbs=8-15x}" > $G
mk k-not-cfg;    mv $G "${G%.cfg}"
mk k-grub-quote; printf 'GRUB_CMDLINE_LINUX_DEFAULT="%s foo=\\"bar"\n' "$P" > $G
mk k-runtime;    printf 'false\nGRUB_CMDLINE_LINUX_DEFAULT="%s"\n' "$P" > $G
mk s-good
mk s-unknown-key;   sed -i 's/^AllowedCPUs=/AllowedCPU=/' $S/rig-ollama.slice
mk s-bad-cpus;      sed -i 's/^AllowedCPUs=8-15/AllowedCPUs=8-x/' $S/rig-ollama.slice
mk s-bad-affinity;  sed -i 's/^CPUAffinity=.*/CPUAffinity=0-7,16-x/' $S/system.conf.d/*.conf
mk s-mgr-section;   sed -i 's/^\[Manager\]/[Manger]/' $S/system.conf.d/*.conf
mk s-mgr-key;       sed -i 's/^CPUAffinity=/CPUAfinity=/' $S/system.conf.d/*.conf
mk s-section-typo;  sed -i 's/^\[Slice\]/[Slcie]/' $S/system.slice.d/*.conf
mk s-memmax;        sed -i 's/^MemoryMax=.*/MemoryMax=12GB/' $S/rig-ollama.slice
mk s-memmax-ish;    sed -i 's/^MemoryMax=.*/MemoryMax=12 GiB-ish/' $S/rig-ollama.slice
mk s-init-scope;    sed -i 's/^AllowedCPUs=.*/AllowedCPUs=0-7,16-x/' $S/init.scope.d/*.conf
mk s-irqbalance;    printf 'Bogus=1\n' >> $S/irqbalance.service.d/*.conf
mk s-slice-ref;     sed -i 's/^Slice=.*/Slice=rig-ollama.service/' $S/ollama.service.d/*.conf
mk s-binary-1st;    sed -i '0,/nvidia-smi /s//nvidia-smii /' $S/rig-gpu-power.service
mk s-binary-2nd;    sed -i 's#nvidia-smi --id#nvidia-smii --id#' $S/rig-gpu-power.service
mk s-not-conf;      mv $S/user.slice.d/60-rig-housekeeping.conf $S/user.slice.d/60-rig-housekeeping.cfg
mk s-type;          sed -i 's/^Type=oneshot/Type=oneshoot/' $S/rig-gpu-power.service
mk s-user-mem;      printf 'MemoryMax=lots\n' >> $S/user.slice.d/*.conf
mk s-cpuquota;      printf 'CPUQuota=fast\n' >> $S/system.slice.d/*.conf
mk s-none;          rm -rf $S
mk s-only-conf;     find $S -mindepth 1 -maxdepth 1 ! -name system.conf.d -exec rm -rf {} +
cd /
pass=0 fail=0
expect() { # expect RC SCRIPT CASE
  out=$("$HERE/$2" "$W/$3" 2>&1); rc=$?
  if [ $rc -eq "$1" ]; then pass=$((pass+1)); r=ok; else fail=$((fail+1)); r=WRONG; fi
  printf '%-5s %-16s %-15s rc=%s  %s\n' "$r" "$2" "$3" $rc "$(tail -1 <<< "$out" | cut -c1-90)"
}
for c in k-good k-overwrite k-linux-var k-empty; do expect 0 check-kernel.sh $c; done
for c in k-syntax k-dropped k-no-dropin k-bashism k-near-miss k-not-cfg k-grub-quote k-runtime; do expect 1 check-kernel.sh $c; done
for c in s-good s-none s-only-conf; do expect 0 check-systemd.sh $c; done
for c in s-unknown-key s-bad-cpus s-bad-affinity s-mgr-section s-mgr-key s-section-typo s-memmax s-memmax-ish \
         s-init-scope s-irqbalance s-slice-ref s-binary-1st s-binary-2nd s-not-conf s-type s-user-mem s-cpuquota; do
  expect 1 check-systemd.sh $c; done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
