import RigDSL
import Testing

/// Mistakes the Swift compiler cannot catch (a name is a `String`, a count an `Int`) are diagnostics located in
/// the Swift file: `#fileID:line:column`, the column at the element's name or inside a string literal. Each test
/// lists every diagnostic it expects.
@Suite struct DiagnosticTests {
  static let file = #fileID

  /// A machine every rig below can use.
  static func machine() -> Hardware {
    Hardware.cpu(.hybrid(performance: 4, efficiency: 4)).memory(.gib(32)).os(.debian(.bookworm))
  }

  @Test func requirementTextIsParsedWithYAMLGrammarAndLocatedInTheLiteral() {
    let rig = Rig("texts") {
      Self.machine()
      Stack {
        "Ollama >= 0.5"  // @upper
        "kubelet >= 1.30,"  // @comma
        "git 2"  // @operator
      }
    }
    #expect(
      diagnostics(of: rig) == [
        "\(Self.file):\(line("upper")):10: error: invalid requirement: component names are lowercase [bad-constraint]",
        "\(Self.file):\(line("comma")):25: error: invalid requirement: expected a clause after ',' [bad-constraint]",
        "\(Self.file):\(line("operator")):14: error: invalid requirement: expected an operator before version '2' [bad-constraint]",
      ])
  }

  @Test func typedRequirementsAreCheckedAtTheCall() {
    let rig = Rig("typed") {
      Self.machine()
      Stack {
        Require("cuda-toolkit", .caret("12"), .below("13"))  // @caret
        Require("ollama", .atLeast("0.5 beta"))  // @version
        Require("Blender")  // @name
      }
    }
    #expect(
      diagnostics(of: rig) == [
        "\(Self.file):\(line("caret")):9: error: invalid requirement: '^' cannot be combined with other clauses [bad-constraint]",
        "\(Self.file):\(line("version")):9: error: invalid version '0.5 beta': ' ' is not allowed in a version [bad-version]",
        "\(Self.file):\(line("name")):9: error: invalid component name 'Blender': component names are lowercase [invalid-value]",
      ])
  }

  @Test func partsWrittenTwiceAndPartsMissing() {
    let twice = Rig("twice") {
      Hardware.cpu(.hybrid(performance: 1, efficiency: 0)).memory(.gib(8)).os(.debian(.bookworm))
      Hardware.cpu(.hybrid(performance: 2, efficiency: 0)).memory(.gib(8)).os(.debian(.bookworm))  // @hardware
      Component("app") {
        Image("docker.io/library/app:1")
        Image("docker.io/library/app:2")  // @image
        Ports(80)
        Ports(443)
      }
      Policies {
        MemoryPolicy(reserve: .gib(1))
        MemoryPolicy(reserve: .gib(2))  // @memory
      }
      Targets {
        Kernel()
        Kernel()  // @kernel
      }
    }
    #expect(
      diagnostics(of: twice) == [
        "\(Self.file):\(line("hardware")):16: error: 'hardware' is written twice [duplicate-definition]",
        "\(Self.file):\(line("image")):9: error: 'components.app.image' is written twice [duplicate-definition]",
        "\(Self.file):\(line("memory")):9: error: 'policies.memory' is written twice [duplicate-definition]",
        "\(Self.file):\(line("kernel")):9: error: 'targets.kernel' is written twice [duplicate-definition]",
      ])
    let empty = Rig("empty") { Stack { "git" } }  // @empty
    #expect(
      diagnostics(of: empty) == [
        "\(Self.file):\(line("empty")):17: error: missing required key 'hardware' at the top level [missing-key]"
      ])
    let bare = Rig("bare") { Hardware.cpu(.hybrid(performance: 1, efficiency: 0)).memory(.gib(1)) }  // @bare
    #expect(
      diagnostics(of: bare) == [
        "\(Self.file):\(line("bare")):39: error: missing required key 'os' in 'hardware' [missing-key]"
      ])
  }

  /// The rules YAML's schema and lowering apply reach DSL values too, with the same messages.
  @Test func modelRulesApplyToTheDSL() {
    let rig = Rig("Bad Name") {  // @rig
      Hardware.cpu(  // @cpu
        .cores {
          Core(.performance, threads: 0, 1)
          Core(.efficiency, threads: 1)  // @core
        }, bootCPU: 9
      )
      .memory(.gib(0))  // @zero-memory
      .gpu("GPU 0", memory: .gib(8), power: BoardPower(min: .watts(200), max: .watts(100)))  // @gpu
      .os(.debian(.bookworm))
      Sources(.upstream, .upstream)  // @sources
      Component("web") {
        Runs(.kubernetes)
        Image("Docker.io/Web")  // @bad-image
        Ports(0, 8080, 8080)  // @ports
        Env("1ST", "x")  // @env
        Env("TOKEN", secret: "Secret!", key: "a key")  // @secret
        Storage(path: "data", size: .gib(-1))  // @storage
        CPU(cores: 0, placement: .isolated)  // @cpu-request
      }
      Component("web")  // @web
      Policies {
        GPUPolicy(thermal: Thermal(warning: .celsius(90), critical: .celsius(85), for: .minutes(1)))  // @thermal
      }
      Targets {
        Ansible(host: "all")  // @ansible
        Kubernetes(version: "1.30.2", namespace: "AI")  // @kubernetes
        Nix(release: "24.10")  // @nix
      }
    }
    let at = { (marker: String, column: Int) in "\(Self.file):\(line(marker)):\(column)" }
    #expect(
      diagnostics(of: rig) == [
        "\(at("rig", 15)): error: 'name' must be a DNS label: lowercase letters, digits and '-', at most 63 characters, not 'Bad Name' [invalid-value]",
        "\(at("zero-memory", 8)): error: 'hardware.memory' must be more than 0 [invalid-value]",
        "\(at("core", 11)): error: CPU 1 belongs to two cores [bad-topology]",
        "\(at("cpu", 16)): error: boot CPU 9 is not one of this CPU's logical CPUs (0-1) [bad-topology]",
        "\(at("gpu", 8)): error: 'hardware.gpus[0].name' must be a DNS label: lowercase letters, digits and '-', at most 63 characters, not 'GPU 0' [invalid-value]",
        "\(at("sources", 7)): error: source 'upstream' is listed twice [duplicate-definition]",
        "\(at("bad-image", 9)): error: 'components.web.image' must be a container image reference, such as 'ghcr.io/example/comfyui:0.3.10', not 'Docker.io/Web' [invalid-value]",
        "\(at("env", 9)): error: key '1ST' must be an environment variable name: letters, digits and '_' [invalid-value]",
        "\(at("secret", 9)): error: 'components.web.env.TOKEN.secret' must be a Kubernetes object name: lowercase letters, digits, '-' and '.', not 'Secret!' [invalid-value]",
        "\(at("secret", 9)): error: 'components.web.env.TOKEN.key' must be a Secret key: letters, digits, '-', '_' and '.', not 'a key' [invalid-value]",
        "\(at("storage", 9)): error: 'components.web.storage.path' must be an absolute path of letters, digits, '.', '_' and '-', not 'data' [invalid-value]",
        "\(at("storage", 9)): error: 'components.web.storage.size' must be between 0 and 1024TiB, not -1073741824 [invalid-value]",
        "\(at("ports", 9)): error: 'components.web.ports[0]' must be between 1 and 65535, not 0 [invalid-value]",
        "\(at("ports", 9)): error: port 8080 is listed twice [duplicate-definition]",
        "\(at("cpu-request", 9)): error: 'components.web.resources.cpu.cores' must be between 1 and 4096, not 0 [invalid-value]",
        "\(at("cpu-request", 9)): error: isolated Kubernetes workload 'web' has no memory request [invalid-value]",
        "\(at("web", 7)): error: component 'web' is declared twice [duplicate-definition]",
        "\(at("thermal", 9)): error: thermal warning 90C must be below critical 85C [invalid-value]",
        "\(at("ansible", 9)): error: 'all' is an Ansible inventory group, not a host name [invalid-value]",
        "\(at("kubernetes", 9)): error: 'targets.kubernetes.version' must be a Kubernetes minor version, such as \"1.30\", not '1.30.2' [invalid-value]",
        "\(at("kubernetes", 9)): error: 'targets.kubernetes.namespace' must be a DNS label: lowercase letters, digits and '-', at most 63 characters, not 'AI' [invalid-value]",
        "\(at("nix", 9)): error: 'targets.nix.release' must be a NixOS release, such as \"24.11\", not '24.10' [invalid-value]",
      ])
    #expect(rig.lower().spec == nil)
  }

  @Test func unpinnedImageIsAWarningAndTheModelStands() {
    let rig = Rig("warned") {
      Self.machine()
      Component("app") {
        Runs(.kubernetes)
        Image("docker.io/library/app:latest")  // @latest
      }
    }
    let lowered = rig.lower()
    #expect(
      diagnostics(of: rig) == [
        "\(Self.file):\(line("latest")):9: warning: image 'docker.io/library/app:latest' uses the moving tag 'latest' [image-not-pinned]"
      ])
    #expect(lowered.spec != nil)
  }

  @Test func badCPUListsAndHybridCounts() {
    let rig = Rig("cpus") {
      Hardware.cpu(.hybrid(performance: 4, efficiency: -1)).memory(.gib(32)).os(.debian(.bookworm))  // @hybrid
      Component("pinned") { CPU(cpus: .cpus("3-1")) }  // @descending
      Policies { CPUPolicy(isolated: .cpus("0-N:0/2")) }  // @stride
    }
    #expect(
      diagnostics(of: rig) == [
        "\(Self.file):\(line("descending")):29: error: range 3-1 is descending [bad-cpu-list]",
        "\(Self.file):\(line("hybrid")):16: error: 'hardware.cpu.hybrid.efficiency' must be between 0 and 4096, not -1 [invalid-value]",
        "\(Self.file):\(line("stride")):18: error: used size 0 must be between 1 and the group size 2 [bad-cpu-list]",
      ])
  }

  /// Every file the description was written in is reported, so that diagnostics can quote its lines.
  @Test func filesAreRecorded() {
    let rig = Rig("files") { Self.machine() }
    let lowered = rig.lower()
    #expect(lowered.file == Self.file)
    #expect(lowered.files.map(\.fileID) == [Self.file])
    #expect(lowered.files.map(\.filePath) == [#filePath])
  }
}

/// Values the reviewer of the first version broke the DSL with: overflowing and negative quantities, repeated
/// blocks, non-ASCII lines, strings that are not plain literals, a missing machine.
@Suite struct EdgeDiagnosticTests {
  static let file = #fileID

  @Test func hugeAndNegativeQuantitiesAreRefusedNotTrapped() {
    let rig = Rig("huge") {
      Hardware.cpu(.hybrid(performance: 4, efficiency: 0)).memory(.gib(Int.max))  // @huge-memory
        .gpu("gpu0", memory: .tib(-5), power: BoardPower(min: .watts(1), max: .watts(Int.max)))  // @huge-gpu
        .os(.debian(.bookworm))
      Component("app") {
        Memory(.tib(1 << 22))  // @huge-component
      }
      Policies {
        GPUPolicy(  // @huge-policy
          powerLimit: .watts(Int.min),
          thermal: Thermal(warning: .celsius(Int.min), critical: .celsius(Int.max), for: .minutes(Int.max)))
      }
    }
    let at = { (marker: String, column: Int) in "\(Self.file):\(line(marker)):\(column)" }
    #expect(
      diagnostics(of: rig) == [
        "\(at("huge-memory", 60)): error: 'hardware.memory' must be between 0 and 1024TiB, not 9223372036854775807 [invalid-value]",
        "\(at("huge-gpu", 10)): error: 'hardware.gpus[0].memory' must be between 0 and 1024TiB, not -5497558138880 [invalid-value]",
        "\(at("huge-gpu", 10)): error: 'hardware.gpus[0].power.max' must be between 0W and 100000W, not 9223372036854775.807W [invalid-value]",
        "\(at("huge-component", 9)): error: 'components.app.resources.memory' must be between 0 and 1024TiB, not 4194304TiB [invalid-value]",
        "\(at("huge-policy", 9)): error: 'policies.gpu.power_limit' must be between 0W and 100000W, not -9223372036854775.807W [invalid-value]",
        "\(at("huge-policy", 9)): error: 'policies.gpu.thermal.warning' must be between -273C and 1000C, not -9223372036854775.807C [invalid-value]",
        "\(at("huge-policy", 9)): error: 'policies.gpu.thermal.critical' must be between -273C and 1000C, not 9223372036854775.807C [invalid-value]",
        "\(at("huge-policy", 9)): error: 'policies.gpu.thermal.for' must be between 0s and 52w1d, not 15250284452w3d7h12m55s807ms [invalid-value]",
      ])
  }

  /// A block written without parentheses (`Policies {`) is located at its name, and so is an element after
  /// non-ASCII text on the same line (Swift counts columns in bytes, rig in characters).
  @Test func columnsAreCharactersAtTheNameCalled() {
    let rig = Rig("columns") {
      Hardware.cpu(.hybrid(performance: 4, efficiency: 0)).memory(.gib(8)).os(.debian(.bookworm))
      Component("app") {
        Runs(.kubernetes)
        Description("déjà vu — ☃"); Ports(0)  // @unicode
      }
      Policies { MemoryPolicy(reserve: .gib(1)) }
      Policies { MemoryPolicy(reserve: .gib(2)) }  // @second-policies
      Targets { Kernel() }
      Targets { Kernel() }  // @second-targets
    }
    #expect(
      diagnostics(of: rig) == [
        "\(Self.file):\(line("second-policies")):7: error: 'policies' is written twice [duplicate-definition]",
        "\(Self.file):\(line("second-targets")):7: error: 'targets' is written twice [duplicate-definition]",
        "\(Self.file):\(line("unicode")):37: error: 'components.app.ports[0]' must be between 1 and 65535, not 0 [invalid-value]",
      ])
  }

  /// A stack string that is not a plain literal (a variable, an interpolation) is located at its expression.
  @Test func stringsThatAreNotPlainLiteralsPointAtTheExpression() {
    let bad = "Bad"
    let version = "x"
    let rig = Rig("strings") {
      Hardware.cpu(.hybrid(performance: 4, efficiency: 0)).memory(.gib(8)).os(.debian(.bookworm))
      Stack {
        bad  // @variable
        "git >= \(version)"  // @interpolated
        "Tmux\t>= 1"  // @escaped
      }
    }
    #expect(
      diagnostics(of: rig) == [
        "\(Self.file):\(line("variable")):9: error: invalid requirement: component names are lowercase [bad-constraint]",
        "\(Self.file):\(line("interpolated")):9: error: invalid requirement: version must start with a digit, or with a build tag's letters and a digit ('b4200') [bad-constraint]",
        "\(Self.file):\(line("escaped")):9: error: invalid requirement: component names are lowercase [bad-constraint]",
      ])
  }

  /// Without a machine, everything else is still checked: one run reports every mistake.
  @Test func everyMistakeIsReportedWithoutAMachine() {
    let rig = Rig("Bad Name") {  // @no-machine
      Component("Bad!") { Image("X") }  // @bad-component
      Targets { Ansible(host: "all") }  // @all
    }
    let at = { (marker: String, column: Int) in "\(Self.file):\(line(marker)):\(column)" }
    #expect(
      diagnostics(of: rig) == [
        "\(at("no-machine", 15)): error: missing required key 'hardware' at the top level [missing-key]",
        "\(at("no-machine", 15)): error: 'name' must be a DNS label: lowercase letters, digits and '-', at most 63 characters, not 'Bad Name' [invalid-value]",
        "\(at("bad-component", 7)): error: invalid component name 'Bad!': component names are lowercase [invalid-value]",
        "\(at("all", 17)): error: 'all' is an Ansible inventory group, not a host name [invalid-value]",
      ])
  }

  @Test func machineWrittenTwiceOrWrong() {
    let rig = Rig("twice") {
      Hardware.cpu(.cores { Core(.performance, threads: 0, 0) })  // @same-thread
        .memory(.gib(8))
        .memory(.gib(16))  // @second-memory
        .os(.debian(.bookworm))
        .os(.debian(.trixie))  // @second-os
      Component("pinned") { CPU(cpus: .cpus(-3...5)) }  // @negative
      Component("empty") { CPU(cpus: .cpus([])) }  // @empty-list
    }
    let at = { (marker: String, column: Int) in "\(Self.file):\(line(marker)):\(column)" }
    #expect(
      diagnostics(of: rig) == [
        "\(at("negative", 29)): error: CPU -3 is outside 0...8191, the CPUs Linux numbers [bad-cpu-list]",
        "\(at("empty-list", 28)): error: empty CPU list [bad-cpu-list]",
        "\(at("second-memory", 10)): error: 'hardware.memory' is written twice [duplicate-definition]",
        "\(at("second-os", 10)): error: 'hardware.os' is written twice [duplicate-definition]",
        "\(at("same-thread", 29)): error: CPU 0 belongs to two cores [bad-topology]",
      ])
  }

  /// The boot CPU has a location only when written, as in YAML; a list of CPUs becomes the kernel's short form.
  @Test func defaultsAreYAMLs() throws {
    let implicit = Rig("implicit") {
      Hardware.cpu(.hybrid(performance: 2, efficiency: 0)).memory(.gib(8)).os(.debian(.bookworm))
      Component("pinned") { CPU(cpus: .cpus([3, 0, 1, 2])) }
    }
    let spec = try #require(implicit.lower().spec)
    #expect(spec.hardware.cpu.bootCPU.range == nil)
    #expect(spec.components[0].resources.cpu?.cpus?.value.items.count == 1)
    #expect(spec.components[0].resources.cpu?.placement.range == nil)
    let explicit = Rig("explicit") {
      Hardware.cpu(.hybrid(performance: 2, efficiency: 0), bootCPU: 1).memory(.gib(8)).os(.debian(.bookworm))
    }
    let written = try #require(explicit.lower().spec)
    #expect(written.hardware.cpu.bootCPU.value == 1)
    #expect(written.hardware.cpu.bootCPU.range != nil)
  }
}
