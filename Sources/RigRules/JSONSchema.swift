import RigBasics

extension RigSchema {
  /// rig.yaml's JSON Schema (draft 2020-12), as `rig schema` prints it and `schemas/rig.schema.json` holds it.
  public static func jsonSchema() -> JSONValue {
    var definitions: [(String, JSONValue)] = patterns.map { name, pattern, summary in
      let string: JSONValue = .object([("type", .string("string")), ("pattern", .string(pattern))])
      if name == "bytes" || name == "cpuList" {
        return (
          name,
          .object([
            ("description", .string(summary)),
            ("anyOf", .array([.object([("type", .string("integer")), ("minimum", .int(0))]), string])),
          ])
        )
      }
      return (
        name, .object([("description", .string(summary)), ("type", .string("string")), ("pattern", .string(pattern))])
      )
    }
    definitions.sort { $0.0 < $1.0 }
    var document: [(String, JSONValue)] = [
      ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
      ("title", .string("rig.yaml")),
      ("description", .string("A machine and the stack wanted on it, compiled by rig (apiVersion rig/v1).")),
    ]
    if case .object(let members) = json(.object(root)) { document += members }
    document.append(("$defs", .object(definitions)))
    return .object(document)
  }

  static func json(_ type: SchemaType) -> JSONValue {
    switch type {
    case .object(let schema):
      var members: [(String, JSONValue)] = [("type", .string("object")), ("additionalProperties", .bool(false))]
      let required = schema.properties.filter(\.required).map { JSONValue.string($0.name) }
      if !required.isEmpty { members.append(("required", .array(required))) }
      members.append(
        (
          "properties",
          .object(
            schema.properties.map { property in
              var body: [(String, JSONValue)] = [("description", .string(property.summary))]
              if case .object(let inner) = json(property.type) { body += inner }
              return (property.name, .object(body))
            })
        ))
      return .object(members)
    case .map(let key, let value):
      return .object([
        ("type", .string("object")),
        ("propertyNames", json(.ref(key))),
        ("additionalProperties", json(value)),
      ])
    case .array(let items):
      return .object([("type", .string("array")), ("items", json(items))])
    case .string:
      return .object([("type", .string("string"))])
    case .enumeration(let values):
      return .object([("type", .string("string")), ("enum", .array(values.map(JSONValue.string)))])
    case .integer(let bounds):
      return .object([
        ("type", .string("integer")), ("minimum", .int(bounds.lowerBound)), ("maximum", .int(bounds.upperBound)),
      ])
    case .boolean:
      return .object([("type", .string("boolean"))])
    case .ref(let name):
      return .object([("$ref", .string("#/$defs/\(name)"))])
    case .oneOf(let types):
      return .object([("anyOf", .array(types.map(json)))])
    case .emptyObject:
      return .object([
        ("type", .array([.string("object"), .string("null")])), ("additionalProperties", .bool(false)),
      ])
    }
  }
}
