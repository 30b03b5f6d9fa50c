import RigBasics

/// What reading rig.yaml files reports beyond the model's rules (`RuleMessage`), with stable IDs.
package enum YAMLMessage: DiagnosticMessage {
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
  case typeMismatch(what: String, expected: String, found: String)
  case badQuantity(String)
  case includeNotFound(String)
  case includeOutsideProject(String)
  case includeCycle(String)
  case includedTwice(String)
  case includeLimit(Int)

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
    case .typeMismatch: "type-mismatch"
    case .badQuantity: "bad-quantity"
    case .includeNotFound: "include-not-found"
    case .includeOutsideProject: "include-outside-project"
    case .includeCycle: "include-cycle"
    case .includedTwice: "include-twice"
    case .includeLimit: "include-limit"
    }
  }

  package var severity: Severity { .error }

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
    case .typeMismatch(let what, let expected, let found): "\(what) must be \(expected), not \(found)"
    case .badQuantity(let message): message
    case .includeNotFound(let path): "included file '\(path.excerpt(limit: 4096))' does not exist"
    case .includeOutsideProject(let path): "included file '\(path.excerpt(limit: 4096))' is outside the project folder"
    case .includeCycle(let path): "'\(path.excerpt(limit: 4096))' includes itself through this include"
    case .includedTwice(let path): "'\(path.excerpt(limit: 4096))' is already included"
    case .includeLimit(let limit): "more than \(limit) files are included"
    }
  }
}
