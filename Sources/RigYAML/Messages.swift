import RigBasics

/// Every diagnostic the YAML front end emits, with its stable ID.
package enum FrontEndMessage: DiagnosticMessage {
  case fileNotFound(String)
  case notAFile(String)
  case fileTooLarge(size: Int, limit: Int)
  case notUTF8
  case syntax(String)
  case nestingTooDeep(limit: Int)
  case aliasBudget(String)
  case complexKey
  case duplicateKey(String)
  case emptyDocument
  case unknownKey(key: String, context: String)
  case missingKey(key: String, context: String)
  case typeMismatch(what: String, expected: String, found: String)
  case badQuantity(String)
  case badCPUList(String)
  case badConstraint(String)
  case badVersion(String)
  case invalidValue(String)
  case conflictingKeys(String)
  case duplicateDefinition(String)
  case topology(String)
  case includeNotFound(String)
  case includeOutsideProject(String)
  case includeCycle(String)
  case includedTwice(String)
  case includeLimit(Int)
  case imageNotPinned(String)

  package var id: DiagnosticID {
    switch self {
    case .fileNotFound, .notAFile: "file-not-found"
    case .fileTooLarge: "file-too-large"
    case .notUTF8: "not-utf8"
    case .syntax: "yaml-syntax"
    case .nestingTooDeep: "nesting-too-deep"
    case .aliasBudget: "alias-budget"
    case .complexKey: "complex-key"
    case .duplicateKey: "duplicate-key"
    case .emptyDocument: "empty-document"
    case .unknownKey: "unknown-key"
    case .missingKey: "missing-key"
    case .typeMismatch: "type-mismatch"
    case .badQuantity: "bad-quantity"
    case .badCPUList: "bad-cpu-list"
    case .badConstraint: "bad-constraint"
    case .badVersion: "bad-version"
    case .invalidValue: "invalid-value"
    case .conflictingKeys: "conflicting-keys"
    case .duplicateDefinition: "duplicate-definition"
    case .topology: "bad-topology"
    case .includeNotFound: "include-not-found"
    case .includeOutsideProject: "include-outside-project"
    case .includeCycle: "include-cycle"
    case .includedTwice: "include-twice"
    case .includeLimit: "include-limit"
    case .imageNotPinned: "image-not-pinned"
    }
  }

  package var severity: Severity {
    switch self {
    case .imageNotPinned: .warning
    default: .error
    }
  }

  package var text: String {
    switch self {
    case .fileNotFound(let path): "no such file '\(path.excerpt(limit: 4096))'"
    case .notAFile(let path): "'\(path.excerpt(limit: 4096))' is not a regular file"
    case .fileTooLarge(let size, let limit): "file is \(size) bytes, more than the limit of \(limit) bytes"
    case .notUTF8: "file is not valid UTF-8"
    case .syntax(let problem): problem
    case .nestingTooDeep(let limit): "nesting is deeper than the limit of \(limit) levels"
    case .aliasBudget(let limit): "aliases expand past the limit of \(limit)"
    case .complexKey: "mapping keys must be plain strings, not collections or aliases"
    case .duplicateKey(let key): "duplicate key '\(key.excerpt)'"
    case .emptyDocument: "file holds no YAML document"
    case .unknownKey(let key, let context): "unknown key '\(key.excerpt)' \(context)"
    case .missingKey(let key, let context): "missing required key '\(key)' \(context)"
    case .typeMismatch(let what, let expected, let found): "\(what) must be \(expected), not \(found)"
    case .badQuantity(let message), .badCPUList(let message), .badConstraint(let message), .badVersion(let message),
      .invalidValue(let message), .conflictingKeys(let message), .duplicateDefinition(let message),
      .topology(let message), .imageNotPinned(let message):
      message
    case .includeNotFound(let path): "included file '\(path.excerpt(limit: 4096))' does not exist"
    case .includeOutsideProject(let path): "included file '\(path.excerpt(limit: 4096))' is outside the project folder"
    case .includeCycle(let path): "'\(path.excerpt(limit: 4096))' includes itself through this include"
    case .includedTwice(let path): "'\(path.excerpt(limit: 4096))' is already included"
    case .includeLimit(let limit): "more than \(limit) files are included"
    }
  }
}
