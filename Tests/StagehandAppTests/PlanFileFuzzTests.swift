import Foundation
import SecretsClient
import StagehandTestSupport
import StagingModel
import Testing

@testable import StagehandApp

/// Plan files as `--out` writes them, from random change sets (random secrets with
/// AWSCURRENT, AWSPREVIOUS, AWSPENDING and custom labels, random intents planned with
/// `ChangeSet.plan`), then damaged 20,000 ways over 40 seeds: in the plan's own terms (steps
/// that don't lead Before to After, labels on two versions, duplicate secrets, Summary
/// mismatches, odd version ids, labels and names), in JSON's (types changed, keys removed,
/// duplicated, unknown or renamed, values swapped, huge numbers, deep nesting, very long
/// strings, control characters, escapes and non-UTF-8 bytes, FormatVersion 0, 2, "1", true…)
/// and as bytes (cut short, flipped, inserted, deleted, re-encoded, empty). `PlanFile.decode`
/// either refuses with a one-line message that names the file and the problem, or returns a
/// file that is valid through and through: written again it reads back the same, and every
/// plan's Steps lead from its Before to its After. Never a crash, never another error.
///
/// A file judged wrong is saved in the temporary folder and named in the issue with the
/// damage done to it (the seed replays it). With STAGEHAND_FUZZ_STATS=FOLDER, each seed writes
/// its counts and every distinct refusal to FOLDER/seed-N.txt.
@Suite(.ownThreads)
struct PlanFileFuzzTests {
  static let seeds = 40
  static let filesPerSeed = 500
  /// Mutated files made from one valid file, so most of a file's cost is the reading checked.
  static let filesPerBase = 10

  // MARK: Valid plan files

  static let customLabels = [
    "release-1", "release-2026.11", "blue", "green", "canary", "v2", "名前", "é", "two words",
    String(repeating: "L", count: 256),
  ]
  static let standardLabels = [StandardLabel.current, StandardLabel.previous, StandardLabel.pending]
  /// Labels no plan may hold (empty, too long, white space at an end, controls, invisible).
  static let badLabels = [
    "", " lead", "trail ", "lab\u{1B}[31mel", "tab\tbed", "z\u{200B}w", "line\nbreak", "AWSCURRENT\u{0}", "\u{7F}",
    "\u{202E}rtl", String(repeating: "x", count: 257),
  ]
  /// Version ids no plan may name (not AWS's shape: controls, escapes, spaces, too long, empty).
  static let badVersionIDs = [
    "", "a b", "\u{1B}[2J", "id\n2", "../../etc/passwd", "名前", String(repeating: "a", count: 65), "x;rm", "\u{0}",
    "\"quoted\"",
  ]
  static let commands = [
    "promote --filter prod/", "rollback --filter 'team label:blue'", "remove release-1 --filter staging/",
    "promote --filter \u{1B}]0;title\u{7}", "rollback --filter x\ny",
  ]

  static func versionID(_ rng: inout SplitMix64) -> VersionID {
    switch Int.random(in: 0..<6, using: &rng) {
    case 0: return String((0..<32).map { _ in "0123456789abcdef".randomElement(using: &rng)! })
    case 1:
      let alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
      return String((0..<Int.random(in: 1...64, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    default: return ListOutputTests.uuid(&rng)
    }
  }

  static func name(_ rng: inout SplitMix64, index: Int) -> String {
    let base =
      Int.random(in: 0..<4, using: &rng) == 0
      ? ListOutputTests.text(&rng, pieces: Int.random(in: 1...6, using: &rng))
      : "prod/team-\(Int.random(in: 0..<100, using: &rng))/db"
    return base + "#\(index)"
  }

  /// A secret whose labels are each on one version, as AWS keeps them; now and then managed,
  /// scheduled for deletion or a replica (skipped by the planner).
  static func secret(_ rng: inout SplitMix64, index: Int) -> Secret {
    var ids: [VersionID] = []
    while ids.count < Int.random(in: 1...5, using: &rng) {
      let id = versionID(&rng)
      if !ids.contains(id) { ids.append(id) }
    }
    var labels = [Set<String>](repeating: [], count: ids.count)
    if Int.random(in: 0..<8, using: &rng) != 0 {
      labels[Int.random(in: 0..<ids.count, using: &rng)].insert("AWSCURRENT")
    }
    if ids.count > 1 && Bool.random(using: &rng) {
      labels[Int.random(in: 0..<ids.count, using: &rng)].insert("AWSPREVIOUS")
    }
    if Bool.random(using: &rng) { labels[Int.random(in: 0..<ids.count, using: &rng)].insert("AWSPENDING") }
    for label in customLabels.shuffled(using: &rng).prefix(Int.random(in: 0...3, using: &rng)) {
      labels[Int.random(in: 0..<ids.count, using: &rng)].insert(label)
    }
    let name = name(&rng, index: index)
    let arn =
      Int.random(in: 0..<4, using: &rng) == 0
      ? nil
      : "arn:aws:secretsmanager:\(["us-east-1", "eu-west-1"].randomElement(using: &rng)!):123456789012:secret:"
        + "\(name)-AbC\(index)"
    let odd = Int.random(in: 0..<12, using: &rng)
    return Secret(
      name: name, arn: arn, owningService: odd == 0 ? "rds" : nil,
      deletedDate: odd == 1 ? Date(timeIntervalSince1970: 1_800_000_000) : nil,
      primaryRegion: odd == 2 ? "us-west-2" : nil,
      versions: zip(ids, labels).map { SecretVersion(versionId: $0, labels: $1) })
  }

  static func intent(for secret: Secret, _ rng: inout SplitMix64) -> MoveIntent {
    let ids = secret.versions.map(\.versionId)
    let held = Array(secret.labelMap.allLabels).sorted()
    switch Int.random(in: 0..<7, using: &rng) {
    case 0: return .promotePending(keepPending: Bool.random(using: &rng))
    case 1: return .rollback
    case 2: return .makeCurrent(ids.randomElement(using: &rng)!)
    case 3:
      let label = (held + customLabels).randomElement(using: &rng)!
      return .move(label: label, to: ids.randomElement(using: &rng)!)
    case 4: return .remove(label: (held.isEmpty ? customLabels : held).randomElement(using: &rng)!)
    case 5: return .add(label: customLabels.randomElement(using: &rng)!, to: ids.randomElement(using: &rng)!)
    default: return .promotePending(keepPending: false)
    }
  }

  /// A plan file with at least one plan, as `--out` writes it, and its bytes.
  static func validFile(_ rng: inout SplitMix64) throws -> (file: PlanFile, bytes: [UInt8]) {
    while true {
      let secrets = (0..<Int.random(in: 1...3, using: &rng)).map { secret(&rng, index: $0) }
      var intents: [MoveIntent] = []
      for secret in secrets { intents.append(intent(for: secret, &rng)) }
      var next = 0
      let set = ChangeSet.plan(secrets) { _ in
        defer { next += 1 }
        return intents[next]
      }
      guard !set.plans.isEmpty else { continue }
      let location = [
        BackendLocation(store: "/tmp/plans/store.json"), BackendLocation(profile: "prod", region: "eu-west-1"),
        BackendLocation(region: "us-east-1", endpoint: "http://127.0.0.1:4566"),
      ].randomElement(using: &rng)!
      let readAt = Date(timeIntervalSince1970: Double(Int.random(in: 1_600_000_000...1_900_000_000, using: &rng)))
      let file = PlanFile(
        set, command: commands.randomElement(using: &rng)!, location: location, readAt: readAt)
      return (file, try JSONOutput.bytes(file))
    }
  }

  // MARK: Mutations in the plan's own terms

  static func fixSummary(_ file: inout PlanFile) {
    file.summary = PlanFile.Summary(
      secrets: file.plans.count, calls: file.plans.reduce(0) { $0 + $1.steps.count }, skipped: file.skipped.count)
  }

  static func anyVersion(_ entry: PlanFile.Entry, _ rng: inout SplitMix64) -> VersionID {
    let ids = entry.before.versionIDs + entry.after.versionIDs
    return ids.isEmpty ? versionID(&rng) : ids.randomElement(using: &rng)!
  }

  static func anyLabel(_ rng: inout SplitMix64) -> String {
    switch Int.random(in: 0..<4, using: &rng) {
    case 0: return badLabels.randomElement(using: &rng)!
    case 1: return customLabels.randomElement(using: &rng)!
    default: return standardLabels.randomElement(using: &rng)!
    }
  }

  static func oddText(_ rng: inout SplitMix64) -> String {
    switch Int.random(in: 0..<4, using: &rng) {
    case 0: return ""
    case 1: return String(repeating: "n\u{1B}[1m", count: Int.random(in: 100...1_000, using: &rng))
    default: return ListOutputTests.text(&rng, pieces: Int.random(in: 1...8, using: &rng))
    }
  }

  /// Renames `old` to `new` in one plan's Before, After and Steps alike.
  static func rename(_ old: VersionID, to new: VersionID, in entry: inout PlanFile.Entry) {
    func renamed(_ map: LabelMap) -> LabelMap {
      var stages: [VersionID: Set<String>] = [:]
      for id in map.versionIDs { stages[id == old ? new : id, default: []].formUnion(map.labels(on: id)) }
      return LabelMap(stages)
    }
    entry.before = renamed(entry.before)
    entry.after = renamed(entry.after)
    for index in entry.steps.indices {
      if entry.steps[index].moveToVersionId == old { entry.steps[index].moveToVersionId = new }
      if entry.steps[index].removeFromVersionId == old { entry.steps[index].removeFromVersionId = new }
    }
  }

  /// One change to the file's content; its description.
  static func mutatePlan(_ file: inout PlanFile, _ rng: inout SplitMix64) -> String {
    let index = Int.random(in: 0..<max(1, file.plans.count), using: &rng)
    let hasPlan = index < file.plans.count
    switch Int.random(in: 0..<14, using: &rng) {
    case 0 where hasPlan:
      // The calls: one dropped, repeated, reordered, relabelled, retargeted, or none.
      var steps = file.plans[index].steps
      let step = Int.random(in: 0..<max(1, steps.count), using: &rng)
      switch Int.random(in: 0..<7, using: &rng) {
      case 0 where !steps.isEmpty: steps.remove(at: step)
      case 1 where !steps.isEmpty: steps.insert(steps[step], at: Int.random(in: 0...steps.count, using: &rng))
      case 2: steps.reverse()
      case 3 where !steps.isEmpty: steps[step].versionStage = anyLabel(&rng)
      case 4 where !steps.isEmpty:
        steps[step].moveToVersionId = Bool.random(using: &rng) ? nil : anyVersion(file.plans[index], &rng)
      case 5 where !steps.isEmpty:
        steps[step].removeFromVersionId = Bool.random(using: &rng) ? nil : anyVersion(file.plans[index], &rng)
      default: steps = []
      }
      file.plans[index].steps = steps
      return "steps of plan \(index)"
    case 1 where hasPlan:
      // A detour: a label held in Before moved to a version the file names nowhere else, and
      // back; Before still leads to After.
      let entry = file.plans[index]
      let held = entry.before.versionIDs.flatMap { id in entry.before.labels(on: id).sorted().map { (id, $0) } }
      guard let (holder, label) = held.randomElement(using: &rng) else { return "no detour" }
      let via = Bool.random(using: &rng) ? ListOutputTests.uuid(&rng) : badVersionIDs.randomElement(using: &rng)!
      file.plans[index].steps.insert(
        contentsOf: [
          StageStep(versionStage: label, removeFromVersionId: holder, moveToVersionId: via),
          StageStep(versionStage: label, removeFromVersionId: via, moveToVersionId: holder),
        ], at: 0)
      return "detour of \(label.debugDescription) through \(via.debugDescription)"
    case 2 where hasPlan:
      // Before or After: a label moved, added, removed, put on two versions, a bare version.
      let after = Bool.random(using: &rng)
      var map = after ? file.plans[index].after : file.plans[index].before
      let id = anyVersion(file.plans[index], &rng)
      let label = Array(map.allLabels).randomElement(using: &rng) ?? anyLabel(&rng)
      switch Int.random(in: 0..<5, using: &rng) {
      case 0:
        map.removeEverywhere(label)
        map.add(label, to: id)
      case 1: map.add(anyLabel(&rng), to: id)
      case 2: map.removeEverywhere(label)
      case 3: map.insertVersion(versionID(&rng))
      default: map.add(label, to: versionID(&rng))
      }
      if after { file.plans[index].after = map } else { file.plans[index].before = map }
      return "\(after ? "After" : "Before") of plan \(index)"
    case 3 where hasPlan:
      // A version renamed throughout the plan: still valid if the new id is one.
      let old = anyVersion(file.plans[index], &rng)
      let new = Bool.random(using: &rng) ? versionID(&rng) : badVersionIDs.randomElement(using: &rng)!
      rename(old, to: new, in: &file.plans[index])
      return "version renamed to \(new.debugDescription)"
    case 4 where hasPlan:
      // The same secret twice.
      var copy = file.plans[index]
      if Int.random(in: 0..<3, using: &rng) == 0 { copy.intent = "again" }
      file.plans.insert(copy, at: Int.random(in: 0...file.plans.count, using: &rng))
      return "plan \(index) twice"
    case 5:
      switch Int.random(in: 0..<4, using: &rng) {
      case 0: file.summary.secrets &+= [-1, 1, 1_000_000].randomElement(using: &rng)!
      case 1: file.summary.calls &+= [-1, 1, -1_000_000].randomElement(using: &rng)!
      case 2: file.summary.skipped &+= [-1, 1].randomElement(using: &rng)!
      default: file.summary = PlanFile.Summary(secrets: .max, calls: .min, skipped: 0)
      }
      return "Summary"
    case 6 where hasPlan:
      if Bool.random(using: &rng) { file.plans[index].applied = true } else { file.plans[index].dryRun = false }
      return "Applied or DryRun"
    case 7 where hasPlan:
      file.plans[index].arn =
        [
          nil, "", "arn:aws:s3:::bucket", "arn:aws:secretsmanager::1:secret:x", "arn:aws:secretsmanager:r:a:secret:ok",
          oddText(&rng), file.plans.randomElement(using: &rng)!.arn,
        ].randomElement(using: &rng)!
      return "ARN of plan \(index)"
    case 8 where hasPlan:
      file.plans[index].name = oddText(&rng)
      return "Name of plan \(index)"
    case 9:
      switch Int.random(in: 0..<3, using: &rng) {
      case 0: file.plans = []
      case 1 where hasPlan: file.plans.remove(at: index)
      default:
        file.skipped.append(PlanFile.SkippedEntry(name: oddText(&rng), arn: nil, refused: oddText(&rng)))
      }
      return "plans or skipped"
    case 10:
      file.formatVersion = [0, 2, -1, .max, .min].randomElement(using: &rng)!
      return "FormatVersion \(file.formatVersion)"
    case 11 where hasPlan:
      // Long or odd words where any text goes.
      switch Int.random(in: 0..<3, using: &rng) {
      case 0: file.command = oddText(&rng)
      case 1: file.plans[index].intent = oddText(&rng)
      default: file.plans[index].notes.append(oddText(&rng))
      }
      return "free text"
    case 12 where hasPlan:
      let seconds = [-1e12, -62_135_596_800, -12_219_292_800, -30_000_000_000, 0, 253_402_300_799, 1e13]
      file.plans[index].readAt = Date(timeIntervalSince1970: seconds.randomElement(using: &rng)!)
      return "ReadAt \(file.plans[index].readAt.timeIntervalSince1970)"
    default:
      // A label or a version id of a step, Before or After that is not one.
      guard hasPlan else { return "nothing" }
      if Bool.random(using: &rng), !file.plans[index].steps.isEmpty {
        file.plans[index].steps[0].versionStage = badLabels.randomElement(using: &rng)!
      } else {
        rename(
          anyVersion(file.plans[index], &rng), to: badVersionIDs.randomElement(using: &rng)!, in: &file.plans[index])
      }
      return "bad label or version id"
    }
  }

  // MARK: Mutations in JSON's terms

  /// A JSON value as written, with room for what JSONSerialization would never write: raw
  /// bytes (non-UTF-8, unescaped controls, huge numbers, deep nesting) and duplicate keys.
  indirect enum JSON {
    case null, bool(Bool), number(String), string(String), raw([UInt8]), array([JSON])
    case object([(key: String, value: JSON)])

    func write(to out: inout [UInt8]) {
      switch self {
      case .null: out += Array("null".utf8)
      case .bool(let value): out += Array((value ? "true" : "false").utf8)
      case .number(let text): out += Array(text.utf8)
      case .string(let text): Self.quote(text, to: &out)
      case .raw(let bytes): out += bytes
      case .array(let elements):
        out.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
          if index > 0 { out.append(UInt8(ascii: ",")) }
          element.write(to: &out)
        }
        out.append(UInt8(ascii: "]"))
      case .object(let members):
        out.append(UInt8(ascii: "{"))
        for (index, member) in members.enumerated() {
          if index > 0 { out.append(UInt8(ascii: ",")) }
          Self.quote(member.key, to: &out)
          out.append(UInt8(ascii: ":"))
          member.value.write(to: &out)
        }
        out.append(UInt8(ascii: "}"))
      }
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// What a JSON string can't hold as it is: quote, backslash, C0 controls (NUL apart).
    static let special = "\"\\" + String(decoding: (1..<0x20).map { UInt8($0) }, as: UTF8.self)

    static func quote(_ text: String, to out: inout [UInt8]) {
      // The scans run in libc and Foundation, built optimized: most strings need no escape,
      // and a long one that does goes through Foundation's writer as ["…"].
      let plain = text.withCString { strlen($0) == text.utf8.count && strpbrk($0, special) == nil }
      if plain {
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: text.utf8)
        out.append(UInt8(ascii: "\""))
        return
      }
      if text.utf8.count > 200, let data = try? JSONSerialization.data(withJSONObject: [text]) {
        out.append(contentsOf: data.dropFirst().dropLast())
        return
      }
      out.append(UInt8(ascii: "\""))
      for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
        case 0..<0x20: out += Array("\\u00".utf8) + [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
        default: out.append(byte)
        }
      }
      out.append(UInt8(ascii: "\""))
    }

    var bytes: [UInt8] {
      var out: [UInt8] = []
      write(to: &out)
      return out
    }

    enum Step: Equatable, CustomStringConvertible {
      case member(Int), element(Int)

      /// ".3" for an object's fourth member, "[3]" for an array's fourth element.
      var description: String {
        switch self {
        case .member(let index): ".\(index)"
        case .element(let index): "[\(index)]"
        }
      }
    }

    /// The path of every value in the tree, the root first.
    enum Kind { case object, string, other }

    /// An object with members, a string, or anything else.
    var kind: Kind {
      switch self {
      case .object(let members) where !members.isEmpty: .object
      case .string: .string
      default: .other
      }
    }

    /// How many values of `kind` (nil: of any kind) the tree holds, itself included.
    func count(_ kind: Kind?) -> Int {
      var count = kind == nil || kind == self.kind ? 1 : 0
      switch self {
      case .array(let elements): for element in elements { count += element.count(kind) }
      case .object(let members): for member in members { count += member.value.count(kind) }
      default: break
      }
      return count
    }

    /// The path of the value of `kind` that comes `index` values of that kind after this one.
    func path(_ index: inout Int, _ kind: Kind?) -> [Step]? {
      if kind == nil || kind == self.kind {
        if index == 0 { return [] }
        index -= 1
      }
      switch self {
      case .array(let elements):
        for (offset, element) in elements.enumerated() {
          if let path = element.path(&index, kind) { return [.element(offset)] + path }
        }
      case .object(let members):
        for (offset, member) in members.enumerated() {
          if let path = member.value.path(&index, kind) { return [.member(offset)] + path }
        }
      default: break
      }
      return nil
    }

    /// The path of a value of `kind` picked at random, nil when there is none.
    func randomPath(_ kind: Kind?, _ rng: inout SplitMix64) -> ArraySlice<Step>? {
      let count = count(kind)
      guard count > 0 else { return nil }
      var index = Int.random(in: 0..<count, using: &rng)
      return path(&index, kind)?[...]
    }

    subscript(path: ArraySlice<Step>) -> JSON {
      get {
        guard let first = path.first else { return self }
        switch (self, first) {
        case (.array(let elements), .element(let index)): return elements[index][path.dropFirst()]
        case (.object(let members), .member(let index)): return members[index].value[path.dropFirst()]
        default: return self
        }
      }
      set {
        guard let first = path.first else {
          self = newValue
          return
        }
        switch (self, first) {
        case (.array(var elements), .element(let index)):
          self = .null
          elements[index][path.dropFirst()] = newValue
          self = .array(elements)
        case (.object(var members), .member(let index)):
          self = .null
          members[index].value[path.dropFirst()] = newValue
          self = .object(members)
        default: break
        }
      }
    }
  }

  /// `file` as a JSON tree, members as `--out` names them (absent optionals left out).
  static func tree(_ file: PlanFile) -> JSON {
    func text(_ value: String?) -> JSON? { value.map(JSON.string) }
    func object(_ members: [(String, JSON?)]) -> JSON {
      .object(members.compactMap { key, value in value.map { (key, $0) } })
    }
    func map(_ labels: LabelMap) -> JSON {
      .object(labels.versionIDs.map { ($0, .array(labels.labels(on: $0).sorted().map(JSON.string))) })
    }
    let plans = file.plans.map { entry in
      object([
        ("Name", .string(entry.name)), ("Intent", text(entry.intent)), ("ARN", text(entry.arn)),
        ("Region", text(entry.region)), ("Account", text(entry.account)), ("Profile", text(entry.profile)),
        ("Endpoint", text(entry.endpoint)), ("Store", text(entry.store)),
        ("ReadAt", .string(ISO8601Text.string(entry.readAt))),
        (
          "Steps",
          .array(
            entry.steps.map {
              object([
                ("VersionStage", .string($0.versionStage)), ("RemoveFromVersionId", text($0.removeFromVersionId)),
                ("MoveToVersionId", text($0.moveToVersionId)),
              ])
            })
        ),
        ("Before", map(entry.before)), ("After", map(entry.after)), ("Notes", .array(entry.notes.map(JSON.string))),
        ("Applied", .bool(entry.applied)), ("DryRun", .bool(entry.dryRun)),
      ])
    }
    let skipped = file.skipped.map {
      object([("Name", .string($0.name)), ("ARN", text($0.arn)), ("Refused", .string($0.refused))])
    }
    return object([
      ("FormatVersion", .number(String(file.formatVersion))), ("Command", .string(file.command)),
      ("Plans", .array(plans)), ("Skipped", .array(skipped)),
      (
        "Summary",
        object([
          ("Secrets", .number(String(file.summary.secrets))), ("Calls", .number(String(file.summary.calls))),
          ("Skipped", .number(String(file.summary.skipped))),
        ])
      ),
    ])
  }

  /// Numbers no plan holds: too large for any integer, fractions, exponents, negative zero.
  static let oddNumbers = [
    "1e400", "-1e400", "123456789012345678901234567890", "9223372036854775808", "-9223372036854775809", "1.5", "1.0",
    "-0", "1e2", "0.0000001", "1E+2", "01", "+1", "0x10", "NaN", "Infinity", String(repeating: "9", count: 5_000),
  ]
  /// Strings as raw bytes between quotes: escapes of every kind, raw controls, bad UTF-8.
  static let oddStrings: [[UInt8]] = [
    Array("\\u001b[31mred\\u001b[0m".utf8), [0x1B, 0x5B, 0x32, 0x4A], [0x0A], Array("\\n\\r\\t".utf8),
    Array("\\ud800".utf8), Array("\\udc00\\ud800".utf8), Array("\\u0000".utf8), [0xFF, 0xFE], [0xC3],
    [0xC0, 0x80], [0xED, 0xA0, 0x80], Array("\\x41".utf8), Array("\\".utf8), [0x7F], [0xC2, 0x85],
    [0xE2, 0x80, 0xAE], Array("\\u202e\\u2028".utf8), Array("AWSCURRENT\\u0000".utf8), Array("\\uZZZZ".utf8),
    Array("\\/".utf8), [0x00],
  ]

  static func randomValue(_ rng: inout SplitMix64, replacing old: JSON) -> JSON {
    switch Int.random(in: 0..<8, using: &rng) {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &rng))
    case 2: return .number(["0", "1", "-1", "2", "42"].randomElement(using: &rng)!)
    case 3: return .string(["", "1", "true", "null", "AWSCURRENT", "{}"].randomElement(using: &rng)!)
    case 4: return .array(Bool.random(using: &rng) ? [] : [old])
    case 5: return .object(Bool.random(using: &rng) ? [] : [("Name", old)])
    case 6: return .raw(Array(oddNumbers.randomElement(using: &rng)!.utf8))
    default: return .raw([UInt8(ascii: "\"")] + oddStrings.randomElement(using: &rng)! + [UInt8(ascii: "\"")])
    }
  }

  static let keyVariants: [@Sendable (String) -> String] = [
    { $0.lowercased() }, { $0 + " " }, { " " + $0 }, { $0 + "\u{0}" }, { "\u{1B}" + $0 }, { String($0.dropLast()) },
    { $0.uppercased() }, { _ in "" }, { _ in "Plans" }, { _ in "Steps" },
  ]

  /// One change to the JSON tree; its description.
  static func mutateJSON(_ tree: inout JSON, _ rng: inout SplitMix64) -> String {
    let path = tree.randomPath(nil, &rng)!
    switch Int.random(in: 0..<12, using: &rng) {
    case 0:
      // Another type: string, number, bool, null, array, object (or a raw odd one).
      tree[path] = randomValue(&rng, replacing: tree[path])
      return "type changed at \(path)"
    case 1, 2:
      // A member removed, duplicated (as it was or with another value), unknown, renamed.
      guard let at = tree.randomPath(.object, &rng), case .object(var members) = tree[at] else {
        return "no object"
      }
      let index = Int.random(in: 0..<members.count, using: &rng)
      switch Int.random(in: 0..<4, using: &rng) {
      case 0: members.remove(at: index)
      case 1:
        let copy = (
          members[index].key,
          Bool.random(using: &rng) ? members[index].value : randomValue(&rng, replacing: members[index].value)
        )
        members.insert(copy, at: Int.random(in: 0...members.count, using: &rng))
      case 2:
        let key = ["Extra", "formatVersion", "Plans ", "Applied", "Ünknown", "\u{1B}"].randomElement(using: &rng)!
        members.insert((key, randomValue(&rng, replacing: .null)), at: Int.random(in: 0...members.count, using: &rng))
      default: members[index].key = keyVariants.randomElement(using: &rng)!(members[index].key)
      }
      tree[at] = .object(members)
      return "member changed at \(at)"
    case 3:
      // Two values swapped, their keys kept (one inside the other: the inner one replaces the outer).
      let other = tree.randomPath(nil, &rng)!
      let (a, b) = (tree[path], tree[other])
      if path.starts(with: other) {
        tree[other] = a
      } else if other.starts(with: path) {
        tree[path] = b
      } else {
        tree[path] = b
        tree[other] = a
      }
      return "swapped \(path) and \(other)"
    case 4:
      tree[path] = .raw(Array(oddNumbers.randomElement(using: &rng)!.utf8))
      return "odd number at \(path)"
    case 5:
      // FormatVersion as everything but 1.
      guard case .object(var members) = tree else { return "no root object" }
      let value: JSON = [
        .number("0"), .number("2"), .string("1"), .bool(true), .null, .number("1.0"), .number("1e0"), .number("-1"),
        .array([.number("1")]), .object([]), .raw(Array("99999999999999999999".utf8)), .string("one"), .number("1.5"),
      ].randomElement(using: &rng)!
      if let index = members.firstIndex(where: { $0.key == "FormatVersion" }) {
        members[index].value = value
      } else {
        members.append(("FormatVersion", value))
      }
      tree = .object(members)
      return "FormatVersion \(value)"
    case 6:
      // Deep nesting, as bytes (nothing here recurses over it).
      let depth = [3, 40, 600, 5_000, 100_000].randomElement(using: &rng)!
      let array = Bool.random(using: &rng)
      tree[path] = .raw(
        Array(String(repeating: array ? "[" : "{\"a\":", count: depth).utf8) + Array("1".utf8)
          + Array(repeating: array ? UInt8(ascii: "]") : UInt8(ascii: "}"), count: depth))
      return "nesting \(depth) deep at \(path)"
    case 7:
      guard let at = tree.randomPath(.string, &rng) else { return "no string" }
      tree[at] = .string(String(repeating: "long-", count: Int.random(in: 400...4_000, using: &rng)))
      return "long string at \(at)"
    case 8, 9:
      // Control characters, escapes and bad UTF-8 inside a string, most often a name, label
      // or version id.
      guard let at = tree.randomPath(.string, &rng), case .string(let text) = tree[at] else {
        return "no string"
      }
      var bytes = Array(JSON.string(text).bytes.dropFirst().dropLast())
      bytes.insert(contentsOf: oddStrings.randomElement(using: &rng)!, at: Int.random(in: 0...bytes.count, using: &rng))
      tree[at] = .raw([UInt8(ascii: "\"")] + bytes + [UInt8(ascii: "\"")])
      return "odd bytes in the string at \(at)"
    case 10:
      // A version id key of Before or After that is not one (keys are user data too).
      guard let at = tree.randomPath(.object, &rng), case .object(var members) = tree[at] else {
        return "no object"
      }
      let index = Int.random(in: 0..<members.count, using: &rng)
      members[index].key = (badVersionIDs + badLabels).randomElement(using: &rng)!
      tree[at] = .object(members)
      return "key replaced at \(at)"
    default:
      // The whole document somewhere else.
      tree =
        [.array([tree]), .object([("Plan", tree)]), .null, .string("plan"), .number("1"), .array([])]
        .randomElement(using: &rng)!
      return "document moved"
    }
  }

  // MARK: Mutations of the bytes

  static let interestingBytes: [UInt8] = [
    0x00, 0x0A, 0x0D, 0x1B, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x7F, 0x80, 0xC0, 0xFF, 0xEF, 0xBB, 0xBF,
    0x30, 0x31, 0x39, 0x2D, 0x2E, 0x65, 0x20, 0x09,
  ]

  static func mutateBytes(_ bytes: inout [UInt8], _ rng: inout SplitMix64) -> String {
    let count = bytes.count
    switch Int.random(in: 0..<9, using: &rng) {
    case 0, 1:
      let at = Int.random(in: 0..<max(1, count), using: &rng)
      bytes.removeSubrange(min(at, count)...)
      return "cut at \(at)"
    case 2:
      for _ in 0..<Int.random(in: 1...4, using: &rng) where !bytes.isEmpty {
        bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
      }
      return "bits flipped"
    case 3:
      let inserted = (0..<Int.random(in: 1...8, using: &rng)).map { _ in interestingBytes.randomElement(using: &rng)! }
      bytes.insert(contentsOf: inserted, at: Int.random(in: 0...count, using: &rng))
      return "bytes inserted"
    case 4:
      guard count > 0 else { return "nothing to delete" }
      let start = Int.random(in: 0..<count, using: &rng)
      bytes.removeSubrange(start..<min(count, start + Int.random(in: 1...64, using: &rng)))
      return "bytes deleted at \(start)"
    case 5:
      guard count > 0 else { return "nothing to copy" }
      let start = Int.random(in: 0..<count, using: &rng)
      let span = Array(bytes[start..<min(count, start + Int.random(in: 1...200, using: &rng))])
      bytes.insert(contentsOf: span, at: Int.random(in: 0...count, using: &rng))
      return "span copied from \(start)"
    case 6:
      let text = String(decoding: bytes, as: UTF8.self)
      switch Int.random(in: 0..<5, using: &rng) {
      case 0: bytes = [0xEF, 0xBB, 0xBF] + bytes
      case 1: bytes = text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
      case 2: bytes = [0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
      case 3: bytes += bytes
      default: bytes += Array("\n{\"FormatVersion\":1}".utf8)
      }
      return "re-encoded or doubled"
    case 7:
      bytes =
        [
          "", " \n\t", "null", "[]", "{}", "1", "\"plan\"", "{\"SecretList\": []}", "{\"FormatVersion\": 1}",
          "{\"FormatVersion\": 1, \"Plans\": []}", "\u{FEFF}", "{\"FormatVersion\": 1,}", "{\"FormatVersion\": 1",
        ].randomElement(using: &rng)!.utf8.map { $0 }
      return "another file"
    default:
      // Whitespace where JSON allows it, and where it doesn't.
      let ws: [UInt8] = [[0x20], [0x0A], [0x0D, 0x0A], [0x09], [0x0C], [0xC2, 0xA0]].randomElement(using: &rng)!
      bytes.insert(contentsOf: ws, at: Int.random(in: 0...count, using: &rng))
      return "white space inserted"
    }
  }

  // MARK: The verdict

  struct Tally {
    var accepted = 0
    var refused = 0
    var messages = Set<String>()
    var kinds = Set<String>()
  }

  static let prefixWords = " is not a plan Stagehand can apply: "

  /// A message's words without the file's own text (names, ids, numbers): what kind of
  /// refusal it is.
  static func kind(_ problem: String) -> String {
    problem.split(separator: " ").filter { word in
      let core = word.trimmingCharacters(in: CharacterSet(charactersIn: ".,;:()"))
      return !core.isEmpty
        && (core.allSatisfy { $0.isASCII && ($0.isLowercase || $0 == "'") }
          || (core.hasPrefix("\"") && core.hasSuffix("\"") && core.dropFirst().dropLast().allSatisfy(\.isLetter)))
    }.joined(separator: " ")
  }

  /// What is wrong with `message` as the refusal of a file called `name`.
  static func messageProblems(_ error: CLIError, name: String) -> [String] {
    var problems: [String] = []
    if error.exitCode != 2 { problems.append("exit code \(error.exitCode)") }
    let message = error.message
    guard message.hasPrefix(name + prefixWords) else {
      return problems + ["does not start with the file's name: \(message.prefix(200).debugDescription)"]
    }
    let problem = message.dropFirst(name.count + prefixWords.count)
    if problem.trimmingCharacters(in: .whitespaces).count < 10 { problems.append("says too little") }
    if !(problem.first?.isLetter ?? false) && !problem.hasPrefix("\"") { problems.append("has no subject") }
    if !problem.hasSuffix(".") && !problem.hasSuffix(")") { problems.append("is not a sentence") }
    if message.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) { problems.append("is not one line") }
    let printed = Output.safeLines(message)
    if printed.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
      problems.append("prints a control character")
    }
    if message.count > 1_000 { problems.append("is \(message.count) characters long") }
    return problems.map { "refusal \($0): \(message.prefix(300).debugDescription)" }
  }

  static func same(_ a: PlanFile, _ b: PlanFile) -> Bool {
    a.formatVersion == b.formatVersion && a.command == b.command && a.plans == b.plans && a.skipped == b.skipped
      && a.summary == b.summary
  }

  /// What is wrong with `file`, accepted as valid.
  static func validityProblems(_ file: PlanFile, name: String) -> [String] {
    var problems: [String] = []
    do {
      let again = try PlanFile.decode(Data(try JSONOutput.bytes(file)), name: name)
      if !same(file, again) { problems.append("written again, it reads back otherwise") }
    } catch let error as CLIError {
      problems.append("written again, it is refused: \(error.message.prefix(300).debugDescription)")
    } catch {
      problems.append("written again: \(error)")
    }
    if file.formatVersion != PlanFile.currentFormat { problems.append("format \(file.formatVersion)") }
    if file.plans.isEmpty { problems.append("no plans") }
    let calls = file.plans.reduce(0) { $0 + $1.steps.count }
    if file.summary != PlanFile.Summary(secrets: file.plans.count, calls: calls, skipped: file.skipped.count) {
      problems.append("Summary \(file.summary)")
    }
    for (index, entry) in file.plans.enumerated() {
      func fail(_ what: String) { problems.append("plan \(index): \(what)") }
      if entry.steps.isEmpty { fail("no steps") }
      if entry.applied || !entry.dryRun { fail("a report, not a plan") }
      let stepIDs = entry.steps.flatMap { [$0.removeFromVersionId, $0.moveToVersionId].compactMap { $0 } }
      if let id = (entry.before.versionIDs + entry.after.versionIDs + stepIDs).first(where: {
        !PlanFile.isPlausibleVersionID($0)
      }) {
        fail("version id \(id.prefix(80).debugDescription)")
      }
      if let label = entry.steps.map(\.versionStage).first(where: { StagingRules.validate(label: $0) != nil }) {
        fail("label \(label.prefix(80).debugDescription)")
      }
      var context = StagingContext(labels: entry.before)
      for id in stepIDs { context.labels.insertVersion(id) }
      do {
        let reached = try StagingRules.apply(entry.steps, to: context)
        if !reached.sameLabels(as: entry.after) { fail("its steps don't lead to its After") }
      } catch {
        fail("its steps can't be applied: \(error.message)")
      }
    }
    return problems
  }

  /// Decodes `bytes` and judges the outcome; the problems found, none when all is well.
  static func judge(_ bytes: [UInt8], name: String, tally: inout Tally) -> [String] {
    let file: PlanFile
    do {
      file = try PlanFile.decode(Data(bytes), name: name)
    } catch let error as CLIError {
      tally.refused += 1
      let problem = String(error.message.dropFirst(name.count + prefixWords.count))
      tally.messages.insert(problem)
      tally.kinds.insert(kind(problem))
      return messageProblems(error, name: name)
    } catch {
      return ["threw \(type(of: error)), not a CLIError: \(error)"]
    }
    tally.accepted += 1
    return validityProblems(file, name: name)
  }

  // MARK: Tests

  /// Every file `--out` writes reads back as it was written, byte for byte.
  @Test(arguments: 0..<8)
  func cleanFilesReadBack(seed: Int) throws {
    var rng = SplitMix64(seed: UInt64(seed) &* 0x5851_F42D &+ 901)
    for index in 0..<60 {
      let (file, bytes) = try Self.validFile(&rng)
      let name = "clean-\(seed)-\(index).json"
      let read = try PlanFile.decode(Data(bytes), name: name)
      #expect(Self.same(read, file), "seed \(seed) file \(index)")
      #expect(try JSONOutput.bytes(read) == bytes, "seed \(seed) file \(index)")
      // The compact form the damage starts from reads as the same file.
      #expect(
        try Self.same(PlanFile.decode(Data(Self.tree(file).bytes), name: name), file), "seed \(seed) file \(index)")
      var tally = Tally()
      #expect(Self.judge(bytes, name: name, tally: &tally) == [], "seed \(seed) file \(index)")
    }
  }

  /// 500 damaged files a seed: each refused clearly or valid through and through.
  @Test(arguments: 0..<seeds)
  func damagedFilesAreRefusedClearlyOrValid(seed: Int) throws {
    var rng = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9 &+ 77)
    var tally = Tally()
    var failures = 0
    for base in 0..<(Self.filesPerSeed / Self.filesPerBase) {
      let (file, bytes) = try Self.validFile(&rng)
      let tree = Self.tree(file)
      for variant in 0..<Self.filesPerBase {
        var done: [String] = []
        var mutated = bytes
        var changed = file
        var planned = false
        if Int.random(in: 0..<5, using: &rng) < 2 {
          for _ in 0..<Int.random(in: 1...2, using: &rng) { done.append(Self.mutatePlan(&changed, &rng)) }
          if Bool.random(using: &rng) { Self.fixSummary(&changed) }
          mutated = Self.tree(changed).bytes
          planned = true
        }
        if Int.random(in: 0..<2, using: &rng) == 0 || done.isEmpty {
          var json = planned ? Self.tree(changed) : tree
          for _ in 0..<Int.random(in: 1...2, using: &rng) { done.append(Self.mutateJSON(&json, &rng)) }
          mutated = json.bytes
        }
        if Int.random(in: 0..<3, using: &rng) == 0 { done.append(Self.mutateBytes(&mutated, &rng)) }
        let name = "plan-\(seed)-\(base * Self.filesPerBase + variant).json"
        let problems = Self.judge(mutated, name: name, tally: &tally)
        if !problems.isEmpty {
          failures += 1
          if failures <= 5 {
            let saved = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
            _ = FileManager.default.createFile(atPath: saved, contents: Data(mutated))
            Issue.record("seed \(seed) \(name) (\(done.joined(separator: "; "))), saved at \(saved): \(problems)")
          }
        }
      }
    }
    #expect(failures == 0, "seed \(seed): \(failures) files judged wrong")
    #expect(tally.accepted + tally.refused == Self.filesPerSeed)
    // The damage reaches both outcomes and many kinds of refusal.
    #expect(tally.accepted >= 10, "seed \(seed): \(tally.accepted) accepted")
    #expect(tally.refused >= Self.filesPerSeed / 2, "seed \(seed): \(tally.refused) refused")
    #expect(tally.kinds.count >= 15, "seed \(seed): \(tally.kinds.sorted())")
    if let folder = ProcessInfo.processInfo.environment["STAGEHAND_FUZZ_STATS"] {
      let text =
        "accepted \(tally.accepted) refused \(tally.refused)\n"
        + tally.messages.sorted().map { "message " + $0.debugDescription }.joined(separator: "\n") + "\n"
        + tally.kinds.sorted().map { "kind " + $0 }.joined(separator: "\n") + "\n"
      _ = FileManager.default.createFile(atPath: "\(folder)/seed-\(seed).txt", contents: Data(text.utf8))
    }
  }
}
