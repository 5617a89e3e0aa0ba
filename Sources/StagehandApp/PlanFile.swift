import Foundation
import SecretsClient
import StagingModel

/// A change set on disk, for four-eyes changes: one person writes it (`--out PLAN.json`), a
/// second reads it (`show`, or the file itself in a pull request), and `apply` carries out
/// exactly its calls, or nothing if a secret moved in between.
///
/// Each of `Plans` is the command's `--json --dry-run` document (`PlanJSON`), plus where the
/// secret was read (`Region`, `Account`, `Profile`, `Endpoint` or `Store`) and when
/// (`ReadAt`). Labels only, never a value. Pretty-printed with sorted keys, so two plans diff
/// line by line.
struct PlanFile: JSONDocument, Decodable {
  static let keyOrder = JSONKeyOrder.foundation
  static let currentFormat = 1
  /// Larger files are refused unread: a plan of 10,000 secrets is a few megabytes.
  static let maxBytes = 64 << 20

  var formatVersion: Int
  /// The command that wrote it, for the reviewer ("promote --filter prod/").
  var command: String
  var plans: [Entry]
  var skipped: [SkippedEntry]
  var summary: Summary

  enum CodingKeys: String, CodingKey {
    case formatVersion = "FormatVersion"
    case command = "Command"
    case plans = "Plans"
    case skipped = "Skipped"
    case summary = "Summary"
  }

  struct Entry: Codable, Equatable {
    var name: String
    /// What was asked, in words ("promote pending").
    var intent: String?
    var arn: String?
    var region: String?
    var account: String?
    var profile: String?
    var endpoint: String?
    var store: String?
    var readAt: Date
    /// Absent for label moves (the `Steps`); "RotateSecret" or "CancelRotateSecret" for the
    /// rotation commands, whose `After` is what the rotation leads to.
    var operation: String?
    /// RotateSecret's request: its ClientRequestToken (the new version's id, so applying the
    /// plan starts this rotation once, however often it is sent) and its settings.
    var request: RotationRequestJSON?
    var steps: [StageStep]
    var before: LabelMap
    var after: LabelMap
    var notes: [String]
    var applied = false
    var dryRun = true

    enum CodingKeys: String, CodingKey {
      case name = "Name"
      case intent = "Intent"
      case arn = "ARN"
      case region = "Region"
      case account = "Account"
      case profile = "Profile"
      case endpoint = "Endpoint"
      case store = "Store"
      case readAt = "ReadAt"
      case operation = "Operation"
      case request = "Request"
      case steps = "Steps"
      case before = "Before"
      case after = "After"
      case notes = "Notes"
      case applied = "Applied"
      case dryRun = "DryRun"
    }

    /// Where the secret lives: what `apply` must reach again.
    var location: BackendLocation {
      BackendLocation(profile: profile, region: region, endpoint: endpoint, store: store)
    }

    /// The rotation command this entry holds, if it holds one.
    var rotation: RotationOperation? {
      switch operation {
      case "RotateSecret"?: return request.map { .rotate($0.request) }
      case "CancelRotateSecret"?: return .cancel
      default: return nil
      }
    }

    /// The aws CLI commands that carry it out.
    var awsCLICommands: [String] {
      switch rotation {
      case .rotate(let request)?: return [request.awsCLICommand(secretId: name)]
      case .cancel?: return ["aws secretsmanager cancel-rotate-secret --secret-id \(shellQuote(name))"]
      case nil: return plan.awsCLICommands
      }
    }

    /// The plan to carry out: the file's own calls, from its `Before` to its `After`.
    var plan: Plan {
      Plan(
        secretName: name, secretARN: arn, intent: .restore(to: after), steps: steps, before: before, after: after,
        notes: Planner.notes(steps: steps, before: before, after: after))
    }
  }

  /// A rotation command a plan file holds.
  enum RotationOperation: Equatable {
    case rotate(RotationRequest)
    case cancel
  }

  /// RotateSecret's request with the API's names.
  struct RotationRequestJSON: Codable, Equatable {
    var clientRequestToken: VersionID
    var rotationLambdaARN: String?
    var rotationRules: Rules?
    var rotateImmediately: Bool

    struct Rules: Codable, Equatable {
      var automaticallyAfterDays: Int
      enum CodingKeys: String, CodingKey { case automaticallyAfterDays = "AutomaticallyAfterDays" }
    }

    enum CodingKeys: String, CodingKey {
      case clientRequestToken = "ClientRequestToken"
      case rotationLambdaARN = "RotationLambdaARN"
      case rotationRules = "RotationRules"
      case rotateImmediately = "RotateImmediately"
    }

    init(_ request: RotationRequest) {
      clientRequestToken = request.token
      rotationLambdaARN = request.lambdaARN
      rotationRules = request.scheduleDays.map { Rules(automaticallyAfterDays: $0) }
      rotateImmediately = request.rotateImmediately
    }

    var request: RotationRequest {
      RotationRequest(
        token: clientRequestToken, lambdaARN: rotationLambdaARN, scheduleDays: rotationRules?.automaticallyAfterDays,
        rotateImmediately: rotateImmediately)
    }
  }

  struct SkippedEntry: Codable, Equatable {
    var name: String
    var arn: String?
    var refused: String

    init(name: String, arn: String?, refused: String) {
      self.name = name
      self.arn = arn
      self.refused = refused
    }

    /// A secret the planner refused, and why, in the CLI's words.
    init(_ skipped: ChangeSet.Skipped) {
      self.init(name: skipped.secretName, arn: skipped.secretARN, refused: PlanPrinter.text(skipped.refusal))
    }

    enum CodingKeys: String, CodingKey {
      case name = "Name"
      case arn = "ARN"
      case refused = "Refused"
    }
  }

  struct Summary: Codable, Equatable {
    var secrets: Int
    var calls: Int
    var skipped: Int

    enum CodingKeys: String, CodingKey {
      case secrets = "Secrets"
      case calls = "Calls"
      case skipped = "Skipped"
    }

    /// "3 secrets, 5 calls; 1 skipped".
    var text: String { ChangeSet.summary(secrets: secrets, calls: calls, skipped: skipped) }
  }

  /// The file for `set`, read at `readAt` through a backend at `location`; `origins` names
  /// the profile and Region of secrets read from several (`--regions`, `--profiles`).
  init(
    _ set: ChangeSet, command: String, location: BackendLocation, readAt: Date,
    origins: [String: SecretOrigin] = [:]
  ) {
    formatVersion = Self.currentFormat
    self.command = command
    plans = set.plans.map { plan in
      let arn = plan.secretARN.flatMap(SecretARN.init)
      let origin = origins[plan.secretId]
      return Entry(
        name: plan.secretName, intent: plan.intent.summary, arn: plan.secretARN,
        region: arn?.region ?? origin?.region ?? location.region,
        account: arn?.account, profile: origin.map { $0.profile } ?? location.profile,
        endpoint: origin == nil ? location.endpoint : nil, store: location.store, readAt: readAt,
        steps: plan.steps, before: plan.before.labelledVersions, after: plan.after.labelledVersions,
        notes: plan.notes.map(\.message))
    }
    skipped = set.skipped.map {
      SkippedEntry($0)
    }
    summary = Summary(secrets: set.plans.count, calls: set.callCount, skipped: set.skipped.count)
  }

  /// Each plan's intent in words, by secret id.
  var intents: [String: String] {
    var intents: [String: String] = [:]
    for entry in plans { intents[entry.arn ?? entry.name] = entry.intent }
    return intents
  }

  /// The file for one rotation command, previewed as `preview`.
  init(
    rotation preview: RotationPreview, command: String, location: BackendLocation, readAt: Date, origin: SecretOrigin?
  ) throws {
    formatVersion = Self.currentFormat
    self.command = command
    let arn = preview.secretARN.flatMap(SecretARN.init)
    var entry = Entry(
      name: preview.secretName, intent: nil, arn: preview.secretARN,
      region: arn?.region ?? origin?.region ?? location.region,
      account: arn?.account, profile: origin.map { $0.profile } ?? location.profile,
      endpoint: origin == nil ? location.endpoint : nil, store: location.store, readAt: readAt, steps: [],
      before: preview.before.labelledVersions, after: preview.after.labelledVersions,
      notes: preview.notes.map(\.message))
    switch preview.kind {
    case .rotate(let request, _):
      entry.operation = "RotateSecret"
      entry.request = RotationRequestJSON(request)
      entry.intent = "rotate (RotateSecret), new version \(shortID(request.token))"
    case .cancel:
      entry.operation = "CancelRotateSecret"
      entry.intent = "turn automatic rotation off (CancelRotateSecret)"
    case .putPending:
      throw CLIError.refusal("A plan file never holds a secret value: stage it with put-pending itself.")
    }
    plans = [entry]
    skipped = []
    summary = Summary(secrets: 1, calls: 1, skipped: 0)
  }

  /// The label plans, as the executor takes them (rotation entries are `rotations`).
  var changeSet: ChangeSet {
    ChangeSet(
      plans: plans.filter { $0.operation == nil }.map(\.plan),
      skipped: skipped.map {
        ChangeSet.Skipped(secretName: $0.name, secretARN: $0.arn, refusal: PlanRefusal(.noOp, $0.refused))
      })
  }

  // MARK: Writing

  /// Writes the file at `path`, readable by its owner only (0600): through a new file beside
  /// it renamed into place, so a reader never sees half a plan and a symlink at `path` is
  /// replaced, never followed.
  func write(to path: String) throws {
    let bytes = try JSONOutput.bytes(self)
    let url = URL(fileURLWithPath: BackendFactory.absolute(path))
    let directory = url.deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
      throw CLIError.refusal("\(DisplayText.inline(path)) is a directory: name a file, such as plan.json.")
    }
    var template = Array((directory + "/.stagehand-plan-XXXXXX").utf8CString)
    let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard descriptor >= 0 else {
      throw CLIError.failure(
        "Can't write the plan to \(DisplayText.inline(path)): \(String(cString: strerror(errno))). "
          + "Choose a folder you can write to.")
    }
    let temporary = String(cString: template.map { $0 })
    var failure: Int32 = 0
    if fchmod(descriptor, 0o600) != 0 { failure = errno }
    var offset = 0
    while failure == 0 && offset < bytes.count {
      let written = bytes.withUnsafeBytes {
        Foundation.write(descriptor, $0.baseAddress! + offset, bytes.count - offset)
      }
      if written < 0 {
        if errno == EINTR { continue }
        failure = errno
      } else {
        offset += written
      }
    }
    if failure == 0 && fsync(descriptor) != 0 { failure = errno }
    close(descriptor)
    if failure == 0 && rename(temporary, url.path) != 0 { failure = errno }
    if failure != 0 {
      unlink(temporary)
      throw CLIError.failure(
        "Can't write the plan to \(DisplayText.inline(path)): \(String(cString: strerror(failure))). Nothing was sent.")
    }
  }

  // MARK: Reading

  /// Reads and checks the file at `path`. Every way a file can be wrong (missing, not JSON,
  /// cut short, another tool's, a newer format, calls that don't lead from `Before` to
  /// `After`) is a refusal that names the file and the problem.
  static func read(_ path: String) throws -> PlanFile {
    let url = URL(fileURLWithPath: BackendFactory.absolute(path))
    let name = DisplayText.inline(path)
    let data: Data
    do {
      let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
      if attributes[.type] as? FileAttributeType == .typeDirectory {
        throw CLIError.refusal("\(name) is a directory, not a plan file.")
      }
      if let size = attributes[.size] as? Int, size > maxBytes {
        throw CLIError.refusal("\(name) is \(size) bytes: too large for a plan file (at most \(maxBytes)).")
      }
      data = try Data(contentsOf: url)
    } catch let error as CLIError {
      throw error
    } catch {
      // Foundation's words end with a full stop of their own.
      var reason = (error as NSError).localizedDescription
      while reason.hasSuffix(".") { reason.removeLast() }
      if !FileManager.default.fileExists(atPath: url.path) { reason = "there is no such file" }
      throw CLIError.refusal(
        "Can't read the plan file \(name): \(DisplayText.inline(reason)). Check the path (write one with --out).")
    }
    return try decode(data, name: name)
  }

  /// `data` as a plan file, checked; `name` is how messages call it.
  static func decode(_ data: Data, name: String) throws -> PlanFile {
    func refuse(_ problem: String) -> CLIError {
      CLIError.refusal("\(name) is not a plan Stagehand can apply: \(problem)")
    }
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: data)
    } catch {
      throw refuse(
        data.isEmpty
          ? "the file is empty."
          : "it is not valid JSON (cut short, or not a plan file). Write it again with --out.")
    }
    guard let top = object as? [String: Any] else { throw refuse("it is not a JSON object.") }
    guard let version = top["FormatVersion"] else {
      throw refuse("it has no \"FormatVersion\"; plan files are written by --out.")
    }
    struct Head: Decodable {
      var formatVersion: Int
      enum CodingKeys: String, CodingKey { case formatVersion = "FormatVersion" }
    }
    guard !(version is NSNull), let number = try? JSONDecoder().decode(Head.self, from: data).formatVersion else {
      throw refuse("its \"FormatVersion\" is not a whole number.")
    }
    if number != currentFormat {
      throw refuse(
        number > currentFormat
          ? "it has format \(number), from a newer Stagehand; this one reads format \(currentFormat)."
          : "it has format \(number); this Stagehand reads format \(currentFormat).")
    }
    // JSONDecoder names no member when a number is not a whole one or does not fit an Int.
    // (Numbers past 64 bits come as NSDecimalNumber, whose `as? Int` is not exact on Linux.)
    if let summary = top["Summary"] as? [String: Any] {
      for key in ["Secrets", "Calls", "Skipped"]
      where summary[key] is NSDecimalNumber || (summary[key] is NSNumber && summary[key] as? Int == nil) {
        throw refuse("Summary.\(key) is not a whole number that fits in 64 bits.")
      }
    }
    let file: PlanFile
    do {
      let decoder = JSONDecoder()
      decoder.dateDecodingStrategy = .custom { decoder in
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = ISO8601Timestamp.parse(text) else {
          throw DecodingError.dataCorrupted(
            DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 time"))
        }
        // Whole seconds from 1970 to 9999, as --out writes them, so the time written again
        // (`show --json`) reads back the same: earlier dates parse in the Julian calendar.
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard seconds >= 0 && seconds < 253_402_300_800 else {
          throw DecodingError.dataCorrupted(
            DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "not a time from 1970 to 9999"))
        }
        return Date(timeIntervalSince1970: seconds)
      }
      file = try decoder.decode(PlanFile.self, from: data)
    } catch let error as DecodingError {
      throw refuse(describe(error))
    } catch {
      throw refuse("it could not be read as a plan.")
    }
    try file.check(refuse)
    return file
  }

  /// What a decoding error means, in the file's own terms ("Plans[2].Steps: missing").
  private static func describe(_ error: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
      let text = keys.map { key in key.intValue.map { "[\($0)]" } ?? "." + key.stringValue }.joined()
      return quote(text.hasPrefix(".") ? String(text.dropFirst()) : text, limit: 160)
    }
    switch error {
    case .keyNotFound(let key, let context):
      return "\(path(context.codingPath + [key])) is missing."
    case .typeMismatch(_, let context), .valueNotFound(_, let context):
      return "\(path(context.codingPath)) has the wrong type."
    case .dataCorrupted(let context) where context.codingPath.isEmpty:
      return "it could not be read as a plan (\(quote(context.debugDescription, limit: 160)))."
    case .dataCorrupted(let context):
      return "\(path(context.codingPath)) is not valid (\(quote(context.debugDescription, limit: 160)))."
    @unknown default:
      return "it could not be read as a plan."
    }
  }

  /// `text` from the file, quoted in a message: kept on its line, and cut after `limit`
  /// characters so a name of 100,000 still gives a message to read.
  private static func quote(_ text: String, limit: Int = 80) -> String {
    DisplayText.inline(text.count > limit ? text.prefix(limit) + "…" : text)
  }

  /// A version id as AWS makes them (at most 64 characters), with nothing a terminal or a
  /// shell would act on.
  static func isPlausibleVersionID(_ id: VersionID) -> Bool {
    !id.isEmpty && id.utf8.count <= 64
      && id.unicodeScalars.allSatisfy {
        $0.isASCII && $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
      }
  }

  /// The checks JSON types alone don't make.
  private func check(_ refuse: (String) -> CLIError) throws {
    if plans.isEmpty { throw refuse("it has no plans: nothing would be applied.") }
    let calls = plans.reduce(0) { $0 + ($1.operation == nil ? $1.steps.count : 1) }
    if summary != Summary(secrets: plans.count, calls: calls, skipped: skipped.count) {
      throw refuse("its \"Summary\" does not match its plans: the file was edited or damaged.")
    }
    var seen = Set<String>()
    for (index, entry) in plans.enumerated() {
      let which = "plan \(index + 1) (\(Self.quote(entry.name)))"
      if entry.name.isEmpty { throw refuse("plan \(index + 1) has no \"Name\".") }
      if entry.arn != nil && entry.arn.flatMap(SecretARN.init) == nil {
        throw refuse("\(which) has an \"ARN\" that is not a Secrets Manager ARN.")
      }
      guard seen.insert(entry.arn ?? entry.name).inserted else {
        throw refuse("\(which) names a secret already planned above; one plan per secret.")
      }
      if entry.applied || !entry.dryRun {
        throw refuse("\(which) is a report of a change already made, not a plan (\"Applied\" or \"DryRun\").")
      }
      if let operation = entry.operation {
        switch (operation, entry.request) {
        case ("RotateSecret", let request?):
          if !Self.isPlausibleVersionID(request.clientRequestToken) {
            throw refuse("\(which) has a \"ClientRequestToken\" that is not a version id.")
          }
          if let days = request.rotationRules?.automaticallyAfterDays, !(1...1000).contains(days) {
            throw refuse("\(which) has \"AutomaticallyAfterDays\" \(days); AWS takes 1 to 1000.")
          }
        case ("RotateSecret", nil): throw refuse("\(which) is a RotateSecret without its \"Request\".")
        case ("CancelRotateSecret", nil): break
        case ("CancelRotateSecret", _?): throw refuse("\(which): CancelRotateSecret takes no \"Request\".")
        default:
          throw refuse(
            "\(which) has \"Operation\" \(DisplayText.inline(String(operation.prefix(80)))), which Stagehand does not apply."
          )
        }
        if !entry.steps.isEmpty { throw refuse("\(which): a \(operation) has no \"Steps\".") }
        for map in [entry.before, entry.after] {
          if let id = map.versionIDs.first(where: { !Self.isPlausibleVersionID($0) }) {
            throw refuse(
              "\(which) names a version \"\(DisplayText.inline(String(id.prefix(80))))\" that is not a version id.")
          }
        }
        continue
      }
      if entry.request != nil { throw refuse("\(which) has a \"Request\" but no \"Operation\".") }
      if entry.steps.isEmpty { throw refuse("\(which) has no steps.") }
      // The calls' versions too: a step may name a version neither Before nor After holds.
      let stepIDs = entry.steps.flatMap { [$0.removeFromVersionId, $0.moveToVersionId].compactMap { $0 } }
      if let id = (entry.before.versionIDs + entry.after.versionIDs + stepIDs).first(where: {
        !Self.isPlausibleVersionID($0)
      }) {
        throw refuse("\(which) names a version \"\(Self.quote(id))\" that is not a version id.")
      }
      for map in [entry.before, entry.after] {
        if let label = map.allLabels.first(where: { map.holders(of: $0).count > 1 }) {
          throw refuse("\(which) has \(Self.quote(label)) on two versions; a label is on one version at most.")
        }
      }
      for step in entry.steps {
        if let problem = StagingRules.validate(label: step.versionStage) {
          throw refuse("\(which): \(problem)")
        }
      }
      var context = StagingContext(labels: entry.before)
      for id in stepIDs { context.labels.insertVersion(id) }
      let reached: LabelMap
      do {
        reached = try StagingRules.apply(entry.steps, to: context)
      } catch {
        throw refuse(
          "\(which): its steps can't be applied to its \"Before\" (\(Self.quote(error.message, limit: 600))).")
      }
      if !reached.sameLabels(as: entry.after) {
        throw refuse("\(which): its steps don't lead from \"Before\" to \"After\"; the file was edited or damaged.")
      }
    }
  }
}
