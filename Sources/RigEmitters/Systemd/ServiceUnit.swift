import RigAllocation
import RigBasics
import RigModel
import RigPlan

/// The unit rig writes for a service (`runtime: systemd`), or the drop-in it adds to the unit the service's
/// package ships: what the service runs and with what, where it may run and how much it may take, and the
/// sandbox it runs in.
struct ServiceUnit {
  var service: Service
  var plan: Plan

  /// A directive, or a comment line (`key` nil).
  typealias Line = (key: String?, value: String)

  /// Where the unit rig writes for `service` goes: `NAME.service`, named after the component.
  var unitName: String {
    switch service.start {
    case .packaged(let unit): unit
    case .program: SystemdEmitter.serviceName(service.name)
    }
  }

  /// The credential a secret reaches the service as: `SECRET.KEY`, read from the host's credential store.
  static func credential(secret: String, key: String) -> (id: String, path: String) {
    let id = "\(secret).\(key)"
    return (id, "/etc/credstore/\(id)")
  }

  /// The text of the file for the service: a whole unit, or a drop-in for the package's own unit.
  func text(header: String) -> String {
    var text = header
    switch service.start {
    case .program(let program, let arguments):
      text += "[Unit]\nDescription=\(SystemdEmitter.unitText(description))\n"
      text += "After=network.target\n\n[Service]\n"
      text += render(service(program, arguments, slice: true))
      text += "\n[Install]\nWantedBy=multi-user.target\n"
    case .packaged(let unit):
      text += "# \(unit) comes from its package; rig adds where it runs and what it runs with.\n[Service]\n"
      text += render(environment() + resources())
    }
    return text
  }

  /// The `[Service]` directives of the unit rig writes, in order; without the slice, for a configuration that
  /// places the service in its slice elsewhere (the NixOS module).
  func service(_ program: String, _ arguments: [String], slice: Bool) -> [Line] {
    let placement = resources().filter { slice || $0.key != "Slice" }
    return start(program, arguments) + environment() + state() + placement + sandbox()
  }

  var description: String {
    "rig: \(service.name)" + (service.declaration.description.map { " (\($0))" } ?? "")
  }

  func render(_ lines: [Line]) -> String {
    lines.map { line in line.key.map { "\($0)=\(line.value)\n" } ?? "# \(line.value)\n" }.joined()
  }

  // MARK: Sections

  /// The program and its arguments; with secrets, a shell that reads each from its credential into its variable
  /// and then becomes the program (systemd hands a credential over as a file, never as a variable).
  func start(_ program: String, _ arguments: [String]) -> [Line] {
    let secrets: [(name: String, id: String, path: String)] = service.declaration.environment.compactMap { variable in
      guard case .secret(let secret, let key) = variable.value else { return nil }
      let credential = Self.credential(secret: secret.value, key: key.value)
      return (variable.name.value, credential.id, credential.path)
    }
    var lines: [Line] = []
    var command = [program] + arguments
    if !secrets.isEmpty {
      lines.append((nil, "Secrets are credentials: systemd reads each file below as root and hands it to the service"))
      lines.append((nil, "in $CREDENTIALS_DIRECTORY; the value never appears in this file or in rig's input."))
      for secret in secrets { lines.append(("LoadCredential", "\(secret.id):\(secret.path)")) }
      let exports = secrets.map { "export \($0.name)=\"$(cat \"$CREDENTIALS_DIRECTORY/\($0.id)\")\"; " }.joined()
      command = ["/bin/sh", "-c", exports + "exec \"$@\"", "sh"] + command
    }
    lines.append(("ExecStart", command.map(Self.word).joined(separator: " ")))
    return lines
  }

  func environment() -> [Line] {
    service.declaration.environment.compactMap { variable in
      guard case .text(let text) = variable.value else { return nil }
      return ("Environment", Self.quoted("\(variable.name.value)=\(text.value)", dollars: false))
    }
  }

  /// A user of its own for each start (DynamicUser=), its state under /var/lib/, restarted when it fails.
  func state() -> [Line] {
    var lines: [Line] = [("DynamicUser", "yes")]
    if let storage = service.declaration.storage {
      lines.append(("StateDirectory", String(storage.path.value.dropFirst("/var/lib/".count))))
    }
    lines += [("Restart", "on-failure"), ("RestartSec", "5s")]
    return lines
  }

  /// Its CPUs and memory: an isolated service in its slice (which holds both), else its own CPUs and a memory limit.
  func resources() -> [Line] {
    let cpu = plan.cpu(of: service.name)
    let memory = plan.allocation.memory.items.first { $0.component == service.name }?.amount
    if cpu?.placement == .isolated, !plan.allocation.cpu.isolated.isEmpty {
      return [
        (nil, "Runs in the slice that holds its isolated CPUs and its memory."),
        ("Slice", SystemdEmitter.sliceName(service.name)),
      ]
    }
    var lines: [Line] = []
    if let cpu, cpu.cpus != plan.allocation.cpu.housekeeping { lines.append(("AllowedCPUs", cpu.cpus.description)) }
    if let memory { lines.append(("MemoryMax", String(memory.bytes))) }
    return lines
  }

  /// systemd.exec(5)'s sandbox: no privileges, a read-only system, private /tmp, no kernel or control-group
  /// changes, the common system calls only (others fail with EPERM rather than killing the service). A service
  /// that uses the GPU keeps /dev but may open only the NVIDIA driver's devices, named as /proc/devices lists
  /// them (the same names NVIDIA's container toolkit reads): this costs a little exposure, and
  /// `scripts/validate/check-systemd.sh` holds it to 6.0 rather than 5.0.
  func sandbox() -> [Line] {
    var lines: [Line] = [
      ("NoNewPrivileges", "yes"), ("CapabilityBoundingSet", ""), ("AmbientCapabilities", ""),
      ("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes"), ("PrivateUsers", "yes"),
      ("ProtectHostname", "yes"), ("ProtectClock", "yes"), ("ProtectKernelTunables", "yes"),
      ("ProtectKernelModules", "yes"), ("ProtectKernelLogs", "yes"), ("ProtectControlGroups", "yes"),
      ("ProtectProc", "invisible"), ("ProcSubset", "pid"), ("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6"),
      ("RestrictNamespaces", "yes"), ("RestrictRealtime", "yes"), ("RestrictSUIDSGID", "yes"),
      ("LockPersonality", "yes"), ("RemoveIPC", "yes"), ("SystemCallArchitectures", "native"),
      ("SystemCallFilter", "@system-service"), ("SystemCallFilter", "~@privileged"),
      ("SystemCallErrorNumber", "EPERM"), ("UMask", "0077"),
    ]
    if service.declaration.resources.gpu != nil {
      lines += [
        (nil, "It uses the GPU: the NVIDIA devices only (/dev/nvidia*, /dev/nvidiactl, /dev/nvidia-uvm)."),
        ("PrivateDevices", "no"), ("DevicePolicy", "closed"), ("DeviceAllow", "char-nvidia-frontend rw"),
        ("DeviceAllow", "char-nvidia-uvm rw"), ("DeviceAllow", "char-nvidia-caps r"),
      ]
    } else {
      lines.append(("PrivateDevices", "yes"))
    }
    return lines
  }

  // MARK: Quoting (systemd.syntax(7), systemd.service(5) "Command lines")

  /// One word of a command line: as is when it holds nothing systemd reads specially, else quoted.
  static func word(_ text: String) -> String {
    // A lone `;` separates commands; systemd.service(5) writes the argument `\;`.
    if text == ";" { return "\\;" }
    let plain = !text.isEmpty && !text.contains { " \t\n\"'\\%$;".contains($0) }
    return plain ? text : quoted(text, dollars: true)
  }

  /// `text` in double quotes, with `\` and `"` escaped, control characters as C escapes, `%` doubled (a specifier
  /// otherwise) and, in a command line, `$` doubled (a variable otherwise).
  static func quoted(_ text: String, dollars: Bool) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\\": result += "\\\\"
      case "\"": result += "\\\""
      case "\n": result += "\\n"
      case "\t": result += "\\t"
      case "%": result += "%%"
      case "$" where dollars: result += "$$"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7f {
          result += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
        } else {
          result.unicodeScalars.append(scalar)
        }
      }
    }
    return result + "\""
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
