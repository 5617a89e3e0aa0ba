import StagehandTestSupport
import StagingModel
import Testing

/// Where a step stands, judged from the labels alone: what settles a call whose outcome is
/// unknown.
@Suite(.ownThreads)
struct StageStepProgressTests {
  @Test func stepProgressJudgedFromLabels() {
    let move = StageStep(versionStage: "AWSCURRENT", removeFromVersionId: "v1", moveToVersionId: "v2")
    #expect(move.progress(in: ["v1": [], "v2": ["AWSCURRENT"]]) == .applied)
    #expect(move.progress(in: ["v1": ["AWSCURRENT"], "v2": []]) == .notStarted)
    #expect(move.progress(in: ["v1": ["AWSCURRENT"], "v2": ["AWSCURRENT"]]) == .unknown)
    #expect(move.progress(in: ["v1": [], "v2": []]) == .unknown)
    let remove = StageStep(versionStage: "TEST", removeFromVersionId: "v1")
    #expect(remove.progress(in: ["v1": []]) == .applied)
    #expect(remove.progress(in: ["v1": ["TEST"]]) == .notStarted)
    let add = StageStep(versionStage: "TEST", moveToVersionId: "v2")
    #expect(add.progress(in: ["v2": ["TEST"]]) == .applied)
    #expect(add.progress(in: ["v2": []]) == .notStarted)
  }
}
