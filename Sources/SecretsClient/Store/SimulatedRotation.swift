import Foundation
import StagingModel

/// A rotation function's four steps, in the order AWS invokes them.
enum RotationStepName: String, CaseIterable, Sendable {
  case createSecret, setSecret, testSecret, finishSecret

  /// 1 for createSecret … 4 for finishSecret: the step completes `number × StepSeconds` after
  /// the rotation started.
  var number: Int { Self.allCases.firstIndex(of: self)! + 1 }
}

/// A secret's `RotationSimulation`: what its stand-in rotation function does, and how fast.
struct RotationSimulation: Decodable, Equatable, Sendable {
  enum Outcome: Equatable, Sendable {
    case succeed
    /// The step never completes: the rotation stops there, leaving AWSPENDING behind.
    case failAt(RotationStepName)
  }

  static let defaultStepSeconds: Double = 2
  static let maximumStepSeconds: Double = 86_400

  /// What a secret with a rotation function and no `RotationSimulation` does.
  static let `default` = RotationSimulation(outcome: .succeed, stepSeconds: defaultStepSeconds)

  var outcome: Outcome
  var stepSeconds: Double

  init(outcome: Outcome, stepSeconds: Double) {
    self.outcome = outcome
    self.stepSeconds = stepSeconds
  }

  private enum CodingKeys: String, CodingKey { case Outcome, FailAt, StepSeconds }

  init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let steps = RotationStepName.allCases.map(\.rawValue).joined(separator: ", ")
    stepSeconds = try container.decodeIfPresent(Double.self, forKey: .StepSeconds) ?? Self.defaultStepSeconds
    guard stepSeconds.isFinite, (0...Self.maximumStepSeconds).contains(stepSeconds) else {
      throw DecodingError.dataCorruptedError(
        forKey: .StepSeconds, in: container,
        debugDescription: "StepSeconds must be a number of seconds from 0 to \(Int(Self.maximumStepSeconds))")
    }
    let outcome = try container.decodeIfPresent(String.self, forKey: .Outcome)
    let failAt = try container.decodeIfPresent(String.self, forKey: .FailAt)
    switch (outcome, failAt) {
    case ("succeed", nil):
      self.outcome = .succeed
    case ("succeed", _?):
      throw DecodingError.dataCorruptedError(
        forKey: .FailAt, in: container, debugDescription: "Outcome \"succeed\" takes no FailAt")
    case ("failAt", let step?), (nil, let step?):
      guard let name = RotationStepName(rawValue: step) else {
        throw DecodingError.dataCorruptedError(
          forKey: .FailAt, in: container, debugDescription: "FailAt must be one of \(steps), not \"\(step)\"")
      }
      self.outcome = .failAt(name)
    case ("failAt", nil):
      throw DecodingError.dataCorruptedError(
        forKey: .FailAt, in: container, debugDescription: "Outcome \"failAt\" needs FailAt: one of \(steps)")
    case (nil, nil):
      throw DecodingError.dataCorruptedError(
        forKey: .Outcome, in: container, debugDescription: "Outcome must be \"succeed\" or \"failAt\"")
    case (let other?, _):
      throw DecodingError.dataCorruptedError(
        forKey: .Outcome, in: container, debugDescription: "Outcome must be \"succeed\" or \"failAt\", not \"\(other)\""
      )
    }
  }

  /// The members as the file holds them.
  var json: [String: Any] {
    var object: [String: Any] = ["StepSeconds": Self.number(stepSeconds)]
    switch outcome {
    case .succeed: object["Outcome"] = "succeed"
    case .failAt(let step):
      object["Outcome"] = "failAt"
      object["FailAt"] = step.rawValue
    }
    return object
  }

  /// Whole numbers as integers, so that the file reads `2`, not `2.0`.
  static func number(_ value: Double) -> Any {
    value == value.rounded() && abs(value) < 1e15 ? Int(value) as Any : value as Any
  }
}

/// A secret's `LastRotation`: the rotation RotateSecret started, and how far it has got.
struct StoredRotation: Decodable, Equatable, Sendable {
  enum Status: String, Decodable, Sendable {
    case InProgress, Succeeded, Failed, Cancelled
  }

  var token: VersionID
  var started: Date
  var simulation: RotationSimulation
  /// 0 to 4: the steps that completed.
  var stepsCompleted: Int
  var status: Status
  var failedStep: RotationStepName?
  var failureReason: String?

  init(token: VersionID, started: Date, simulation: RotationSimulation) {
    self.token = token
    self.started = started
    self.simulation = simulation
    self.stepsCompleted = 0
    self.status = .InProgress
  }

  private enum CodingKeys: String, CodingKey {
    case ClientRequestToken, StartedDate, StepsCompleted, Status, FailedStep, FailureReason
  }

  init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    token = try container.decode(String.self, forKey: .ClientRequestToken)
    started = try container.decode(StoreDate.self, forKey: .StartedDate).date
    simulation = try RotationSimulation(from: decoder)
    stepsCompleted = try container.decodeIfPresent(Int.self, forKey: .StepsCompleted) ?? 0
    guard (0...RotationStepName.allCases.count).contains(stepsCompleted) else {
      throw DecodingError.dataCorruptedError(
        forKey: .StepsCompleted, in: container, debugDescription: "StepsCompleted must be 0 to 4")
    }
    status = try container.decode(Status.self, forKey: .Status)
    failedStep = try container.decodeIfPresent(String.self, forKey: .FailedStep).flatMap(RotationStepName.init)
    failureReason = try container.decodeIfPresent(String.self, forKey: .FailureReason)
  }

  var json: [String: Any] {
    var object = simulation.json
    object["ClientRequestToken"] = token
    object["StartedDate"] = ISO8601Text.string(started)
    object["StepsCompleted"] = stepsCompleted
    object["Status"] = status.rawValue
    if let failedStep { object["FailedStep"] = failedStep.rawValue }
    if let failureReason { object["FailureReason"] = failureReason }
    return object
  }

  /// When step `number` (1-4) completes.
  func due(_ number: Int) -> Date { started.addingTimeInterval(Double(number) * simulation.stepSeconds) }

  /// The next step, while the rotation is in progress.
  var nextStep: RotationStepName? {
    status == .InProgress && stepsCompleted < RotationStepName.allCases.count
      ? RotationStepName.allCases[stepsCompleted] : nil
  }
}

extension StoreDocument.StoredSecret {
  /// Every version's labels, deprecated versions included.
  var labelMap: LabelMap {
    var map = LabelMap()
    for version in Versions {
      map.insertVersion(version.VersionId)
      for label in version.VersionStages ?? [] { map.add(label, to: version.VersionId) }
    }
    return map
  }

  /// Gives every version the labels `map` has for it.
  mutating func setLabels(_ map: LabelMap) {
    for index in Versions.indices {
      let labels = map.labels(on: Versions[index].VersionId)
      if labels != Set(Versions[index].VersionStages ?? []) { Versions[index].VersionStages = labels.sorted() }
    }
  }

  func versionIndex(_ id: VersionID) -> Int? { Versions.firstIndex { $0.VersionId == id } }

  /// The AWSCURRENT version's value, if it has one.
  var currentValue: StoredValue? {
    Versions.first { $0.VersionStages?.contains(StandardLabel.current) == true }?.value
  }

  /// A rotation function is configured: a Lambda ARN, a simulation, or managed rotation.
  var hasRotationFunction: Bool {
    !(RotationLambdaARN ?? "").isEmpty || RotationSimulation != nil
      || (RotationEnabled == true && !(OwningService ?? "").isEmpty)
  }

  /// Whether a step of the rotation in progress is due by `now`.
  func rotationStepDue(at now: Date) -> Bool {
    guard let rotation = LastRotation, rotation.nextStep != nil else { return false }
    return rotation.due(rotation.stepsCompleted + 1) <= now
  }

  /// Plays the rotation function's steps due by `now`, as AWS's rotation template does: each
  /// step first checks that the new version still holds AWSPENDING (or is already current),
  /// createSecret puts a new value on it (PutSecretValue with the token), finishSecret moves
  /// AWSCURRENT onto it and then removes AWSPENDING. The step `FailAt` names never completes.
  /// Dates are the steps' own times, so every reader derives the same state.
  mutating func advanceRotation(to now: Date) {
    guard var rotation = LastRotation else { return }
    defer { LastRotation = rotation }
    while let step = rotation.nextStep {
      let due = rotation.due(step.number)
      guard due <= now else { return }
      func fail(_ reason: String) {
        rotation.status = .Failed
        rotation.failedStep = step
        rotation.failureReason = reason
      }
      if case .failAt(step) = rotation.simulation.outcome {
        return fail("the simulated rotation function fails in \(step.rawValue) (RotationSimulation)")
      }
      if DeletedDate != nil { return fail("the secret was scheduled for deletion") }
      guard let index = versionIndex(rotation.token) else {
        return fail("version \(rotation.token) no longer exists")
      }
      let labels = labelMap.labels(on: rotation.token)
      if !labels.contains(StandardLabel.current) {
        guard labels.contains(StandardLabel.pending) else {
          return fail("version \(rotation.token) no longer holds AWSPENDING: the rotation was abandoned")
        }
        switch step {
        case .createSecret:
          if !Versions[index].hasValue {
            let value = StoredValue.generated(like: currentValue)
            Versions[index].setValue(value)
            LastChangedDate = StoreDate(due)
          }
        case .setSecret, .testSecret:
          break
        case .finishSecret:
          let map = labelMap
          let steps = [
            StageStep(
              versionStage: StandardLabel.current, removeFromVersionId: map.holder(of: StandardLabel.current),
              moveToVersionId: rotation.token),
            StageStep(versionStage: StandardLabel.pending, removeFromVersionId: rotation.token),
          ]
          do {
            setLabels(try StagingRules.apply(steps, to: StagingContext(labels: map)))
          } catch {
            return fail("finishSecret was refused: \(error.code): \(error.message)")
          }
          LastChangedDate = StoreDate(due)
        }
      }
      rotation.stepsCompleted += 1
      if rotation.nextStep == nil {
        rotation.status = .Succeeded
        LastRotatedDate = StoreDate(due)
        if let days = RotationRules?.AutomaticallyAfterDays {
          NextRotationDate = StoreDate(due.addingTimeInterval(Double(days) * 86_400))
        }
      }
    }
  }
}

/// A version's value as the file holds it: a string, or base64 for binary.
struct StoredValue: Equatable, Sendable {
  var string: String?
  var binary: String?

  init(string: String? = nil, binary: String? = nil) {
    self.string = string
    self.binary = binary
  }

  init(_ payload: SecretPayload) {
    switch payload.content {
    case .string(let text): self.init(string: text)
    case .binary(let data): self.init(binary: data.base64EncodedString())
    }
  }

  /// A new random value shaped like `old`: a JSON object keeps its members with a new
  /// "password"; binary gets 32 random bytes; anything else becomes a 32-character password.
  /// Never printed or logged: it only goes into the store file.
  static func generated(like old: StoredValue?) -> StoredValue {
    if old?.string == nil, old?.binary != nil {
      return StoredValue(binary: Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString())
    }
    let password = randomPassword()
    if let text = old?.string, let data = text.data(using: .utf8),
      var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], object["password"] is String
    {
      object["password"] = password
      if let json = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
        return StoredValue(string: String(decoding: json, as: UTF8.self))
      }
    }
    return StoredValue(string: password)
  }

  static func randomPassword(length: Int = 32) -> String {
    let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_.!")
    return String((0..<length).map { _ in alphabet.randomElement()! })
  }
}

extension StoreDocument.StoredVersion {
  var hasValue: Bool { SecretString != nil || SecretBinary != nil }

  var value: StoredValue? { hasValue ? StoredValue(string: SecretString, binary: SecretBinary) : nil }

  mutating func setValue(_ value: StoredValue) {
    SecretString = value.string
    SecretBinary = value.binary
  }
}

extension StoreDocument {
  func rotationStepDue(at now: Date) -> Bool { secrets.contains { $0.rotationStepDue(at: now) } }

  /// Brings every simulated rotation up to `now`.
  mutating func advanceRotations(to now: Date) {
    for index in secrets.indices where secrets[index].rotationStepDue(at: now) {
      secrets[index].advanceRotation(to: now)
    }
  }
}
