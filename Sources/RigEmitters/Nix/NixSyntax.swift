/// Nix source text: one escaper for every string literal and attribute name, and a small value model that
/// renders nested attribute sets and lists in one stable layout (2-space indentation, one binding per line).
///
/// Nothing else writes Nix: user text reaches the output only through `Nix.string(_:)` (as an inert string
/// literal) or `Nix.comment(_:)` (on one comment line), never as code.
enum Nix {
  /// `text` as a Nix double-quoted string literal that evaluates to exactly `text`: `"` → `\"`, `\` → `\\`,
  /// `${` → `\${` (no interpolation can start), and newline, carriage return and tab as `\n`, `\r`, `\t`
  /// (the escapes Nix's string grammar knows, Nix manual "String literals"). A NUL, which Nix strings cannot
  /// hold, is dropped. Every other character, `$` not followed by `{` included, stands for itself.
  static func string(_ text: String) -> String {
    var out = "\""
    // NULs go first: dropping one later could join a `$` and a `{` into an interpolation.
    let scalars = Array(text.unicodeScalars.filter { $0 != "\0" })
    for (index, scalar) in scalars.enumerated() {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "$" where index + 1 < scalars.count && scalars[index + 1] == "{": out += "\\$"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  /// Words Nix's parser reserves; an attribute named like one is written quoted.
  static let keywords: Set<String> = ["assert", "else", "if", "in", "inherit", "let", "or", "rec", "then", "with"]

  /// `name` as an attribute name: bare when it is a plain identifier (`[A-Za-z_][A-Za-z0-9_'-]*`, not a
  /// keyword), else quoted through `string(_:)` (`"rig-g\\x2b\\x2b_tools"`, `"system.slice"`).
  static func attributeName(_ name: String) -> String {
    isIdentifier(name) ? name : string(name)
  }

  static func isIdentifier(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, !keywords.contains(name) else { return false }
    func letter(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) || ("A"..."Z").contains(s) || s == "_" }
    return letter(first)
      && name.unicodeScalars.dropFirst().allSatisfy { letter($0) || ("0"..."9").contains($0) || $0 == "'" || $0 == "-" }
  }

  /// `text` as the body of one `#` comment line: control characters (line breaks above all, which would end
  /// the comment and start code) become spaces.
  static func comment(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      if scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}" {
        out += " "
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}

/// A Nix value as rig writes it.
indirect enum NixValue: Equatable {
  case bool(Bool)
  case int(Int)
  case string(String)
  /// An attribute path starting at one of the module's arguments (`pkgs.cudaPackages.cudatoolkit`,
  /// `config.services.irqbalance.enable`); each segment is written through `Nix.attributeName(_:)`.
  case reference([String])
  case list([NixValue])
  case attrs([NixBinding])
  /// A function applied to arguments: `lib.mkIf config.services.irqbalance.enable { … }`.
  case apply([String], [NixValue])
}

/// `path = value;`, with comment lines above it. A path of several segments is written dotted
/// (`hardware.nvidia.open = true;`).
struct NixBinding: Equatable {
  var path: [String]
  var value: NixValue
  var comments: [String]

  init(_ path: [String], _ value: NixValue, comments: [String] = []) {
    self.path = path
    self.value = value
    self.comments = comments
  }
}

/// A group of bindings introduced by comment lines; a module's sections are separated by blank lines.
struct NixSection {
  var comments: [String]
  var bindings: [NixBinding]

  init(comments: [String] = [], bindings: [NixBinding] = []) {
    self.comments = comments
    self.bindings = bindings
  }
}

/// Renders values in rig's layout.
enum NixRenderer {
  /// A NixOS module: `header` (complete `#` lines), the argument pattern, then the sections in order.
  static func module(header: String, sections: [NixSection]) -> String {
    var out = header + "{ config, lib, pkgs, ... }:\n\n{\n"
    let blocks = sections.filter { !$0.comments.isEmpty || !$0.bindings.isEmpty }.map { section -> String in
      var text = section.comments.map { "  # " + Nix.comment($0) + "\n" }.joined()
      for binding in section.bindings { text += render(binding, indent: 1) }
      return text
    }
    out += blocks.joined(separator: "\n")
    return out + "}\n"
  }

  static func render(_ binding: NixBinding, indent: Int) -> String {
    let pad = String(repeating: "  ", count: indent)
    let comments = binding.comments.map { pad + "# " + Nix.comment($0) + "\n" }.joined()
    let path = binding.path.map(Nix.attributeName).joined(separator: ".")
    return comments + pad + path + " = " + render(binding.value, indent: indent) + ";\n"
  }

  /// `value` starting at the current column, its inner lines indented one level below `indent`.
  static func render(_ value: NixValue, indent: Int) -> String {
    let pad = String(repeating: "  ", count: indent)
    switch value {
    case .bool(let flag): return flag ? "true" : "false"
    case .int(let number): return String(number)
    case .string(let text): return Nix.string(text)
    case .reference(let path): return reference(path)
    case .list(let items):
      if items.isEmpty { return "[ ]" }
      if items.count == 1, isScalar(items[0]) { return "[ " + render(items[0], indent: indent) + " ]" }
      return "[\n" + items.map { pad + "  " + render($0, indent: indent + 1) + "\n" }.joined() + pad + "]"
    case .attrs(let bindings):
      if bindings.isEmpty { return "{ }" }
      return "{\n" + bindings.map { render($0, indent: indent + 1) }.joined() + pad + "}"
    case .apply(let function, let arguments):
      return
        ([reference(function)]
        + arguments.map { argument in
          isScalar(argument) || isCompound(argument)
            ? render(argument, indent: indent) : "(" + render(argument, indent: indent) + ")"
        }).joined(separator: " ")
    }
  }

  static func reference(_ path: [String]) -> String { path.map(Nix.attributeName).joined(separator: ".") }

  static func isScalar(_ value: NixValue) -> Bool {
    switch value {
    case .bool, .int, .string, .reference: return true
    case .list, .attrs, .apply: return false
    }
  }

  static func isCompound(_ value: NixValue) -> Bool {
    switch value {
    case .list, .attrs: return true
    case .bool, .int, .string, .reference, .apply: return false
    }
  }
}
