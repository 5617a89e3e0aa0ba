import Foundation
import StagehandTestSupport
import Testing

@testable import StagingModel

/// How a rotation's progress is read from the labels, and what a stopped one is told to do.
@Suite(.ownThreads)
struct RotationStageTests {
  static let c = "c0000000-0000-0000-0000-000000000000"
  static let t = "70000000-0000-4000-8000-000000000007"
  static let function = RotationFunction.lambda(arn: "arn:aws:lambda:us-east-1:1:function:rotate")

  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var labels: [VersionID: [String]]
    var hasValue: Bool
    var stage: RotationStage
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(name: "token not seen yet", labels: [c: ["AWSCURRENT"]], hasValue: false, stage: .requested),
    Case(
      name: "placeholder", labels: [c: ["AWSCURRENT"], t: ["AWSPENDING"]], hasValue: false, stage: .pendingPlaceholder),
    Case(name: "value created", labels: [c: ["AWSCURRENT"], t: ["AWSPENDING"]], hasValue: true, stage: .valuePresent),
    Case(
      name: "current moved, pending kept (older template)",
      labels: [c: ["AWSPREVIOUS"], t: ["AWSCURRENT", "AWSPENDING"]],
      hasValue: true, stage: .currentMoved),
    Case(name: "finished", labels: [c: ["AWSPREVIOUS"], t: ["AWSCURRENT"]], hasValue: true, stage: .pendingCleanedUp),
    // Reading the value can lag the labels: AWSCURRENT on the token wins.
    Case(name: "finished, value unread", labels: [t: ["AWSCURRENT"]], hasValue: false, stage: .pendingCleanedUp),
    Case(
      name: "a custom label on the token is not progress", labels: [c: ["AWSCURRENT"], t: ["release"]], hasValue: false,
      stage: .requested),
  ]

  @Test(arguments: cases)
  func stagesAreReadFromTheLabels(_ c: Case) {
    #expect(RotationStage.observed(labels: LabelMap(c.labels), token: Self.t, hasValue: c.hasValue) == c.stage)
  }

  @Test func stagesAreOrderedAsTheRotationGoes() {
    #expect(
      RotationStage.allCases == [.requested, .pendingPlaceholder, .valuePresent, .currentMoved, .pendingCleanedUp])
    #expect(RotationStage.allCases.sorted() == RotationStage.allCases)
    #expect(Set(RotationStage.allCases.map(\.summary)).count == RotationStage.allCases.count)
  }

  @Test func diagnosesSayWhereItStoppedAndWhatToDo() {
    func diagnosis(_ stage: RotationStage, _ function: RotationFunction? = Self.function) -> RotationDiagnosis {
      RotationDiagnosis(secretName: "prod/db", token: Self.t, reached: stage, function: function)
    }
    let logs = RotationDiagnosis.Remedy.readLogs(Self.function)
    let promote = RotationDiagnosis.Remedy.promote(secretName: "prod/db")
    let remove = RotationDiagnosis.Remedy.removePending(secretName: "prod/db")
    #expect(diagnosis(.requested).remedies == [logs])
    #expect(diagnosis(.requested).message.contains("createSecret"))
    #expect(diagnosis(.pendingPlaceholder).remedies == [logs, remove])
    #expect(diagnosis(.pendingPlaceholder).message.contains("no value"))
    // A value was created: it may have been tested, so promoting it is offered.
    #expect(diagnosis(.valuePresent).remedies == [logs, promote, remove])
    #expect(diagnosis(.valuePresent).message.contains("AWSCURRENT never moved"))
    #expect(diagnosis(.currentMoved).remedies == [remove])
    #expect(diagnosis(.pendingCleanedUp).remedies.isEmpty)
    // Without a known function there are no logs to read.
    #expect(diagnosis(.valuePresent, nil).remedies == [promote, remove])
    for stage in RotationStage.allCases {
      let text = diagnosis(stage).message
      #expect(diagnosis(stage).reached == stage)
      #expect(!text.contains(Self.t), "the full token: \(text)")
      #expect(stage == .pendingCleanedUp || text.contains(shortID(Self.t)), "\(text)")
    }
  }

  @Test func rotationFunctionsAreReadFromTheSecret() {
    func secret(_ arn: String?, enabled: Bool, service: String?) -> Secret {
      Secret(name: "s", rotationEnabled: enabled, rotationLambdaARN: arn, owningService: service)
    }
    #expect(secret("arn:f", enabled: false, service: nil).rotationFunction == .lambda(arn: "arn:f"))
    #expect(secret("arn:f", enabled: true, service: "rds").rotationFunction == .lambda(arn: "arn:f"))
    #expect(secret(nil, enabled: true, service: "rds").rotationFunction == .managed(service: "rds"))
    #expect(secret(nil, enabled: false, service: "rds").rotationFunction == nil)
    #expect(secret("", enabled: true, service: nil).rotationFunction == nil)
    #expect(RotationFunction.managed(service: "rds").summary == "rds (managed rotation)")
    #expect(RotationFunction.lambda(arn: "arn:f").summary == "rotation function arn:f")
  }
}
