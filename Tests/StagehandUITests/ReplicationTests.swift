import Foundation
import StagehandTestSupport
import StagehandUI
import StagingModel
import Testing

/// "Commit and wait for replicas" in the pure core: W in the preview of a primary with
/// replicas commits and then asks for each replica Region to be read; the Regions' outcomes
/// arrive by request id (stale ones dropped) and show in a popup and the status line.
@Suite(.ownThreads) struct ReplicationTests {
  /// prod/db/password as a primary replicated to two Regions, described.
  static var primary: Secret {
    var secret = Fixture.database
    secret.replicationStatus = [
      ReplicaStatus(region: "eu-west-1", status: "InSync"), ReplicaStatus(region: "ap-south-1", status: "InProgress"),
    ]
    return secret
  }

  /// `secret` listed and described, the versions pane focused.
  static func browsing(_ secret: Secret = primary, dryRun: Bool = false) -> AppState {
    var state = AppState(config: Fixture.config(dryRun: dryRun), now: Fixture.now, width: 120, height: 40)
    guard case .loadSecrets(let id)? = send(&state, .started).first else { return state }
    let effects = send(&state, .secretsPageLoaded(requestID: id, secrets: [secret], isLastPage: true))
    for (_, _, requestID) in describeRequests(effects) {
      send(&state, .secretDescribed(requestID: requestID, secret: secret))
    }
    press(&state, .enter)
    return state
  }

  /// The rollback's preview open, then W: the plan executed and its request id.
  func commitAndWait(_ state: inout AppState) throws -> (Plan, Int) {
    press(&state, .char("b"))
    guard case .preview(let preview)? = state.popup else {
      throw Failure("no preview: \(String(describing: state.status))")
    }
    let effects = press(&state, .char("W"))
    guard case .execute(let plan, let id)? = effects.first, effects.count == 1 else {
      throw Failure("W sent \(effects); status \(String(describing: state.status))")
    }
    #expect(plan == preview.plan, "W commits exactly the plan shown")
    return (plan, id)
  }

  struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
  }

  /// The wait's effect after the commit applied.
  func applied(_ state: inout AppState, _ plan: Plan, _ id: Int) throws -> (regions: [String], id: Int) {
    var after = Self.primary
    after.applyLabels(plan.after)
    let effects = send(&state, .commitFinished(requestID: id, outcome: .applied(plan: plan, secret: after)))
    guard
      case .waitForReplicas(let name, let origin, let regions, let expected, let seconds, let waitID)? =
        effects.first, effects.count == 1
    else { throw Failure("no wait after the commit: \(effects)") }
    #expect(name == "prod/db/password")
    #expect(origin == nil)
    #expect(expected == plan.after.labelledVersions)
    #expect(seconds == 120, "bounded by the UI's timeout")
    return (regions, waitID)
  }

  @Test func theKeyIsOfferedOnlyInAPrimarysPreview() throws {
    var state = Self.browsing()
    press(&state, .char("b"))
    #expect(render(state).text.contains("W: commit and wait for replicas"))
    #expect(Keymap.standard.hints(for: state).contains { $0.action == .confirmCommitAndWait })

    // Without replicas: not in the bar, and pressed it says why and sends nothing.
    var plain = Self.browsing(Fixture.database)
    press(&plain, .char("b"))
    #expect(!render(plain).text.contains("commit and wait"))
    #expect(!Keymap.standard.hints(for: plain).contains { $0.action == .confirmCommitAndWait })
    #expect(press(&plain, .char("W")).isEmpty)
    #expect(plain.status?.text == "W (commit + wait replicas): the secret has no replicas: y commits")

    // In a dry run nothing is sent, so nothing is waited for.
    var dry = Self.browsing(dryRun: true)
    press(&dry, .char("b"))
    #expect(press(&dry, .char("W")).isEmpty)
    #expect(dry.status?.text.contains("dry run: nothing is sent") == true)
    #expect(!render(dry).text.contains("commit and wait"))
  }

  @Test func wCommitsThenWaitsAndEachRegionShowsAsItAnswers() throws {
    var state = Self.browsing()
    let (plan, commitID) = try commitAndWait(&state)
    guard case .committing(let commit)? = state.popup else {
      Issue.record("the commit's progress shows first")
      return
    }
    #expect(commit.waitForReplicas)
    let (regions, id) = try applied(&state, plan, commitID)
    #expect(regions == ["eu-west-1", "ap-south-1"], "the Regions the preview listed, in its order")
    #expect(state.popup == .replication(requestID: id))
    #expect(state.needsFastTicks)
    #expect(state.history.count == 1, "the change itself is committed")
    var screen = render(state).text
    #expect(screen.contains("Replicas of prod/db/password"))
    #expect(screen.components(separatedBy: "reading until it matches").count == 3, "\(screen)")

    // Answers of another wait, or of a Region not asked about, are dropped.
    send(&state, .replicaOutcome(requestID: id + 1, region: "eu-west-1", outcome: .matched(after: 0.2)))
    send(&state, .replicaOutcome(requestID: id, region: "us-west-2", outcome: .matched(after: 0.2)))
    #expect(state.replication?.outcomes.isEmpty == true)

    send(&state, .replicaOutcome(requestID: id, region: "eu-west-1", outcome: .matched(after: 1.25)))
    #expect(state.replication?.isRunning == true)
    #expect(state.status?.text == "waiting for the replicas of prod/db/password: 1 of 2 Regions answered")
    screen = render(state).text
    #expect(screen.contains("eu-west-1   matches (seen after 1.2 s)"), "\(screen)")
    #expect(screen.components(separatedBy: "reading until it matches").count == 2, "\(screen)")
    // A Region answers once: a second answer changes nothing.
    send(&state, .replicaOutcome(requestID: id, region: "eu-west-1", outcome: .failed("late")))
    #expect(state.replication?.outcomes["eu-west-1"] == .matched(after: 1.25))

    let old = LabelMap([Fixture.current: [StandardLabel.current], Fixture.previous: [StandardLabel.previous]])
    send(&state, .replicaOutcome(requestID: id, region: "ap-south-1", outcome: .behind(labels: old)))
    #expect(state.replication?.isRunning == false)
    #expect(!state.needsFastTicks)
    #expect(state.status?.kind == .warning)
    #expect(
      state.status?.text
        == "replicas of prod/db/password: eu-west-1 matches (seen after 1.2 s); ap-south-1 still behind after 120 s: "
        + "3f2a1b4c… AWSCURRENT; 9c1b0e2d… AWSPREVIOUS")
    screen = render(state).text
    #expect(screen.contains("1 of 2 replica Regions match"), "\(screen)")
    assertSnapshot(render(state), named: "replication-120x40")
  }

  @Test func aFailedRegionSaysWhyAndClosingStopsNothing() throws {
    var state = Self.browsing()
    let (plan, commitID) = try commitAndWait(&state)
    let (_, id) = try applied(&state, plan, commitID)
    press(&state, .escape)
    #expect(state.popup == nil)
    #expect(state.status?.text.contains("nothing stopped") == true)
    #expect(state.needsFastTicks, "still waiting")
    send(
      &state,
      .replicaOutcome(requestID: id, region: "ap-south-1", outcome: .failed("AccessDeniedException: no\nAsk for it")))
    send(&state, .replicaOutcome(requestID: id, region: "eu-west-1", outcome: .matched(after: 0)))
    // A message of several lines stays on the status line's one.
    #expect(state.status?.text.contains("ap-south-1 could not be read: AccessDeniedException: no Ask for it") == true)
    #expect(state.status?.kind == .warning)
  }

  /// W outside a preview reopens the last wait's progress, running or ended; before any wait
  /// it says why it does nothing.
  @Test func wReopensTheLastWaitsProgress() throws {
    var state = Self.browsing()
    #expect(press(&state, .char("W")).isEmpty)
    #expect(state.popup == nil)
    #expect(state.status?.text.contains("no commit and wait (W in a preview) in this session yet") == true)

    let (plan, commitID) = try commitAndWait(&state)
    let (_, id) = try applied(&state, plan, commitID)
    press(&state, .escape)
    #expect(
      state.status?.text.hasSuffix("this line says how it ends (W reopens it)") == true, "\(state.status?.text ?? "")")
    press(&state, .char("W"))
    #expect(state.popup == .replication(requestID: id), "reopened while it runs")
    send(&state, .replicaOutcome(requestID: id, region: "eu-west-1", outcome: .matched(after: 0.5)))
    send(&state, .replicaOutcome(requestID: id, region: "ap-south-1", outcome: .matched(after: 0.7)))
    press(&state, .escape)
    #expect(state.popup == nil)
    press(&state, .char("W"))
    #expect(state.popup == .replication(requestID: id), "and after it ended")
    #expect(render(state).text.contains("ap-south-1  matches (seen after 0.7 s)"))
  }

  @Test func yCommitsWithoutWaitingAndANewWaitDropsTheOldOnesAnswers() throws {
    var state = Self.browsing()
    press(&state, .char("b"))
    guard case .execute(let plan, let commitID)? = press(&state, .char("y")).first else {
      Issue.record("y commits")
      return
    }
    var after = Self.primary
    after.applyLabels(plan.after)
    #expect(send(&state, .commitFinished(requestID: commitID, outcome: .applied(plan: plan, secret: after))).isEmpty)
    #expect(state.replication == nil)

    // Two waits: the first one's answers no longer count once the second started.
    let (first, firstCommit) = try commitAndWait(&state)
    let (_, firstID) = try applied(&state, first, firstCommit)
    press(&state, .escape)
    let (second, secondCommit) = try commitAndWait(&state)
    let (_, secondID) = try applied(&state, second, secondCommit)
    #expect(firstID != secondID)
    send(&state, .replicaOutcome(requestID: firstID, region: "eu-west-1", outcome: .matched(after: 0)))
    #expect(state.replication?.outcomes.isEmpty == true)
  }

  /// In an estate the wait reads the replicas with the primary row's own profile: the effect
  /// carries where the primary was read.
  @Test func inAnEstateTheWaitCarriesThePrimarysPair() throws {
    let prod = SecretOrigin(profile: "prod", region: "us-east-1")
    let primary = EstateTests.located(Self.primary, prod)
    var (state, id) = EstateTests.started([prod, SecretOrigin(profile: "dev", region: "us-east-1")])
    var effects = send(&state, .pairEvent(requestID: id, origin: prod, event: .page([primary])))
    effects += send(&state, .estateListed(requestID: id))
    for (_, _, requestID) in describeRequests(effects) {
      send(&state, .secretDescribed(requestID: requestID, secret: primary))
    }
    press(&state, .enter)
    let (plan, commitID) = try commitAndWait(&state)
    #expect(plan.secretId == primary.arn)
    var after = primary
    after.applyLabels(plan.after)
    let wait = send(&state, .commitFinished(requestID: commitID, outcome: .applied(plan: plan, secret: after)))
    guard case .waitForReplicas(let name, let origin, let regions, _, _, _)? = wait.first else {
      Issue.record("no wait: \(wait)")
      return
    }
    #expect(name == "prod/db/password")
    #expect(origin == prod)
    #expect(regions == ["eu-west-1", "ap-south-1"])
    #expect(render(state).text.contains("applied on the primary in prod us-east-1"))
  }

  @Test func aFailedCommitWaitsForNothing() throws {
    var state = Self.browsing()
    let (plan, id) = try commitAndWait(&state)
    let effects = send(
      &state,
      .commitFinished(requestID: id, outcome: .failed(plan: plan, message: "denied", appliedSteps: 0, current: nil)))
    #expect(effects.isEmpty)
    #expect(state.replication == nil)
  }
}
