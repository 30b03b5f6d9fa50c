import RigBasics

/// What the model's rules report, whichever front end wrote the project, with stable IDs.
package enum RuleMessage: DiagnosticMessage {
  case missingKey(key: String, context: String)
  case badCPUList(String)
  case badConstraint(String)
  case badVersion(String)
  case invalidValue(String)
  case conflictingKeys(String)
  case duplicateDefinition(String)
  case topology(String)
  case imageNotPinned(String)
  case notForRuntime(String)
  case securityRelaxed(String)

  package var id: DiagnosticID {
    switch self {
    case .missingKey: "missing-key"
    case .badCPUList: "bad-cpu-list"
    case .badConstraint: "bad-constraint"
    case .badVersion: "bad-version"
    case .invalidValue: "invalid-value"
    case .conflictingKeys: "conflicting-keys"
    case .duplicateDefinition: "duplicate-definition"
    case .topology: "bad-topology"
    case .imageNotPinned: "image-not-pinned"
    case .notForRuntime: "not-for-runtime"
    case .securityRelaxed: "security-relaxed"
    }
  }

  package var severity: Severity {
    switch self {
    case .imageNotPinned, .securityRelaxed: .warning
    default: .error
    }
  }

  package var text: String {
    switch self {
    case .missingKey(let key, let context): "missing required key '\(key)' \(context)"
    case .badCPUList(let message), .badConstraint(let message), .badVersion(let message), .invalidValue(let message),
      .conflictingKeys(let message), .duplicateDefinition(let message), .topology(let message),
      .imageNotPinned(let message), .notForRuntime(let message), .securityRelaxed(let message):
      message
    }
  }
}
