import RigBasics
import RigModel
import RigRules

/// What a level of a fleet (the shared sections, a group, a host) writes about its machines; nil or empty where it
/// writes nothing.
struct MachineSections {
  var hardware: Hardware?
  var sources: [Located<String>]
  var stack: [Requirement]
  var components: [Component]
  var policies: Policies
}

/// A group under `groups:` as read: its sections and the members it declares.
private struct GroupEntry {
  var name: Located<String>
  var sections: MachineSections
  /// Members declared with `count` or `names`, with where each is named.
  var members: [Located<String>]
}

/// Lowers `hosts:`, `groups:` and `cluster:` to a `Fleet`: each host's description is the shared sections, then its
/// groups' in the order it lists them (a declaring group first), then its own: stacks add up, a later declaration
/// of a component or a policy setting takes the place of an earlier one, and the nearest hardware and sources win.
extension Loader {
  mutating func lowerFleet(
    _ hostsValue: Value?, groups groupsValue: Value?, cluster clusterValue: Value?, shared: MachineSections,
    apiVersion: Located<String>, name: Located<String>, targets: Targets, targetsValue: Value?
  ) -> Fleet? {
    var groups: [GroupEntry] = []
    for (key, value) in groupsValue.flatMap({ lowering.map($0) }) ?? [] {
      guard let groupName = lowering.patterned(key: key, "groupName", example: "workstations"),
        let fields = lowering.object(value, RigSchema.group)
      else { continue }
      if ModelRules.inventoryGroups.contains(groupName.value) {
        lowering.diagnostics.emit(
          RuleMessage.invalidValue("'\(groupName.value)' is a group every inventory has"), at: key.range,
          help: ["write what every host shares at the top level, or choose another name"])
        continue
      }
      var members: [Located<String>] = []
      let count = fields["count"].flatMap { lowering.integer($0, Limits.groupCount) }
      let names = fields["names"].flatMap { lowering.list($0) }
      if let countValue = fields["count"], fields["names"] != nil {
        lowering.diagnostics.emit(
          RuleMessage.conflictingKeys("'count' and 'names' both declare the members of group '\(groupName.value)'"),
          at: countValue.keyRange, help: ["keep one of them"])
      } else if let count {
        let prefix = groupName.value.replacingOccurrences(of: "_", with: "-")
        for index in 1...count.value {
          let member = "\(prefix)-\(index)"
          guard member.utf8.count <= 63 else {
            lowering.diagnostics.emit(
              RuleMessage.invalidValue("member '\(member)' of group '\(groupName.value)' is longer than 63 characters"),
              at: key.range, help: ["choose a shorter group name, or name the members with 'names:'"])
            break
          }
          members.append(Located(member, at: count.range))
        }
      } else if let names {
        members = names.compactMap { lowering.patterned($0, "dnsLabel", example: "ws-1") }
      }
      let sections = machineSections(fields)
      if !members.isEmpty, sections.hardware == nil, shared.hardware == nil {
        lowering.missing(
          RigSchema.group.property("hardware") ?? SchemaProperty("hardware", .string, ""), in: value)
      }
      groups.append(GroupEntry(name: groupName, sections: sections, members: members))
    }
    let groupIndex = Dictionary(groups.enumerated().map { ($1.name.value, $0) }, uniquingKeysWith: { a, _ in a })
    // The group that declares each member (the first, where two declare one name: the second is refused below).
    var declaredBy: [String: String] = [:]
    for group in groups {
      for member in group.members where declaredBy[member.value] == nil { declaredBy[member.value] = group.name.value }
    }

    var hosts: [FleetHost] = []
    var seen: [String: SourceRange?] = [:]
    /// One host: its levels merged into a whole description, or nil (with an error) when it has no hardware.
    func host(
      _ hostName: Located<String>, address: Located<String>?, groups memberOf: [Located<String>],
      own: MachineSections?, at range: SourceRange?, lowering: inout Lowering
    ) -> FleetHost? {
      var levels = [shared]
      levels += memberOf.compactMap { groupIndex[$0.value].map { groups[$0].sections } }
      if let own { levels.append(own) }
      guard let hardware = levels.reversed().lazy.compactMap(\.hardware).first else {
        // A declaring group without hardware is reported once, at the group.
        guard own != nil else { return nil }
        lowering.diagnostics.emit(
          RuleMessage.missingKey(key: "hardware", context: "in host '\(hostName.value)'"), at: range,
          help: ["add 'hardware:' to the host, to one of its groups, or at the top level for every host"])
        return nil
      }
      var components: [Component] = []
      var index: [String: Int] = [:]
      for component in levels.flatMap(\.components) {
        if let at = index[component.name.value] {
          components[at] = component
        } else {
          index[component.name.value] = components.count
          components.append(component)
        }
      }
      var hostTargets = targets
      if let ansible = targets.ansible {
        hostTargets.ansible = .init(host: Located(hostName.value, at: ansible.host.range))
      }
      let spec = RigSpec(
        apiVersion: apiVersion, name: name, hardware: hardware,
        sources: levels.reversed().first { !$0.sources.isEmpty }?.sources ?? [],
        stack: levels.flatMap(\.stack), components: components,
        policies: levels.dropFirst().reduce(shared.policies) { $0.overridden(by: $1.policies) },
        targets: hostTargets)
      return FleetHost(name: hostName, address: address, groups: memberOf, spec: spec)
    }
    func isNew(_ hostName: Located<String>, lowering: inout Lowering) -> Bool {
      lowering.isFirst(
        hostName, in: &seen, named: "host '\(hostName.value)'", verb: "declared",
        help: ["give each machine its own name"])
    }

    // The hosts as written under `hosts:`: a name a group declares gets what its entry adds (its address, more
    // groups, its own sections).
    struct Entry {
      var name: Located<String>
      var address: Located<String>?
      var groups: [Located<String>]
      var own: MachineSections
      var range: SourceRange?
    }
    var entries: [Entry] = []
    for (key, value) in hostsValue.flatMap({ lowering.map($0) }) ?? [] {
      guard let hostName = lowering.patterned(key: key, "dnsLabel", example: "ws-1"),
        let fields = lowering.object(value, RigSchema.host)
      else { continue }
      let address = fields["address"].flatMap { lowering.patterned($0, "hostAddress", example: "10.0.0.11") }
      var memberOf: [Located<String>] = []
      var listed: [String: SourceRange?] = [:]
      for item in fields["groups"].flatMap({ lowering.list($0) }) ?? [] {
        guard let group = lowering.patterned(item, "groupName", example: "workstations"),
          lowering.isFirst(group, in: &listed, named: "group '\(group.value)'")
        else { continue }
        guard let at = groupIndex[group.value] else {
          lowering.diagnostics.emit(
            RuleMessage.invalidValue(
              "host '\(hostName.value)' is in group '\(group.value)', which 'groups' does not declare"),
            at: group.range,
            help: [Suggestion.didYouMean(group.value, among: groups.map(\.name.value)) ?? "declare it under 'groups:'"])
          continue
        }
        if group.value == declaredBy[hostName.value] { continue }
        if !groups[at].members.isEmpty {
          lowering.diagnostics.emit(
            RuleMessage.invalidValue(
              "group '\(group.value)' declares its members with 'count' or 'names'; a host cannot join it"),
            at: group.range, help: ["list the host under the group's 'names'"])
          continue
        }
        memberOf.append(group)
      }
      entries.append(
        Entry(name: hostName, address: address, groups: memberOf, own: machineSections(fields), range: key.range))
    }
    var described: [String: Int] = [:]
    for (index, entry) in entries.enumerated() where described[entry.name.value] == nil {
      described[entry.name.value] = index
    }
    var taken: Set<Int> = []
    for group in groups {
      for member in group.members where isNew(member, lowering: &lowering) {
        let entry = described[member.value].map { entries[$0] }
        if let at = described[member.value] { taken.insert(at) }
        if let made = host(
          member, address: entry?.address, groups: [group.name] + (entry?.groups ?? []), own: entry?.own,
          at: entry?.range ?? member.range, lowering: &lowering)
        {
          hosts.append(made)
        }
      }
    }
    for (index, entry) in entries.enumerated() where !taken.contains(index) {
      guard isNew(entry.name, lowering: &lowering) else { continue }
      if let made = host(
        entry.name, address: entry.address, groups: entry.groups, own: entry.own, at: entry.range,
        lowering: &lowering)
      {
        hosts.append(made)
      }
    }
    if hosts.count > Limits.fleetHosts.upperBound {
      lowering.diagnostics.emit(
        RuleMessage.invalidValue(
          "the fleet has \(hosts.count) hosts; rig compiles at most \(Limits.fleetHosts.upperBound)"),
        at: (hostsValue ?? groupsValue)?.keyRange, help: ["split the fleet into several projects"])
    }
    if hosts.isEmpty, !lowering.diagnostics.hasErrors {
      lowering.diagnostics.emit(
        RuleMessage.invalidValue("the fleet has no hosts"), at: (hostsValue ?? groupsValue)?.keyRange,
        help: ["describe each machine under 'hosts:', or identical ones under a group with 'count'"])
    }

    var controlPlane: Located<String>?
    if let clusterValue, let fields = lowering.object(clusterValue, RigSchema.cluster),
      let chosen = fields["control_plane"].flatMap({ lowering.patterned($0, "dnsLabel", example: "server") })
    {
      if seen[chosen.value] == nil {
        lowering.diagnostics.emit(
          RuleMessage.invalidValue("the control plane '\(chosen.value)' is not a host of the fleet"), at: chosen.range,
          help: [
            Suggestion.didYouMean(chosen.value, among: hosts.map(\.name.value))
              ?? "name one of the hosts under 'hosts:'"
          ])
      } else {
        controlPlane = chosen
      }
      if targets.kubernetes == nil {
        lowering.diagnostics.emit(
          RuleMessage.invalidValue("'cluster' needs the Kubernetes target"), at: clusterValue.keyRange,
          help: ["add 'kubernetes: { version: \"1.30\", namespace: ai }' under 'targets:', or remove 'cluster'"])
      }
    } else if clusterValue == nil, targets.kubernetes != nil {
      lowering.diagnostics.emit(
        RuleMessage.missingKey(key: "cluster", context: "at the top level"),
        at: targetsValue?.keyRange,
        help: ["a fleet with the Kubernetes target forms one cluster: add 'cluster: { control_plane: HOST }'"])
    }
    return Fleet(name: name, hosts: hosts, controlPlane: controlPlane)
  }

  /// The machine sections a group or a host writes.
  mutating func machineSections(_ fields: Fields) -> MachineSections {
    MachineSections(
      hardware: fields["hardware"].flatMap { lowering.hardware($0) },
      sources: fields["sources"].map { lowering.sources([$0]) } ?? [],
      stack: fields["stack"].map { lowering.stack([$0]) } ?? [],
      components: fields["components"].map { components([$0]) } ?? [],
      policies: fields["policies"].flatMap { lowering.policies($0) } ?? Policies())
  }
}
