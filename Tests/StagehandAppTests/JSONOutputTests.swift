import Foundation
import SecretsClient
import StagehandTestSupport
import Testing

@testable import StagehandApp
@testable import StagingModel

/// Every `--json` document goes through `JSONOutput`. Held byte for byte to what was written
/// before: `list --json`'s fast path to its Codable document, the other documents (the
/// rotation commands' too) to the JSONSerialization code they replaced
/// (`JSONOutputReference`), and the encoder itself to JSONEncoder and JSONSerialization over
/// random trees, in both key orders.
@Suite(.ownThreads)
struct JSONOutputTests {
  /// nil when `written` is `expected`, else the first line where they part (a whole document
  /// of bytes says little).
  static func difference(_ written: [UInt8], _ expected: [UInt8]) -> String? {
    guard written != expected else { return nil }
    let lines = [written, expected].map {
      String(decoding: $0, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
    let common = min(lines[0].count, lines[1].count)
    let line = (0..<common).first { lines[0][$0] != lines[1][$0] } ?? common
    let shown = lines.map { line < $0.count ? $0[line].debugDescription : "(end)" }
    return "line \(line + 1): wrote \(shown[0]), expected \(shown[1])"
  }

  // MARK: list --json: the fast path and the Codable document

  /// Many random lists (the generator of `ListOutputTests`: names, ids, labels and tags with
  /// controls, quotes, bidi, combining and wide characters; optional members absent and
  /// present; dates across ISO8601Text's range), cut into pages, some secrets given a version
  /// id twice (as it was, or in the other Unicode normalization form), some made replicas or
  /// read from a Region (and a profile) of several.
  @Test(arguments: [81, 82, 83, 84, 85, 86] as [UInt64])
  func listFastPathIsTheCodableDocument(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed &* 31)
    var seen = (secrets: 0, tagged: 0, repeatedIDs: 0, noARN: 0, withDates: 0, controls: 0)
    var placed = (replicas: 0, regions: 0, profiles: 0)
    for (_, generated, _) in ListOutputTests.lists(seed: seed) {
      let pages = generated.map { $0.map { Self.placing(Self.repeatingAnID(in: $0, &rng), &rng) } }
      let codable = try JSONOutput.bytes(SecretListJSON.Document(pages: pages))
      #expect(Self.difference(SecretListJSON.document(pages: pages), codable) == nil, "seed \(seed)")
      for secret in pages.joined() {
        seen.secrets += 1
        if secret.tags.count > 1 { seen.tagged += 1 }
        let ids = secret.versions.filter { !$0.labels.isEmpty }.map(\.versionId)
        if Set(ids).count < ids.count { seen.repeatedIDs += 1 }
        if secret.arn == nil { seen.noARN += 1 }
        if secret.createdDate != nil && secret.lastRotatedDate != nil { seen.withDates += 1 }
        if secret.name.unicodeScalars.contains(where: { $0.value < 0x20 }) { seen.controls += 1 }
        if secret.primaryRegion != nil { placed.replicas += 1 }
        if secret.origin != nil { placed.regions += 1 }
        if secret.origin?.profile != nil { placed.profiles += 1 }
      }
    }
    // The generator reaches what the comparison is for.
    #expect(seen.secrets > 6_000 && seen.tagged > 1_000 && seen.repeatedIDs > 300, "\(seen)")
    #expect(seen.noARN > 2_000 && seen.withDates > 1_000 && seen.controls > 1_000, "\(seen)")
    #expect(placed.replicas > 1_000 && placed.regions > 1_500 && placed.profiles > 700, "\(placed)")
  }

  /// One secret in four a replica ("PrimaryRegion"), one in three read from a Region of
  /// several (`origin`: "Region"), half of those with a profile ("Profile"); Regions and
  /// profiles real or any text.
  static func placing(_ secret: Secret, _ rng: inout SplitMix64) -> Secret {
    func region(_ rng: inout SplitMix64) -> String {
      Bool.random(using: &rng)
        ? ["us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1"].randomElement(using: &rng)!
        : ListOutputTests.text(&rng, pieces: Int.random(in: 0...4, using: &rng))
    }
    var copy = secret
    if Int.random(in: 0..<4, using: &rng) == 0 { copy.primaryRegion = region(&rng) }
    if Int.random(in: 0..<3, using: &rng) == 0 {
      let profile =
        Bool.random(using: &rng) ? ListOutputTests.text(&rng, pieces: Int.random(in: 0...3, using: &rng)) : nil
      copy.origin = SecretOrigin(profile: profile, region: region(&rng))
    }
    return copy
  }

  /// One secret in four gets a labelled version whose id another version has already: the
  /// same bytes, or the same text in the other normalization form (equal as Strings).
  static func repeatingAnID(in secret: Secret, _ rng: inout SplitMix64) -> Secret {
    guard let version = secret.versions.randomElement(using: &rng), Int.random(in: 0..<4, using: &rng) == 0 else {
      return secret
    }
    var copy = secret
    let id =
      Bool.random(using: &rng)
      ? version.versionId
      : (version.versionId + "é").decomposedStringWithCanonicalMapping
    if id != version.versionId {
      copy.versions.append(SecretVersion(versionId: version.versionId + "é", labels: ["n"]))
    }
    copy.versions.append(SecretVersion(versionId: id, labels: ["AWSPENDING", "r"]))
    return copy
  }

  /// The two differ in a member name, an order or an escape: the comparison above can fail.
  @Test func listComparisonSeesADifference() throws {
    let secret = Secret(
      name: "a\u{1B}\"b", createdDate: Date(timeIntervalSince1970: 1e9), tags: ["B": "1", "a": "2"],
      versions: [SecretVersion(versionId: "98", labels: ["x"]), SecretVersion(versionId: "183", labels: ["y"])])
    let fast = SecretListJSON.document([secret])
    #expect(fast == (try JSONOutput.bytes(SecretListJSON.Document(pages: [[secret]]))))
    var renamed = SecretListJSON.Document(pages: [[secret]])
    renamed.secretList[0].name += " "
    #expect(fast != (try JSONOutput.bytes(renamed)))
    #expect(fast != (try JSONOutput.bytes(FoundationOrdered(SecretListJSON.Document(pages: [[secret]])))))
  }

  // MARK: versions, plans and refusals: the JSONSerialization code they replaced

  static func date(_ rng: inout SplitMix64) -> Date? {
    ListOutputTests.date(&rng)
  }

  /// A secret with dated versions (some without dates, some deprecated) and, often, rotation
  /// configured (a function, rules with any of their members, AWSPENDING sometimes stuck off
  /// AWSCURRENT: the labels are random).
  static func describedSecret(_ rng: inout SplitMix64) -> Secret {
    var secret = ListOutputTests.secret(&rng)
    for index in secret.versions.indices {
      secret.versions[index].createdDate = date(&rng)
      secret.versions[index].lastAccessedDate = date(&rng)
    }
    if Bool.random(using: &rng) {
      secret.rotationLambdaARN =
        Bool.random(using: &rng)
        ? "arn:aws:lambda:us-east-1:1:function:\(ListOutputTests.text(&rng, pieces: 2))" : ""
    }
    if Bool.random(using: &rng) {
      secret.rotationRules = RotationRules(
        automaticallyAfterDays: Bool.random(using: &rng) ? Int.random(in: -1...1000, using: &rng) : nil,
        scheduleExpression: Bool.random(using: &rng) ? "rate(\(ListOutputTests.text(&rng, pieces: 2)))" : nil,
        duration: Bool.random(using: &rng) ? ListOutputTests.text(&rng, pieces: 2) : nil)
    }
    return secret
  }

  static func labelMap(_ rng: inout SplitMix64) -> LabelMap {
    var stages: [VersionID: Set<String>] = [:]
    for _ in 0..<Int.random(in: 0...6, using: &rng) {
      stages[ListOutputTests.versionID(&rng)] = Set(
        (0..<Int.random(in: 0...4, using: &rng)).map { _ in ListOutputTests.labelPool.randomElement(using: &rng)! })
    }
    return LabelMap(stages)
  }

  static func plan(_ rng: inout SplitMix64) -> Plan {
    let ids = (0..<3).map { _ in ListOutputTests.versionID(&rng) }
    let steps = (0..<Int.random(in: 0...3, using: &rng)).map { _ in
      StageStep(
        versionStage: ListOutputTests.labelPool.randomElement(using: &rng)!,
        removeFromVersionId: Bool.random(using: &rng) ? ids.randomElement(using: &rng) : nil,
        moveToVersionId: Bool.random(using: &rng) ? ids.randomElement(using: &rng) : nil)
    }
    let notes: [PlanNote] = (0..<Int.random(in: 0...3, using: &rng)).map { _ in
      switch Int.random(in: 0..<6, using: &rng) {
      case 0: return .previousShift(from: ids[0], to: ids[1])
      case 1: return .previousShift(from: nil, to: ids[2])
      case 2: return .deprecated(ids[1])
      case 3: return .quota(used: Int.random(in: 0...20, using: &rng))
      case 4: return .pendingLeftBehind(ids[0])
      default: return .notAtomic(steps: 2)
      }
    }
    return Plan(
      secretName: ListOutputTests.name(&rng),
      secretARN: Bool.random(using: &rng) ? "arn:aws:secretsmanager:us-east-1:1:secret:\(ids[0])" : nil,
      intent: .rollback, steps: steps, before: labelMap(&rng), after: labelMap(&rng), notes: notes)
  }

  static func error(_ rng: inout SplitMix64) -> SecretsError {
    let words = ListOutputTests.text(&rng, pieces: Int.random(in: 0...6, using: &rng))
    switch Int.random(in: 0..<4, using: &rng) {
    case 0:
      return .service(code: ["ThrottlingException", "Odd\u{1B}Code", ""].randomElement(using: &rng)!, message: words)
    case 1: return .transport(words)
    case 2:
      return .store(path: "/tmp/" + words, problem: "could not be saved (\(words)).", hint: "The store is unchanged.")
    default: return .readOnly(operation: "UpdateSecretVersionStage")
    }
  }

  @Test(arguments: [91, 92, 93, 94] as [UInt64])
  func documentsAreWhatJSONSerializationWrote(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    var orderMatters = 0
    var rotation = (stuck: 0, rules: 0, function: 0)
    for round in 0..<1_500 {
      let secret = Self.describedSecret(&rng)
      if secret.isRotationStuck { rotation.stuck += 1 }
      if secret.rotationRules != nil { rotation.rules += 1 }
      if secret.rotationLambdaARN?.isEmpty == false { rotation.function += 1 }
      #expect(
        Self.difference(try JSONOutput.bytes(VersionsJSON(secret)), JSONOutputReference.versions(secret)) == nil,
        "seed \(seed) \(round)")
      let plan = Self.plan(&rng)
      let current = Self.describedSecret(&rng)
      let changes = (0..<Int.random(in: 0...3, using: &rng)).map { _ in ListOutputTests.text(&rng, pieces: 3) }
      let error = Self.error(&rng)
      let steps = Int.random(in: 0...3, using: &rng)
      let readBack = Bool.random(using: &rng) ? current : nil
      let pairs: [(PlanJSON, [UInt8])] = [
        (PlanJSON.dryRun(plan), JSONOutputReference.dryRun(plan)),
        (PlanJSON.applied(plan, after: current), JSONOutputReference.applied(plan, after: current)),
        (
          PlanJSON.conflict(plan, current: current, changes: changes),
          JSONOutputReference.conflict(plan, current: current, changes: changes)
        ),
        (
          PlanJSON.failed(plan, error: error, appliedSteps: steps, current: readBack),
          JSONOutputReference.failed(plan, error: error, applied: steps, current: readBack)
        ),
      ]
      for (document, expected) in pairs {
        #expect(Self.difference(try JSONOutput.bytes(document), expected) == nil, "seed \(seed) \(round)")
      }
      let reason = ListOutputTests.text(&rng, pieces: 4)
      #expect(
        Self.difference(
          try JSONOutput.bytes(RefusalJSON(name: plan.secretName, refused: reason)),
          JSONOutputReference.refusal(name: plan.secretName, text: reason)) == nil, "seed \(seed) \(round)")
      // Byte order and Foundation's order disagree on these ids: the order is what is tested.
      let ids = plan.before.labelledVersions.versionIDs
      if ids.sorted(by: JSONKeyOrder.utf8.precedes) != ids.sorted(by: JSONKeyOrder.foundation.precedes) {
        orderMatters += 1
      }
    }
    #expect(orderMatters > 150)
    #expect(rotation.stuck > 100 && rotation.rules > 500 && rotation.function > 200, "\(rotation)")
  }

  // MARK: rotate, put-pending and cancel-rotation: the JSONSerialization code they replaced

  static func rotationPreview(_ rng: inout SplitMix64) -> RotationPreview {
    let text = { (rng: inout SplitMix64) in ListOutputTests.text(&rng, pieces: Int.random(in: 0...4, using: &rng)) }
    let kind: RotationPreview.Kind
    switch Int.random(in: 0..<3, using: &rng) {
    case 0:
      let request = RotationRequest(
        token: ListOutputTests.versionID(&rng),
        lambdaARN: Bool.random(using: &rng) ? "arn:aws:lambda:us-east-1:1:function:" + text(&rng) : nil,
        scheduleDays: Bool.random(using: &rng) ? Int.random(in: 1...1000, using: &rng) : nil,
        rotateImmediately: Bool.random(using: &rng))
      let function: RotationFunction =
        Bool.random(using: &rng)
        ? .lambda(arn: "arn:aws:lambda:eu-west-1:1:function:" + text(&rng))
        : .managed(service: ListOutputTests.services.randomElement(using: &rng)!)
      kind = .rotate(request, function: function)
    case 1:
      kind = .putPending(
        token: ListOutputTests.versionID(&rng), bytes: Int.random(in: 0...65_536, using: &rng),
        binary: Bool.random(using: &rng))
    default:
      kind = .cancel
    }
    let id = { (rng: inout SplitMix64) in ListOutputTests.versionID(&rng) }
    let notes: [RotationNote] = (0..<Int.random(in: 0...3, using: &rng)).map { _ in
      switch Int.random(in: 0..<8, using: &rng) {
      case 0: return .versionQuota(count: Int.random(in: 0...120, using: &rng))
      case 1: return .pendingOnCurrent(id(&rng))
      case 2: return .scheduledOnly
      case 3: return .pendingReplaced(from: id(&rng))
      case 4: return .rotationTurnedOff
      case 5: return .pendingMayStay(on: id(&rng))
      case 6: return .pendingMayStay(on: nil)
      default: return .deprecated(id(&rng))
      }
    }
    return RotationPreview(
      secretName: ListOutputTests.name(&rng),
      secretARN: Bool.random(using: &rng) ? "arn:aws:secretsmanager:us-east-1:1:secret:" + text(&rng) : nil,
      kind: kind, before: labelMap(&rng), after: labelMap(&rng), notes: notes)
  }

  /// A document as the rotation commands fill it in (any mix of the members they add) and the
  /// `extra` members the replaced code merged in for the same values.
  static func rotationDocument(_ rng: inout SplitMix64) -> (RotationJSON, reference: [UInt8]) {
    let preview = rotationPreview(&rng)
    let command = ListOutputTests.text(&rng, pieces: Int.random(in: 0...6, using: &rng))
    let applied = Bool.random(using: &rng)
    var document = RotationJSON(preview, awsCommand: command, applied: applied)
    var extra: [String: Any] = [:]
    switch Int.random(in: 0..<4, using: &rng) {
    case 0:
      document = .dryRun(preview, awsCommand: command)
      return (
        document, JSONOutputReference.rotation(preview, awsCommand: command, applied: false, extra: ["DryRun": true])
      )
    case 1:
      let code = ["Error", "ThrottlingException", "Odd\u{1B}Code\r\nX"].randomElement(using: &rng)!
      let message = ListOutputTests.text(&rng, pieces: Int.random(in: 0...8, using: &rng))
      document = .failed(preview, awsCommand: command, code: code, message: message)
      return (
        document,
        JSONOutputReference.rotation(
          preview, awsCommand: command, applied: false, extra: ["Error": ["Code": code, "Message": message]])
      )
    default: break
    }
    if Bool.random(using: &rng) {
      let id = ListOutputTests.versionID(&rng)
      (document.versionId, extra["VersionId"]) = (id, id)
    }
    if Bool.random(using: &rng) {
      let followed = Bool.random(using: &rng)
      (document.followed, extra["Followed"]) = (followed, followed)
    }
    if Bool.random(using: &rng) {
      let completed = Bool.random(using: &rng)
      (document.completed, extra["Completed"]) = (completed, completed)
    }
    if Bool.random(using: &rng) {
      let stages = (0..<Int.random(in: 0...5, using: &rng)).map { _ in
        RotationStage.allCases.randomElement(using: &rng)!
      }
      document.stages = stages.map(RotationJSON.Stage.init)
      extra["Stages"] = stages.map { ["Stage": RotationPrinter.stageName($0), "Summary": $0.summary] }
    }
    if Bool.random(using: &rng) {
      let current = labelMap(&rng)
      (document.current, extra["Current"]) = (current, current.sortedStages)
    }
    let reached = RotationStage.allCases.randomElement(using: &rng)!
    switch Int.random(in: 0..<3, using: &rng) {
    case 0:
      let function: RotationFunction? =
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: .lambda(arn: "arn:aws:lambda:us-east-1:1:function:" + ListOutputTests.text(&rng, pieces: 2))
        case 1: .managed(service: ListOutputTests.services.randomElement(using: &rng)!)
        default: nil
        }
      let diagnosis = RotationDiagnosis(
        secretName: ListOutputTests.name(&rng), token: ListOutputTests.versionID(&rng), reached: reached,
        function: function)
      document.diagnosis = RotationJSON.Diagnosis(diagnosis)
      extra["Diagnosis"] = JSONOutputReference.diagnosis(diagnosis)
    case 1:
      let message = ListOutputTests.text(&rng, pieces: 5)
      document.diagnosis = RotationJSON.Diagnosis(reached: reached, message: message)
      extra["Diagnosis"] = ["Reached": RotationPrinter.stageName(reached), "Message": message]
    default: break
    }
    if Bool.random(using: &rng) {
      let stoppedBy = ["Timeout", "Interrupt", "ReadError", "Abandoned"].randomElement(using: &rng)!
      (document.stoppedBy, extra["StoppedBy"]) = (stoppedBy, stoppedBy)
    }
    if Bool.random(using: &rng) {
      let enabled = Bool.random(using: &rng)
      (document.rotationEnabled, extra["RotationEnabled"]) = (enabled, enabled)
    }
    return (document, JSONOutputReference.rotation(preview, awsCommand: command, applied: applied, extra: extra))
  }

  @Test(arguments: [111, 112, 113] as [UInt64])
  func rotationDocumentsAreWhatJSONSerializationWrote(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    var seen = (remedies: 0, rules: 0, stages: 0, orderMatters: 0)
    for round in 0..<1_500 {
      let (document, expected) = Self.rotationDocument(&rng)
      #expect(Self.difference(try JSONOutput.bytes(document), expected) == nil, "seed \(seed) \(round)")
      if document.diagnosis?.remedies?.isEmpty == false { seen.remedies += 1 }
      if document.request.rotationRules != nil { seen.rules += 1 }
      if document.stages?.isEmpty == false { seen.stages += 1 }
      let ids = document.before.versionIDs
      if ids.sorted(by: JSONKeyOrder.utf8.precedes) != ids.sorted(by: JSONKeyOrder.foundation.precedes) {
        seen.orderMatters += 1
      }
    }
    #expect(seen.remedies > 100 && seen.rules > 150 && seen.stages > 200 && seen.orderMatters > 150, "\(seen)")
  }

  // MARK: the encoder against JSONEncoder and JSONSerialization

  indirect enum Tree: Encodable {
    case string(String)
    case bool(Bool)
    case integer(Int)
    case null
    case array([Tree])
    case object([String: Tree])

    func encode(to encoder: any Encoder) throws {
      var container = encoder.singleValueContainer()
      switch self {
      case .string(let text): try container.encode(text)
      case .bool(let flag): try container.encode(flag)
      case .integer(let number): try container.encode(number)
      case .null: try container.encodeNil()
      case .array(let values): try container.encode(values)
      case .object(let members): try container.encode(members)
      }
    }

    /// As JSONSerialization takes it.
    var object: Any {
      switch self {
      case .string(let text): return text
      case .bool(let flag): return flag
      case .integer(let number): return number
      case .null: return NSNull()
      case .array(let values): return values.map(\.object)
      case .object(let members): return members.mapValues(\.object)
      }
    }

    static func key(_ rng: inout SplitMix64) -> String {
      let pieces = ["a", "A", "b", "B", "9", "10", "_", "-", "é", "e\u{301}", "ß", "ss", "名", "🔑", "\u{1B}", "\"", "/"]
      return (0..<Int.random(in: 0...4, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    static func random(_ rng: inout SplitMix64, depth: Int) -> Tree {
      switch depth > 3 ? Int.random(in: 0..<4, using: &rng) : Int.random(in: 0..<6, using: &rng) {
      case 0: return .string(JSONTextWriterTests.text(&rng))
      case 1: return .bool(Bool.random(using: &rng))
      case 2: return .integer(Int.random(in: -1_000_000...1_000_000, using: &rng))
      case 3: return .null
      case 4: return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in random(&rng, depth: depth + 1) })
      default:
        var members: [String: Tree] = [:]
        for _ in 0..<Int.random(in: 0...5, using: &rng) { members[key(&rng)] = random(&rng, depth: depth + 1) }
        return .object(members)
      }
    }
  }

  struct UTF8Ordered<Value: Encodable>: JSONDocument {
    static var keyOrder: JSONKeyOrder { .utf8 }
    var value: Value
    init(_ value: Value) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
  }

  struct FoundationOrdered<Value: Encodable>: JSONDocument {
    static var keyOrder: JSONKeyOrder { .foundation }
    var value: Value
    init(_ value: Value) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
  }

  @Test func utf8OrderWritesWhatJSONEncoderWrites() throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var rng = SplitMix64(seed: 95)
    for _ in 0..<3_000 {
      let tree = Tree.object(["SecretList": Tree.random(&rng, depth: 0), Tree.key(&rng): Tree.random(&rng, depth: 1)])
      let expected = Array(try encoder.encode(tree)) + [0x0A]
      #expect(Self.difference(try JSONOutput.bytes(UTF8Ordered(tree)), expected) == nil)
    }
  }

  @Test func foundationOrderWritesWhatJSONSerializationWrites() throws {
    var rng = SplitMix64(seed: 96)
    var differs = 0
    for _ in 0..<3_000 {
      let tree = Tree.object(["Name": Tree.random(&rng, depth: 0), Tree.key(&rng): Tree.random(&rng, depth: 1)])
      let expected = JSONOutputReference.json(tree.object)
      let written = try JSONOutput.bytes(FoundationOrdered(tree))
      #expect(Self.difference(written, expected) == nil)
      if written != (try JSONOutput.bytes(UTF8Ordered(tree))) { differs += 1 }
    }
    // The two orders part often enough for the test to tell them apart.
    #expect(differs > 500)
  }

  /// A repeated key is written each time, in the order it came; a shape asking for null
  /// gets it, an absent optional is left out.
  @Test func repeatedKeysNullsAndAbsentMembers() throws {
    let stages = SecretListJSON.VersionStages([("b", ["2"]), ("a", ["1"]), ("b", ["3"])])
    #expect(
      String(decoding: try JSONOutput.bytes(UTF8Ordered(stages)), as: UTF8.self)
        == "{\n  \"a\" : [\n    \"1\"\n  ],\n  \"b\" : [\n    \"2\"\n  ],\n  \"b\" : [\n    \"3\"\n  ]\n}\n")
    let version = Secret(name: "n", versions: [SecretVersion(versionId: "v", labels: [])])
    #expect(
      String(decoding: try JSONOutput.bytes(VersionsJSON(version)), as: UTF8.self)
        == "{\n  \"Name\" : \"n\",\n  \"RotationEnabled\" : false,\n  \"RotationStuck\" : false,\n"
        + "  \"Versions\" : [\n    {\n      \"CreatedDate\" : null,\n"
        + "      \"LastAccessedDate\" : null,\n      \"VersionId\" : \"v\",\n      \"VersionStages\" : [\n\n"
        + "      ]\n    }\n  ]\n}\n")
  }
}
