import RigAllocation
import RigBasics
import RigCatalog
import RigCompiler
import RigModel
import RigPlan
import RigResolver
import Testing
import Yams

@testable import RigEmitters

/// The Kubernetes manifests, read back as YAML: the objects, their resources and the policies between them.
@Suite struct KubernetesEmitterTests {
  func artifacts(_ body: String) throws -> [Artifact] {
    KubernetesEmitter().artifacts(for: try compiledPlan(EmitterTests.machine + body))
  }

  /// Every document of a file, as plain dictionaries.
  func documents(_ artifacts: [Artifact], _ path: String) throws -> [[String: Any]] {
    let text = try #require(artifacts.first { $0.path == path }?.contents)
    return try Yams.load_all(yaml: text).map { try #require($0 as? [String: Any]) }
  }

  func value(_ object: Any?, _ path: String) -> Any? {
    var current = object
    for key in path.split(separator: ".") {
      if let index = Int(key), let list = current as? [Any] {
        current = index < list.count ? list[index] : nil
      } else {
        current = (current as? [String: Any])?[String(key)]
      }
    }
    return current
  }

  static let stack = """
    stack: [app, db]
    components:
      app:
        description: "web UI: {{ lookup('pipe', 'id') }} ${HOME}"
        versions: { "1.0": { requires: [db] } }
        runtime: kubernetes
        image: ghcr.io/example/app:1.0
        ports: [8080]
        env:
          MODE: fast
          TOKEN: { secret: app-secrets, key: token }
        resources:
          cpu: { cores: 2, placement: isolated }
          memory: 4GiB
          gpu: { memory: 2GiB }
      db:
        versions: { "16": {} }
        runtime: kubernetes
        image: docker.io/library/postgres:16
        ports: [5432]
        storage: { path: /var/lib/postgresql, size: 20GiB }
        resources:
          cpu: { cores: 1 }
          memory: 1536MiB
    targets: { kubernetes: { version: "1.30", namespace: lab } }
    """

  @Test func isolatedWorkloadIsGuaranteedWithWholeCores() throws {
    let app = try documents(try artifacts(Self.stack), "kubernetes/workload-app.yaml")
    #expect(app.map { $0["kind"] as? String } == ["Deployment", "Service"])
    let container = value(app[0], "spec.template.spec.containers.0")
    #expect(value(container, "resources.requests.cpu") as? String == "4")
    #expect(value(container, "resources.limits.cpu") as? String == "4")
    #expect(value(container, "resources.requests.memory") as? String == "4Gi")
    #expect(value(container, "resources.limits.memory") as? String == "4Gi")
    let limits = value(container, "resources.limits") as? [String: Any]
    #expect(limits?["nvidia.com/gpu"] as? String == "1")
    #expect(value(app[0], "spec.template.spec.runtimeClassName") as? String == "nvidia")
    #expect(value(app[0], "spec.strategy.type") as? String == "Recreate")
    // The secret is a reference; its name and key only.
    #expect(value(container, "env.1.valueFrom.secretKeyRef.name") as? String == "app-secrets")
    #expect(value(container, "env.1.valueFrom.secretKeyRef.key") as? String == "token")
    #expect(value(container, "env.0.value") as? String == "fast")
    // Restricted Pod Security: non-root, no escalation, no capabilities, RuntimeDefault seccomp.
    #expect(value(app[0], "spec.template.spec.securityContext.runAsNonRoot") as? Bool == true)
    #expect(value(app[0], "spec.template.spec.securityContext.seccompProfile.type") as? String == "RuntimeDefault")
    #expect(value(container, "securityContext.allowPrivilegeEscalation") as? Bool == false)
    #expect(value(container, "securityContext.readOnlyRootFilesystem") as? Bool == true)
    #expect(value(container, "securityContext.capabilities.drop.0") as? String == "ALL")
    // User text is data: the description arrives as written, never interpreted.
    let annotations = value(app[0], "metadata.annotations") as? [String: Any]
    #expect(annotations?["kubernetes.io/description"] as? String == "web UI: {{ lookup('pipe', 'id') }} ${HOME}")
  }

  @Test func sharedStatefulWorkloadIsAStatefulSetInTheSharedPool() throws {
    let db = try documents(try artifacts(Self.stack), "kubernetes/workload-db.yaml")
    #expect(db.map { $0["kind"] as? String } == ["StatefulSet", "Service"])
    let container = value(db[0], "spec.template.spec.containers.0")
    #expect(value(container, "resources.requests.cpu") as? String == "1")
    // No CPU limit: a Guaranteed pod with whole CPUs would take isolated cores from the static CPU manager.
    #expect(value(container, "resources.limits.cpu") == nil)
    #expect(value(container, "resources.limits.memory") as? String == "1536Mi")
    #expect(value(db[0], "spec.template.spec.runtimeClassName") == nil)
    #expect(value(db[0], "spec.volumeClaimTemplates.0.spec.resources.requests.storage") as? String == "20Gi")
    #expect(value(db[0], "spec.volumeClaimTemplates.0.spec.storageClassName") as? String == "rig-local")
    #expect(value(container, "volumeMounts.1.mountPath") as? String == "/var/lib/postgresql")
    #expect(value(db[1], "spec.ports.0.port") as? Int == 5432)
  }

  /// A kubeadm cluster has no StorageClass that provisions anything: rig writes its own class and one local volume
  /// per claim, reserved for it, on the node, in a folder the playbook creates before applying them.
  @Test func claimsBindToLocalVolumesRigWrites() throws {
    let all = try artifacts(Self.stack)
    let storage = try documents(all, "kubernetes/storage.yaml")
    #expect(storage.map { $0["kind"] as? String } == ["StorageClass", "PersistentVolume"])
    #expect(value(storage[0], "metadata.name") as? String == "rig-local")
    #expect(value(storage[0], "provisioner") as? String == "kubernetes.io/no-provisioner")
    #expect(value(storage[0], "volumeBindingMode") as? String == "WaitForFirstConsumer")
    let volume = storage[1]
    #expect(value(volume, "metadata.name") as? String == "lab.db")
    #expect(value(volume, "spec.capacity.storage") as? String == "20Gi")
    #expect(value(volume, "spec.storageClassName") as? String == "rig-local")
    // The claim the StatefulSet's pod makes: its template's name, the set's name, ordinal 0.
    #expect(value(volume, "spec.claimRef.name") as? String == "data-db-0")
    #expect(value(volume, "spec.claimRef.namespace") as? String == "lab")
    #expect(value(volume, "spec.local.path") as? String == "/var/lib/rig/volumes/lab/db")
    #expect(
      value(volume, "spec.nodeAffinity.required.nodeSelectorTerms.0.matchExpressions.0.key") as? String
        == "node-role.kubernetes.io/control-plane")
    let file = try #require(all.first { $0.path == "kubernetes/storage.yaml" }?.installation)
    #expect(file.folders == ["/var/lib/rig/volumes/lab/db"])
    let namespace = try #require(all.first { $0.path == "kubernetes/namespace.yaml" }?.installation)
    let workload = try #require(all.first { $0.path == "kubernetes/workload-db.yaml" }?.installation)
    #expect(namespace.rank < file.rank && file.rank < workload.rank)
    // No storage, no class and no volume.
    let stateless = try artifacts(
      Self.stack.replacingOccurrences(of: "    storage: { path: /var/lib/postgresql, size: 20GiB }\n", with: ""))
    #expect(!stateless.contains { $0.path == "kubernetes/storage.yaml" })
  }

  @Test func networkPoliciesDenyThenAllowPortsAndRequirements() throws {
    let policies = try documents(try artifacts(Self.stack), "kubernetes/networkpolicies.yaml")
    #expect(
      policies.map { value($0, "metadata.name") as? String } == [
        "default-deny", "allow-dns", "allow-app-ingress", "allow-db-ingress", "allow-app-to-db",
      ])
    let appToDB = policies[4]
    #expect(value(appToDB, "spec.egress.0.ports.0.port") as? Int == 5432)
    let selector = value(appToDB, "spec.egress.0.to.0.podSelector.matchLabels") as? [String: Any]
    #expect(selector?["app.kubernetes.io/name"] as? String == "db")
  }

  @Test func namespaceKubeletAndRuntimeClass() throws {
    let artifacts = try artifacts(Self.stack)
    #expect(
      artifacts.map(\.path) == [
        "kubernetes/namespace.yaml", "kubernetes/runtimeclass.yaml", "kubernetes/storage.yaml",
        "kubernetes/workload-app.yaml", "kubernetes/workload-db.yaml", "kubernetes/networkpolicies.yaml",
        "kubernetes/device-plugin.yaml",
        "kubernetes/kubelet-config.yaml", "kubernetes/kubelet.service.conf",
      ])
    let namespace = try documents(artifacts, "kubernetes/namespace.yaml")[0]
    let labels = value(namespace, "metadata.labels") as? [String: Any]
    #expect(labels?["pod-security.kubernetes.io/enforce"] as? String == "restricted")
    #expect(labels?["pod-security.kubernetes.io/enforce-version"] as? String == "v1.30")
    let kubelet = try documents(artifacts, "kubernetes/kubelet-config.yaml")[0]
    #expect(kubelet["cpuManagerPolicy"] as? String == "static")
    #expect(value(kubelet, "cpuManagerPolicyOptions.full-pcpus-only") as? String == "true")
    // The machine is 4 P-cores (CPUs 0-7) and 4 E-cores (8-11); the app's 2 isolated cores are CPUs 4-7.
    #expect(kubelet["reservedSystemCPUs"] as? String == "0-3,8-11")
    // One GPU workload: no time slicing.
    #expect(!artifacts.contains { $0.path == "kubernetes/device-plugin-config.yaml" })
  }

  /// The kubelet reads rig's drop-in only when started with `--config-dir`: the unit drop-in sets kubeadm's
  /// `KUBELET_CONFIG_ARGS` again with kubeadm's `--config` and rig's folder, and is installed beside kubeadm's.
  @Test func kubeletUnitDropInPassesTheConfigFolder() throws {
    let artifacts = try artifacts(Self.stack)
    let unit = try #require(artifacts.first { $0.path == KubernetesEmitter.kubeletUnitPath })
    let lines = unit.contents.split(separator: "\n").filter { !$0.hasPrefix("#") }
    #expect(
      lines == [
        "[Service]",
        #"Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml --config-dir=/etc/kubernetes/kubelet.conf.d""#,
      ])
    #expect(unit.installation?.path == "/etc/systemd/system/kubelet.service.d/20-rig-config-dir.conf")
    let config = try #require(artifacts.first { $0.path == KubernetesEmitter.kubeletConfigPath })
    #expect(config.installation?.path.hasPrefix("/etc/kubernetes/kubelet.conf.d/") == true)
  }

  /// The device plugin advertises `nvidia.com/gpu`. Beside the static CPU manager it is NVIDIA's compatible
  /// variant (`PASS_DEVICE_SPECS`, privileged); with time slicing it reads rig's ConfigMap; otherwise it keeps
  /// no privilege and no capability.
  @Test func devicePluginFollowsTheCPUManagerAndTimeSlicing() throws {
    let isolated = try documents(try artifacts(Self.stack), "kubernetes/device-plugin.yaml")[0]
    let container = value(isolated, "spec.template.spec.containers.0")
    #expect(value(isolated, "metadata.namespace") as? String == "kube-system")
    #expect(value(isolated, "spec.template.spec.runtimeClassName") as? String == "nvidia")
    #expect(value(container, "env.0.name") as? String == "PASS_DEVICE_SPECS")
    #expect(value(container, "env.0.value") as? String == "true")
    #expect(value(container, "env.1") == nil)
    #expect(value(container, "securityContext.privileged") as? Bool == true)
    #expect(value(container, "volumeMounts.0.mountPath") as? String == "/var/lib/kubelet/device-plugins")

    let shared = try artifacts(
      """
      stack: [a, b]
      components:
        a:
          versions: { "1.0": {} }
          runtime: kubernetes
          image: ghcr.io/example/a:1.0
          resources: { gpu: { memory: 2GiB } }
        b:
          versions: { "1.0": {} }
          runtime: kubernetes
          image: ghcr.io/example/b:1.0
          resources: { gpu: { memory: 2GiB } }
      targets: { kubernetes: { version: "1.30", namespace: lab } }
      """)
    #expect(!shared.contains { $0.path == KubernetesEmitter.kubeletUnitPath })
    let plugin = try documents(shared, "kubernetes/device-plugin.yaml")[0]
    let sliced = value(plugin, "spec.template.spec.containers.0")
    #expect(value(sliced, "env.0.name") as? String == "CONFIG_FILE")
    #expect(value(sliced, "env.1") == nil)
    #expect(value(sliced, "securityContext.privileged") == nil)
    #expect(value(sliced, "securityContext.capabilities.drop.0") as? String == "ALL")
    #expect(value(plugin, "spec.template.spec.volumes.1.configMap.name") as? String == "nvidia-device-plugin-config")
    let config = try documents(shared, "kubernetes/device-plugin-config.yaml")[0]
    #expect(value(config, "metadata.name") as? String == "nvidia-device-plugin-config")
    #expect(value(config, "data.config") != nil)
  }

  /// The exporters run on every node in their own `privileged` namespace, on the host network, with the host
  /// access their facts name; the stack's namespace stays `restricted`, and its network policies leave them out.
  @Test func exportersAreNodeAgentsInAPrivilegedNamespace() throws {
    let artifacts = try artifacts(
      """
      stack: [dcgm-exporter, prometheus-node-exporter]
      components:
        dcgm-exporter:
          versions: { "3.3.9-3.6.1": {} }
          runtime: kubernetes
          image: nvcr.io/nvidia/k8s/dcgm-exporter:3.3.9-3.6.1-ubuntu22.04
          ports: [9400]
        prometheus-node-exporter:
          runtime: kubernetes
          image: quay.io/prometheus/node-exporter:v1.8.2
          ports: [9100]
      targets: { kubernetes: { version: "1.30", namespace: lab } }
      """)
    #expect(
      artifacts.map(\.path) == [
        "kubernetes/namespace.yaml", "kubernetes/runtimeclass.yaml", "kubernetes/workload-dcgm-exporter.yaml",
        "kubernetes/workload-prometheus-node-exporter.yaml", "kubernetes/networkpolicies.yaml",
      ])
    let namespaces = try documents(artifacts, "kubernetes/namespace.yaml")
    #expect(namespaces.count == 2)
    #expect(value(namespaces[0], "metadata.labels.pod-security.kubernetes.io/enforce") == nil)
    let levels = namespaces.map {
      (value($0, "metadata.labels") as? [String: Any])?["pod-security.kubernetes.io/enforce"] as? String
    }
    #expect(levels == ["restricted", "privileged"])
    #expect(value(namespaces[1], "metadata.name") as? String == "lab-monitoring")
    let why = value(namespaces[1], "metadata.annotations") as? [String: Any]
    #expect((why?["kubernetes.io/description"] as? String)?.contains("dcgm-exporter reads the GPUs") == true)

    let dcgm = try documents(artifacts, "kubernetes/workload-dcgm-exporter.yaml")[0]
    #expect(dcgm["kind"] as? String == "DaemonSet")
    #expect(value(dcgm, "metadata.namespace") as? String == "lab-monitoring")
    #expect(value(dcgm, "spec.template.spec.hostNetwork") as? Bool == true)
    #expect(value(dcgm, "spec.template.spec.runtimeClassName") as? String == "nvidia")
    #expect(value(dcgm, "spec.template.spec.securityContext.runAsUser") as? Int == 0)
    let container = value(dcgm, "spec.template.spec.containers.0")
    #expect(value(container, "resources.limits") == nil || value(container, "resources.limits.nvidia.com/gpu") == nil)
    #expect(value(container, "volumeMounts.1.mountPath") as? String == "/var/lib/kubelet/pod-resources")
    #expect(value(container, "volumeMounts.1.readOnly") as? Bool == true)
    #expect(value(container, "securityContext.capabilities.drop.0") as? String == "ALL")

    let node = try documents(artifacts, "kubernetes/workload-prometheus-node-exporter.yaml")[0]
    #expect(value(node, "spec.template.spec.hostPID") as? Bool == true)
    #expect(value(node, "spec.template.spec.runtimeClassName") == nil)
    #expect(value(node, "spec.template.spec.securityContext.runAsUser") as? Int == 65534)
    #expect(value(node, "spec.template.spec.containers.0.args") as? [String] == ["--path.rootfs=/host"])
    #expect(value(node, "spec.template.spec.containers.0.securityContext.readOnlyRootFilesystem") as? Bool == true)

    let policies = try #require(artifacts.first { $0.path == "kubernetes/networkpolicies.yaml" }?.contents)
    #expect(!policies.contains("exporter"))
  }

  /// A workload that runs as root leaves the restricted namespace for the stack's `baseline` one, with its Service
  /// and its own network policies; traffic to it from the restricted namespace names its namespace. Catalog
  /// components run the catalog's image at the resolved version.
  /// `count:` gives one pod several whole GPUs: it asks the device plugin for that many, exclusively, so no
  /// time-slicing config is written.
  @Test func aPodMayHaveSeveralWholeGPUs() throws {
    let result = RigCompiler.check(
      text: EmitterTests.machine
        + """
        sources: [debian-bookworm]
        stack: [trainer]
        components:
          trainer:
            versions: { "1.0": {} }
            runtime: kubernetes
            image: ghcr.io/example/trainer:1.0
            resources: { memory: 8GiB, gpu: { memory: 6GiB, count: 2 } }
        targets: { kubernetes: { version: "1.30", namespace: lab } }
        """, file: "rig.yaml")
    #expect(result.diagnostics.diagnostics.isEmpty)
    let plan = try #require(result.plan)
    #expect(plan.allocation.timeSlicing == nil)
    #expect(plan.allocation.gpuMemory?.used == ByteCount(bytes: 12 << 30))
    let artifacts = KubernetesEmitter().artifacts(for: plan)
    let trainer = try documents(artifacts, "kubernetes/workload-trainer.yaml")[0]
    let resources = value(trainer, "spec.template.spec.containers.0.resources") as? [String: [String: String]]
    #expect(resources?["requests"]?["nvidia.com/gpu"] == "2")
    #expect(resources?["limits"]?["nvidia.com/gpu"] == "2")
    #expect(!artifacts.contains { $0.path == "kubernetes/device-plugin-config.yaml" })
  }

  /// `shm:` sizes the container's /dev/shm: a memory-backed volume of that size mounted there; without it, none
  /// (the container runtime's own).
  @Test func sharedMemoryIsAMemoryBackedVolumeAtDevShm() throws {
    let result = RigCompiler.check(
      text: EmitterTests.machine
        + """
        sources: [debian-bookworm]
        stack: [trainer, web]
        components:
          trainer:
            versions: { "1.0": {} }
            runtime: kubernetes
            image: ghcr.io/example/trainer:1.0
            resources: { memory: 16GiB, shm: 8GiB }
          web:
            versions: { "1.0": {} }
            runtime: kubernetes
            image: ghcr.io/example/web:1.0
        targets: { kubernetes: { version: "1.30", namespace: lab } }
        """, file: "rig.yaml")
    #expect(result.diagnostics.diagnostics.isEmpty)
    let artifacts = KubernetesEmitter().artifacts(for: try #require(result.plan))
    let trainer = value(try documents(artifacts, "kubernetes/workload-trainer.yaml")[0], "spec.template.spec")
    #expect(
      value(trainer, "containers.0.volumeMounts") as? [[String: String]] == [
        ["name": "tmp", "mountPath": "/tmp"], ["name": "shm", "mountPath": "/dev/shm"],
      ])
    let shm = (value(trainer, "volumes") as? [[String: Any]])?.first { $0["name"] as? String == "shm" }
    #expect(value(shm, "emptyDir.medium") as? String == "Memory")
    #expect(value(shm, "emptyDir.sizeLimit") as? String == "8Gi")
    let web = value(try documents(artifacts, "kubernetes/workload-web.yaml")[0], "spec.template.spec")
    #expect((value(web, "volumes") as? [[String: Any]])?.map { $0["name"] as? String } == ["tmp"])
  }

  @Test func rootWorkloadsRunInTheBaselineNamespace() throws {
    let result = RigCompiler.check(
      text: EmitterTests.machine
        + """
        sources: [debian-bookworm, upstream]
        stack: [vllm, chat]
        components:
          vllm:
            runtime: kubernetes
            args: [--model, Qwen/Qwen2.5-7B-Instruct]
            ports: [8000]
            security: { user: 0, root_filesystem: writable }
            resources: { gpu: { memory: 4GiB } }
          chat:
            versions: { "1.0": { requires: [vllm] } }
            runtime: kubernetes
            image: ghcr.io/example/chat:1.0
            ports: [8080]
            security: { user: 1000, group: 100 }
        targets: { kubernetes: { version: "1.30", namespace: lab } }
        """, file: "rig.yaml")
    // Warned about, and planned.
    #expect(result.diagnostics.diagnostics.map(\.id) == ["security-relaxed", "security-relaxed"])
    let artifacts = KubernetesEmitter().artifacts(for: try #require(result.plan))
    let namespaces = try documents(artifacts, "kubernetes/namespace.yaml")
    #expect(namespaces.compactMap { value($0, "metadata.name") as? String } == ["lab", "lab-baseline"])
    let levels = namespaces.map {
      (value($0, "metadata.labels") as? [String: Any])?["pod-security.kubernetes.io/enforce"] as? String
    }
    #expect(levels == ["restricted", "baseline"])

    let vllm = try documents(artifacts, "kubernetes/workload-vllm.yaml")
    #expect(vllm.map { value($0, "metadata.namespace") as? String } == ["lab-baseline", "lab-baseline"])
    let pod = value(vllm[0], "spec.template.spec")
    #expect(value(pod, "securityContext.runAsUser") as? Int == 0)
    #expect(value(pod, "securityContext.runAsNonRoot") as? Bool == false)
    #expect(value(pod, "containers.0.image") as? String == "docker.io/vllm/vllm-openai:v0.21.0-cu129")
    #expect(value(pod, "containers.0.args") as? [String] == ["--model", "Qwen/Qwen2.5-7B-Instruct"])
    #expect(value(pod, "containers.0.securityContext.readOnlyRootFilesystem") as? Bool == false)
    #expect(value(pod, "containers.0.securityContext.capabilities") == nil)

    let chat = try documents(artifacts, "kubernetes/workload-chat.yaml")[0]
    #expect(value(chat, "metadata.namespace") as? String == "lab")
    #expect(value(chat, "spec.template.spec.securityContext.runAsUser") as? Int == 1000)
    #expect(value(chat, "spec.template.spec.securityContext.runAsGroup") as? Int == 100)
    #expect(value(chat, "spec.template.spec.securityContext.fsGroup") as? Int == 100)
    #expect(value(chat, "spec.template.spec.containers.0.securityContext.readOnlyRootFilesystem") as? Bool == true)
    #expect(value(chat, "spec.template.spec.containers.0.securityContext.capabilities.drop.0") as? String == "ALL")

    let policies = try documents(artifacts, "kubernetes/networkpolicies.yaml")
    let placed = policies.map { "\(value($0, "metadata.namespace") ?? "")/\(value($0, "metadata.name") ?? "")" }
    #expect(
      placed == [
        "lab/default-deny", "lab/allow-dns", "lab/allow-chat-ingress", "lab/allow-chat-to-vllm",
        "lab-baseline/default-deny", "lab-baseline/allow-dns", "lab-baseline/allow-vllm-ingress",
      ])
    let egress = policies.first { value($0, "metadata.name") as? String == "allow-chat-to-vllm" }
    let peer = value(egress, "spec.egress.0.to.0") as? [String: Any]
    let selector = (peer?["namespaceSelector"] as? [String: Any])?["matchLabels"] as? [String: Any]
    #expect(selector?["kubernetes.io/metadata.name"] as? String == "lab-baseline")
  }

  /// Nothing isolated: no CPU manager configuration (the pool would be empty of exclusive CPUs).
  @Test func noKubeletConfigurationWithoutIsolatedWorkloads() throws {
    let artifacts = try artifacts(
      """
      stack: [app]
      components:
        app:
          versions: { "1.0": {} }
          runtime: kubernetes
          image: ghcr.io/example/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      targets: { kubernetes: { version: "1.31", namespace: lab } }
      """)
    #expect(
      artifacts.map(\.path) == [
        "kubernetes/namespace.yaml", "kubernetes/workload-app.yaml", "kubernetes/networkpolicies.yaml",
      ])
  }

  /// The kubelet's exclusive pool is the Kubernetes workloads' isolated cores only: a systemd service's isolated
  /// cores are reserved too, so no pod is ever given them.
  @Test func kubeletPoolExcludesIsolatedServices() throws {
    let artifacts = try artifacts(
      """
      stack: [app, svc]
      components:
        app:
          versions: { "1.0": {} }
          runtime: kubernetes
          image: ghcr.io/example/app:1.0
          resources:
            cpu: { cores: 1, placement: isolated }
            memory: 1GiB
        svc:
          versions: { "1.0": {} }
          runtime: systemd
          exec: /usr/bin/true
          resources:
            cpu: { cores: 1, placement: isolated }
      targets: { kubernetes: { version: "1.30", namespace: lab } }
      """)
    let kubelet = try documents(artifacts, "kubernetes/kubelet-config.yaml")[0]
    // app has the highest P-core (CPUs 6-7), svc the next (4-5): only 6-7 stay out of the reserved set.
    #expect(kubelet["reservedSystemCPUs"] as? String == "0-5,8-11")
  }

  /// Members of an exclusive group after the first start with no replica: the budgets counted the group once.
  @Test func exclusiveGroupMembersAfterTheFirstStandBy() throws {
    let artifacts = try artifacts(
      """
      stack: [a, b]
      components:
        a: { versions: { "1.0": {} }, runtime: kubernetes, image: "x.io/a:1", exclusive_group: gpu }
        b: { versions: { "1.0": {} }, runtime: kubernetes, image: "x.io/b:1", exclusive_group: gpu }
      targets: { kubernetes: { version: "1.30", namespace: lab } }
      """)
    #expect(
      try documents(artifacts, "kubernetes/workload-a.yaml")[0]["spec"].map { value($0, "replicas") as? Int } == 1)
    #expect(
      try documents(artifacts, "kubernetes/workload-b.yaml")[0]["spec"].map { value($0, "replicas") as? Int } == 0)
  }

  /// Environment variables come out in name order, whatever the order written.
  @Test func environmentInNameOrder() throws {
    let body = """
      stack: [a]
      components:
        a:
          versions: { "1.0": {} }
          runtime: kubernetes
          image: "x.io/a:1"
          env: { ZED: "1", ALPHA: "2" }
      targets: { kubernetes: { version: "1.30", namespace: lab } }
      """
    let written = try artifacts(body)
    let swapped = try artifacts(
      body.replacingOccurrences(of: "{ ZED: \"1\", ALPHA: \"2\" }", with: "{ ALPHA: \"2\", ZED: \"1\" }"))
    #expect(written == swapped)
    let container = value(try documents(written, "kubernetes/workload-a.yaml")[0], "spec.template.spec.containers.0")
    #expect(value(container, "env.0.name") as? String == "ALPHA")
  }

  /// Kubernetes' expansion of `env[].value`, `command` and `args` (k8s.io/kubernetes third_party/forked/golang/
  /// expansion): `$$` is `$`, `$(NAME)` a defined variable's value, anything else itself.
  static func expand(_ text: String, _ variables: [String: String]) -> String {
    var output = ""
    var rest = Substring(text)
    while let dollar = rest.firstIndex(of: "$") {
      output += rest[..<dollar]
      let after = rest[rest.index(after: dollar)...]
      if after.first == "$" {
        output += "$"
        rest = after.dropFirst()
      } else if after.first == "(", let close = after.firstIndex(of: ")") {
        let name = String(after[after.index(after: after.startIndex)..<close])
        output += variables[name] ?? "$(\(name))"
        rest = after[after.index(after: close)...]
      } else {
        output += "$"
        rest = after
      }
    }
    return output + rest
  }

  /// Text with `$(NAME)` or `$$` reaches the container as written: every `$` doubled, which Kubernetes reads
  /// back as the text; text without either is left alone.
  @Test func textIsTakenLiterallyByKubernetes() throws {
    let variables = ["HOME": "/root", "MODE": "fast"]
    let hostile = ["$(HOME)", "$$(HOME)", "a$$b", "cost: $5", "$", "$(MODE", "x$(MODE)y$$", "plain", "$$$(HOME)"]
    for text in hostile {
      #expect(Self.expand(KubernetesFacts.literal(text), variables) == text, "\(text)")
    }
    #expect(KubernetesFacts.literal("cost: $5") == "cost: $5")
    let body = """
      stack: [a]
      components:
        a:
          versions: { "1.0": {} }
          runtime: kubernetes
          image: "x.io/a:1"
          exec: /bin/serve
          args: ["--model", "$(MODEL)"]
          env: { MODE: "a$$b", MODEL: /models/x }
      targets: { kubernetes: { version: "1.30", namespace: lab } }
      """
    let container = value(
      try documents(try artifacts(body), "kubernetes/workload-a.yaml")[0], "spec.template.spec.containers.0")
    #expect(value(container, "args.1") as? String == "$$(MODEL)")
    #expect(value(container, "env.0.value") as? String == "a$$$$b")
    #expect(value(container, "command.0") as? String == "/bin/serve")
  }

  @Test(arguments: [(12 << 30, "12Gi"), (512 << 20, "512Mi"), (1536 << 20, "1536Mi"), (1000, "1000"), (2 << 40, "2Ti")])
  func quantities(bytes: Int, text: String) {
    #expect(KubernetesEmitter.quantity(ByteCount(bytes: bytes)) == text)
  }

  @Test func labelValuesOnlyWhenValid() {
    #expect(KubernetesEmitter.labelValue("0.3.10") == "0.3.10")
    #expect(KubernetesEmitter.labelValue("1:2.39.5-0+deb12u3") == nil)
    #expect(KubernetesEmitter.labelValue("-x") == nil)
  }
}
