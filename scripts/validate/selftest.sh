#!/bin/bash
# selftest.sh [SAMPLE] — self-test for the check-*.sh validators: builds broken copies of a good rig
# output folder (default: the hand-written sample/ beside this script) and asserts which ones pass (0) and
# which fail (1), and for the newer validators that they fail for the intended reason (a pattern in the output).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); SAMPLE=${1:-$HERE/sample}
VENV=${RIG_VENV:-$(cd "$HERE/../.." && pwd)/.venv}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
G=kernel/grub.d/60-rig-cpu-isolation.cfg S=systemd A=ansible/site.yml
P='isolcpus=managed_irq,8-15 nohz_full=8-15 rcu_nocbs=8-15 irqaffinity=0-7,16-27'
# The ansible sample's hostile (but !unsafe) task name touches this file if Ansible ever templates it.
CANARY=$W/canary
mk() { cp -a "$SAMPLE" "$W/$1"; cd "$W/$1"; sed -i "s#/tmp/rig-selftest-canary#$CANARY#" $A; }
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
mk s-exposure;      sed -i '/^CapabilityBoundingSet=/,/^UMask=/d' $S/rig-gpu-power.service
mk s-none;          rm -rf $S
mk s-only-conf;     find $S -mindepth 1 -maxdepth 1 ! -name system.conf.d -exec rm -rf {} +
mk a-good
mk a-jinja;         perl -0pi -e 's/- name: !unsafe (".*?lookup.*?")\n/- name: $1\n      tags: [rig-jinja-demo]\n/' $A
mk a-args;          sed -i 's/^        update_cache: true/        update_cach: true/' $A
mk a-fqcn;          sed -i 's/^      ansible\.builtin\.get_url:/      get_url:/' $A
mk a-mirror;        perl -0pi -e "s/\n  tasks:\n/\n  tasks:\n    - name: Fetch from a mirror no play defines\n      ansible.builtin.get_url:\n        url: '{{ rig_mirror_nowhere }}\/file'\n        dest: \/tmp\/file\n        mode: '0644'\n      tags: [download]\n/" $A
mk a-noname;        perl -0pi -e 's/    - name: Create \/etc\/rig\/kubernetes\n      ansible.builtin.file:/    - ansible.builtin.file:/' $A
# systemd_service on a unit that only the copy task (not run in check mode) installs: fails in check mode on any
# machine ("Could not find the requested service" under systemd, "System has not been booted with systemd" in a
# container), hence the sample's `when: not ansible_check_mode`.
mk a-service;       sed -i '/^      when: not ansible_check_mode$/d' $A
mk a-download;      perl -0pi -e 's/(        mode: "0644"\n)      tags: \[download\]\n/$1/' $A
mk a-missing-src;   rm ansible/files/etc/default/grub.d/60-rig-cpu-isolation.cfg
mk a-orphan;        echo 'unused' > ansible/files/etc/systemd/system/rig-unused.conf
mk a-k8s-untagged;  perl -0pi -e 's/(src: \/etc\/rig\/kubernetes\/namespace.yaml\n)      tags: \[kubernetes\]\n/$1/' $A
mk a-k8s-src;       sed -i 's#src: /etc/rig/kubernetes/ollama.yaml#src: /etc/rig/kubernetes/olama.yaml#' $A
mk a-apt-version;   sed -i 's/nvidia-driver=590.48.01-1/nvidia-driver=x590.48.01-1/' $A
mk a-none;          rm -rf ansible
K=kubernetes
mk k8s-good
mk k8s-unknown;     sed -i 's/runtimeClassName: nvidia/runtimeClassNam: nvidia/' $K/ollama.yaml
mk k8s-type;        sed -i 's/^  replicas: 1$/  replicas: "1"/' $K/vllm.yaml
mk k8s-kind;        sed -i 's/^kind: Namespace$/kind: Namespaces/' $K/namespace.yaml
mk k8s-no-name;     sed -i '/^  name: nvidia$/d' $K/runtimeclass.yaml
mk k8s-duplicate;   cp $K/ollama.yaml $K/ollama-copy.yaml
mk k8s-yaml;        printf 'data: [\n' >> $K/device-plugin-config.yaml
mk k8s-not-yaml;    mv $K/runtimeclass.yaml $K/runtimeclass.yml
mk k8s-kubelet-key; sed -i 's/^cpuManagerPolicy:/cpuManagerPolcy:/' $K/kubelet-config.yaml
mk k8s-kubelet-type; sed -i 's/^  cpu: 500m$/  cpu: 1/' $K/kubelet-config.yaml
mk k8s-kubelet-enum; sed -i 's/^topologyManagerPolicy: .*/topologyManagerPolicy: single-numa/' $K/kubelet-config.yaml
mk k8s-kubelet-cpus; sed -i 's/^reservedSystemCPUs: .*/reservedSystemCPUs: "0-7,16-x"/' $K/kubelet-config.yaml
mk k8s-unit-section; sed -i 's/^\[Service\]$/[Servce]/' $K/kubelet.service.conf
mk k8s-unit-no-dir;  sed -i 's# --config-dir=/etc/kubernetes/kubelet.conf.d##' $K/kubelet.service.conf
mk k8s-unit-missing; rm $K/kubelet.service.conf
N=nix/rig.nix
mk n-good
mk n-braces;        sed -i '$d' $N
mk n-eval-type;     sed -i 's/"nohz_full=8-15"/("nohz_full=" + 8)/' $N
mk n-eval-attr;     sed -i 's/lib\.mkDefault "cuda"/lib.mkDefualt "cuda"/' $N
mk n-undefined;     sed -i 's/^    pkgs\.curl$/    pkg.curl/' $N
mk n-mkif;          sed -i 's/^  services\.ollama\.enable = true;/  services.ollama.enable = lib.mkIf "yes" true;/' $N
mk n-none;          rm -rf nix
R=prometheus
mk p-good
mk p-promql;        sed -i 's/(DCGM_FI_DEV_GPU_TEMP) > 85/(DCGM_FI_DEV_GPU_TEMP) >> 85/' $R/rules.yml
mk p-not-firing;    sed -i 's/(DCGM_FI_DEV_GPU_TEMP) > 85/(DCGM_FI_DEV_GPU_TEMP) > 95/' $R/rules.yml
mk p-template;      sed -i 's/is at {{ $value }} °C/is at {{ $value °C/' $R/rules.yml
mk p-untested;      printf '      - alert: RigGpuPowerHigh\n        expr: DCGM_FI_DEV_POWER_USAGE > 400\n' >> $R/rules.yml
mk p-config;        sed -i 's/^  - rules.yml$/  - alerts.yml/' $R/prometheus.yml
mk p-receiver;      sed -i 's/^  receiver: operator$/  receiver: nobody/' $R/alertmanager.yml
mk p-route;         sed -i 's/^      continue: true$/      continue: false/' $R/alertmanager.yml
mk p-guard;         sed -i 's/"systemctl", "freeze", unit/"systemctl", "stop", unit/' $R/thermal-guard
mk p-fallback;      sed -i 's/"--signal=SIGCONT"/"--signal=SIGKILL"/' $R/thermal-guard
mk p-guard-unit;    sed -i 's/^ProtectSystem=strict$/ProtectSystem=sometimes/' $R/rig-thermal-guard.service
mk p-none;          rm -rf $R
D=$R/grafana/rig.json
mk g-key;           sed -i '0,/"legendFormat"/s//"legendFromat"/' $D
mk g-enum;          sed -i '0,/"mode": "absolute"/s//"mode": "absolut"/' $D
mk g-unit;          sed -i 's/"unit": "celsius"/"unit": "degrees"/' $D
mk g-profiling;     sed -i 's/"expr": "DCGM_FI_DEV_GPU_UTIL"/"expr": "DCGM_FI_PROF_GR_ENGINE_ACTIVE"/' $D
mk g-promql;        sed -i 's/"expr": "DCGM_FI_DEV_GPU_TEMP"/"expr": "DCGM_FI_DEV_GPU_TEMP)"/' $D
mk g-datasource;    sed -i 's/^    access: proxy$/    acess: proxy/' $R/grafana/datasource.yaml
mk g-uid;           sed -i 's/^    uid: rig-prometheus$/    uid: prometheus/' $R/grafana/datasource.yaml
mk g-provider;      sed -i 's/^      path: /      paths: /' $R/grafana/dashboards.yaml
mk g-missing;       rm -rf $R/grafana
# A fleet (golden/debian-fleet): its play includes tasks/HOST.yml for every inventory host, each host's tasks copy
# from files/HOST/.
FLEET=$(cd "$HERE/../.." && pwd)/golden/debian-fleet
cp -a "$FLEET" "$W/f-missing-tasks"; rm "$W/f-missing-tasks/ansible/tasks/web-2.yml"
cp -a "$FLEET" "$W/f-orphan";        echo unused > "$W/f-orphan/ansible/files/web-1/etc/rig-unused.conf"
cd /
pass=0 fail=0
expect() { # expect RC SCRIPT CASE [PATTERN [ARG...]]: exit status RC, and PATTERN (ERE) in the output
  local want=$1 script=$2 case=$3 pat=${4:-}; shift 4 2>/dev/null || shift $#
  out=$("$HERE/$script" "$W/$case" "$@" 2>&1); rc=$?
  if [ $rc -eq "$want" ] && { [ -z "$pat" ] || grep -qE -- "$pat" <<< "$out"; }; then pass=$((pass+1)); r=ok
  else fail=$((fail+1)); r=WRONG; [ $rc -ne "$want" ] || out="pattern '$pat' not in output: $out"; fi
  printf '%-5s %-19s %-17s rc=%s  %s\n' "$r" "$script" "$case" $rc "$(tail -1 <<< "$out" | cut -c1-90)"
  [ $r = ok ] || { printf '%s\n' "$out" | tail -25 | sed 's/^/      | /'; }
}
check() { # check DESCRIPTION COMMAND...: an extra assertion
  if "${@:2}"; then pass=$((pass+1)); r=ok; else fail=$((fail+1)); r=WRONG; fi
  printf '%-5s %s\n' "$r" "$1"
}
for c in k-good k-overwrite k-linux-var k-empty; do expect 0 check-kernel.sh $c; done
for c in k-syntax k-dropped k-no-dropin k-bashism k-near-miss k-not-cfg k-grub-quote k-runtime; do expect 1 check-kernel.sh $c; done
for c in s-good s-none s-only-conf; do expect 0 check-systemd.sh $c; done
for c in s-unknown-key s-bad-cpus s-bad-affinity s-mgr-section s-mgr-key s-section-typo s-memmax s-memmax-ish \
         s-init-scope s-irqbalance s-slice-ref s-binary-1st s-binary-2nd s-not-conf s-type s-user-mem s-cpuquota; do
  expect 1 check-systemd.sh $c; done
expect 1 check-systemd.sh s-exposure 'exposure 9.6 is above 5.0' 
# Ansible. a-good's task name holds `{{ lookup('pipe', 'touch CANARY') }}` tagged !unsafe: the whole
# validator (ansible-lint and the check-mode run included) must leave the canary alone.
rm -f "$CANARY"; expect 0 check-ansible.sh a-good 'check mode$'
expect 1 check-ansible.sh a-mirror "Jinja delimiter in '\\{\\{ rig_mirror_nowhere \\}\\}/file'"
check "a-good: the !unsafe lookup in a task name did not run (lint, syntax-check, check mode)" test ! -e "$CANARY"
expect 1 check-ansible.sh a-jinja 'not tagged !unsafe'
check "a-jinja: check-ansible.sh refused it before running anything" test ! -e "$CANARY"
# ...and that refusal matters: the bare check-mode run of a-jinja (only its tagged task) runs the lookup.
(cd "$W/a-jinja/ansible" && mkdir -p "$W/demo" && env HOME="$W/demo" ANSIBLE_HOME="$W/demo" \
  ANSIBLE_LOCAL_TEMP="$W/demo/l" ANSIBLE_REMOTE_TEMP="$W/demo/r" ANSIBLE_CONFIG="$W/demo/none.cfg" \
  ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 PATH="$VENV/bin:$PATH" \
  ansible-playbook -i inventory.yml site.yml --check -c local --tags rig-jinja-demo) > "$W/demo.out" 2>&1
check "a-jinja: untagged, 'ansible-playbook --check' itself executes the lookup (canary created)" test -e "$CANARY"
expect 1 check-ansible.sh a-args 'args\[module\].*update_cach'
expect 1 check-ansible.sh a-fqcn 'fqcn\[action-core\]'
expect 1 check-ansible.sh a-noname 'name\[missing\]'
expect 1 check-ansible.sh a-service 'System has not been booted with systemd|Could not find the requested service rig-gpu-power'
expect 1 check-ansible.sh a-download "get_url fetches from the network even with --check: tag it 'download'"
expect 1 check-ansible.sh a-missing-src "src 'etc/default/grub.d/60-rig-cpu-isolation.cfg' does not exist"
expect 1 check-ansible.sh a-orphan 'rig-unused.conf: shipped but no task uses it'
expect 1 check-ansible.sh a-k8s-untagged "tag it 'kubernetes'"
expect 1 check-ansible.sh a-k8s-src "'/etc/rig/kubernetes/olama.yaml' is an absolute path on the target, but no copy task installs it"
expect 1 check-ansible.sh a-apt-version 'dpkg-deb rejects it'
expect 0 check-ansible.sh a-none 'nothing to check'
expect 1 check-ansible.sh f-missing-tasks "includes 'tasks/web-2.yml', which does not exist"
expect 1 check-ansible.sh f-orphan 'files/web-1/etc/rig-unused.conf: shipped but no task uses it'
expect 0 check-kubernetes.sh k8s-good 'OK: 7 file\(s\), 9 API document\(s\) valid for Kubernetes 1.30.0' 1.30.0
expect 0 check-kubernetes.sh k8s-good 'Kubernetes 1.37.0' 1.37.0
expect 1 check-kubernetes.sh k8s-good 'does not support kubernetes version 1.99.0' 1.99.0
expect 1 check-kubernetes.sh k8s-unknown "'runtimeClassNam' was unexpected"
expect 1 check-kubernetes.sh k8s-type "spec.replicas: '1' is not of type 'integer'"
expect 1 check-kubernetes.sh k8s-kind "Couldn't find schema for kind Namespaces"
expect 1 check-kubernetes.sh k8s-no-name 'RuntimeClass without metadata.name'
expect 1 check-kubernetes.sh k8s-duplicate "Deployment 'ollama' is also defined in"
expect 1 check-kubernetes.sh k8s-yaml 'does not parse as YAML'
expect 1 check-kubernetes.sh k8s-not-yaml 'only \*.yaml files'
expect 1 check-kubernetes.sh k8s-kubelet-key "unknown field 'cpuManagerPolcy'"
expect 1 check-kubernetes.sh k8s-kubelet-type 'kubeReserved: .* is not of type map-str'
expect 1 check-kubernetes.sh k8s-kubelet-enum "topologyManagerPolicy: 'single-numa' is not one of"
expect 1 check-kubernetes.sh k8s-kubelet-cpus 'reservedSystemCPUs: .* is not a CPU list'
expect 1 check-kubernetes.sh k8s-unit-section "Unknown section 'Servce'"
expect 1 check-kubernetes.sh k8s-unit-no-dir 'without --config-dir=/etc/kubernetes/kubelet.conf.d'
expect 1 check-kubernetes.sh k8s-unit-missing 'nothing starts the kubelet with --config-dir'
expect 0 check-nix.sh n-good 'evaluates strictly'
expect 1 check-nix.sh n-braces 'does not parse'
expect 1 check-nix.sh n-eval-type 'cannot add|cannot coerce'
expect 1 check-nix.sh n-eval-attr "attribute 'mkDefualt' missing"
expect 1 check-nix.sh n-undefined "undefined variable 'pkg'"
expect 1 check-nix.sh n-mkif 'while a Boolean was expected'
expect 0 check-nix.sh n-none 'nothing to check'
expect 0 check-prometheus.sh p-good 'each proven to fire'
expect 1 check-prometheus.sh p-promql 'could not parse expression'
expect 1 check-prometheus.sh p-not-firing 'promtool test rules'
expect 1 check-prometheus.sh p-template 'promtool check rules'
expect 1 check-prometheus.sh p-untested 'alert RigGpuPowerHigh: no test case'
expect 1 check-prometheus.sh p-config 'promtool check config'
expect 1 check-prometheus.sh p-receiver 'amtool check-config'
expect 1 check-prometheus.sh p-route "goes to 'thermal-guard', not 'thermal-guard,operator'"
expect 1 check-prometheus.sh p-guard "actions on 'suspend' differ"
expect 1 check-prometheus.sh p-fallback "actions on 'resume' differ"
expect 1 check-prometheus.sh p-guard-unit 'check-systemd on rig-thermal-guard.service'
expect 0 check-prometheus.sh p-none 'nothing to check'
expect 1 check-prometheus.sh g-key "legendFromat: not in Grafana's dashboard schema"
expect 1 check-prometheus.sh g-enum "'absolut' is not one of"
expect 1 check-prometheus.sh g-unit "Grafana has no unit 'degrees'"
expect 1 check-prometheus.sh g-profiling 'DCGM_FI_PROF_GR_ENGINE_ACTIVE is not a metric a GeForce card'
expect 1 check-prometheus.sh g-promql 'promtool cannot parse a query'
expect 1 check-prometheus.sh g-datasource 'acess: not a field Grafana reads'
expect 1 check-prometheus.sh g-uid "not on the provisioned data source 'prometheus'"
expect 1 check-prometheus.sh g-provider 'options.paths: not a field Grafana reads'
expect 1 check-prometheus.sh g-missing 'grafana missing'
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
