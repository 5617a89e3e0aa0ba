import Foundation
import StagehandTestSupport
import StagehandUI
import StagingModel
import Testing

@Suite(.ownThreads) struct FuzzTests {
  static let keys: [Key] = {
    var keys = Set(Keymap.standard.bindings.flatMap(\.keys))
    for character in "abcxyz019 -_:/AWSPENDING*PBXUw" { keys.insert(.char(character)) }
    keys.insert(.function(5))
    keys.insert(.delete)
    keys.remove(.ctrl("c"))
    keys.remove(.ctrl("z"))
    return Array(keys).sorted { $0.name < $1.name }
  }()

  /// The pairs of the estate runs: the same names in two Regions.
  static let pairs = [SecretOrigin(profile: nil, region: "us-east-1"), SecretOrigin(profile: nil, region: "eu-west-1")]

  /// Every fixture secret as listed in each pair, with an ARN of its Region; the database in
  /// us-east-1 is a primary replicated to eu-west-1 (so W, commit and wait, has work to do).
  static let estateSecrets: [Secret] = pairs.flatMap { origin in
    Fixture.all.map { secret in
      var secret = secret
      secret.arn = "arn:aws:secretsmanager:\(origin.region):123456789012:secret:\(secret.name)-AbCdEf"
      secret.origin = origin
      if secret.name == Fixture.database.name && origin.region == "us-east-1" {
        secret.replicationStatus = [ReplicaStatus(region: "eu-west-1", status: "InSync")]
      }
      return secret
    }
  }

  /// Answers effects the way the executable would, sometimes late, sometimes failing.
  static func answer(_ effect: Effect, rng: inout SplitMix64) -> [Message] {
    switch effect {
    case .loadEstate(let id):
      var messages: [Message] = []
      for origin in pairs {
        let secrets = estateSecrets.filter { $0.origin == origin }
        let split = Int.random(in: 0...secrets.count, using: &rng)
        messages.append(.pairEvent(requestID: id, origin: origin, event: .page(Array(secrets[..<split]))))
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: messages.append(.pairEvent(requestID: id, origin: origin, event: .failed(message: "AccessDenied")))
        case 1: messages.append(.pairEvent(requestID: id, origin: origin, event: .notEnabled))
        default:
          messages.append(.pairEvent(requestID: id, origin: origin, event: .page(Array(secrets[split...]))))
          messages.append(.pairEvent(requestID: id, origin: origin, event: .finished(count: secrets.count)))
        }
      }
      return messages.shuffled(using: &rng) + [.estateListed(requestID: id)]
    case .loadSecrets(let id):
      let all = Fixture.all
      let split = Int.random(in: 0...all.count, using: &rng)
      return [
        .secretsPageLoaded(requestID: id, secrets: Array(all[..<split]), isLastPage: false),
        Bool.random(using: &rng)
          ? .secretsPageLoaded(requestID: id, secrets: Array(all[split...]), isLastPage: true)
          : .secretsLoadFailed(requestID: id, message: "network down"),
      ]
    case .describe(let name, let deprecated, let id):
      let listed = Fixture.all.first { $0.name == name } ?? estateSecrets.first { $0.arn == name }
      guard var secret = listed, Int.random(in: 0..<10, using: &rng) > 0
      else { return [.describeFailed(requestID: id, message: "AccessDenied")] }
      if secret.name == Fixture.apiKey.name {
        let (arn, origin) = (secret.arn, secret.origin)
        secret = Fixture.apiKeyDescribed
        if origin != nil { (secret.arn, secret.origin) = (arn, origin) }
      }
      secret.versionsComplete = true
      secret.includesDeprecated = deprecated
      return [.secretDescribed(requestID: id, secret: secret)]
    case .cancelDescribe:
      // Nothing to answer: the read it stops was answered (or not) as its own effect.
      return []
    case .reveal(_, _, let id):
      return [
        Bool.random(using: &rng)
          ? .valueRevealed(requestID: id, value: RevealedValue("v")) : .revealFailed(requestID: id, message: "denied")
      ]
    case .execute(let plan, let id):
      var secret = Fixture.all.first { $0.name == plan.secretName } ?? Secret(name: plan.secretName)
      secret.versionsComplete = true
      let outcome: CommitOutcome
      switch Int.random(in: 0..<3, using: &rng) {
      case 0:
        secret.applyLabels(plan.after)
        outcome = .applied(plan: plan, secret: secret)
      case 1: outcome = .conflict(plan: plan, current: secret, changes: ["AWSCURRENT moved"])
      default:
        outcome = .failed(
          plan: plan, message: "Rate exceeded", appliedSteps: Int.random(in: 0...plan.steps.count, using: &rng),
          current: secret)
      }
      return [
        .commitProgress(requestID: id, step: 1, of: plan.steps.count), .commitFinished(requestID: id, outcome: outcome),
      ]
    case .prepareRotation(let secretId, let edit, let id):
      let listed = Fixture.all.first { $0.name == secretId } ?? estateSecrets.first { $0.arn == secretId }
      guard var secret = listed, Bool.random(using: &rng) else {
        return [.rotationPrepareFailed(requestID: id, message: "AccessDenied")]
      }
      secret.versionsComplete = true
      let value = edit && Bool.random(using: &rng) ? MaskedValue("fuzz value") : nil
      return [.rotationPrepared(requestID: id, secret: secret, token: "fuzz-token-\(id)", editedValue: value)]
    case .rotate(let secretId, let request, let seconds, let id):
      guard Int.random(in: 0..<5, using: &rng) > 0 else {
        return [.rotationEnded(requestID: id, end: .sendFailed("denied"))]
      }
      var secret = Fixture.all.first { $0.name == secretId || $0.arn == secretId } ?? Secret(name: secretId)
      secret.versionsComplete = true
      let reached = RotationStage.allCases.prefix(Int.random(in: 0...RotationStage.allCases.count, using: &rng))
      let ends: [RotationEnd] = [.followEnded, .timedOut(seconds: seconds), .readFailed("throttled")]
      return [.rotationAccepted(requestID: id)]
        + reached.map { stage -> Message in
          var seen = secret
          seen.versions.append(
            SecretVersion(versionId: request.token, labels: stage >= .currentMoved ? ["AWSCURRENT"] : ["AWSPENDING"]))
          return .rotationObserved(requestID: id, stage: stage, secret: seen)
        } + [.rotationEnded(requestID: id, end: ends.randomElement(using: &rng)!)]
    case .putPendingValue(let secretId, _, _, let id), .cancelRotation(let secretId, let id):
      var secret = Fixture.all.first { $0.name == secretId || $0.arn == secretId }
      secret?.versionsComplete = true
      return [
        .rotationCallFinished(
          requestID: id, result: Bool.random(using: &rng) ? .done(secret) : .failed("Rate exceeded"))
      ]
    case .executeChangeSet(let set, let id):
      var messages: [Message] = []
      for (index, plan) in set.plans.enumerated().shuffled(using: &rng) {
        var secret = Fixture.all.first { $0.name == plan.secretName } ?? Secret(name: plan.secretName)
        secret.versionsComplete = true
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:
          secret.applyLabels(plan.after)
          messages.append(.changeSetSecretFinished(requestID: id, index: index, outcome: .applied(secret: secret)))
        case 1:
          messages.append(
            .changeSetSecretFinished(
              requestID: id, index: index, outcome: .conflict(current: secret, changes: ["AWSCURRENT moved"])))
        case 2:
          messages.append(
            .changeSetSecretFinished(
              requestID: id, index: index,
              outcome: .failed(
                message: "Rate exceeded", appliedSteps: 0, current: Bool.random(using: &rng) ? secret : nil)))
        default:
          messages.append(
            .changeSetSecretFinished(
              requestID: id, index: index, outcome: .unknown(message: "connection reset", appliedSteps: 1)))
        }
      }
      // Sometimes a stray, out-of-range or repeated answer.
      if Bool.random(using: &rng) {
        messages.append(
          .changeSetSecretFinished(
            requestID: id, index: set.plans.count + 3, outcome: .unknown(message: "x", appliedSteps: 0)))
      }
      return messages + [.changeSetFinished(requestID: id)]
    case .writePlanFile(let path, _, _, _, let id):
      return [
        Bool.random(using: &rng)
          ? .planFileWritten(requestID: id, path: "/tmp/" + path) : .planFileFailed(requestID: id, message: "denied")
      ]
    case .waitForReplicas(_, _, let regions, let expected, _, let id):
      let outcomes: [ReplicaOutcome] = [.matched(after: 0.5), .behind(labels: expected), .failed("AccessDenied")]
      // Sometimes a Region never answers, or one the wait did not ask about does.
      return (regions + ["xx-stray-1"]).compactMap { region in
        Int.random(in: 0..<5, using: &rng) == 0
          ? nil
          : .replicaOutcome(
            requestID: Int.random(in: 0..<4, using: &rng) == 0 ? -id : id, region: region,
            outcome: outcomes.randomElement(using: &rng)!)
      }
    case .cancelLoading, .quit, .suspend:
      return []
    }
  }

  static func randomEvent(_ state: AppState, rng: inout SplitMix64) -> TerminalEvent {
    switch Int.random(in: 0..<100, using: &rng) {
    case 0..<70:
      return .key(keys.randomElement(using: &rng)!)
    case 70..<97:
      let kinds: [MouseEvent.Kind] = [
        .press(button: 1), .release(button: 1), .drag(button: 1), .move, .wheelUp, .wheelDown, .press(button: 3),
      ]
      let x = Int.random(in: -2...(state.width + 2), using: &rng)
      let y = Int.random(in: -2...(state.height + 2), using: &rng)
      return .mouse(MouseEvent(kinds.randomElement(using: &rng)!, x: x, y: y))
    default:
      return .resize(width: Int.random(in: 0...200, using: &rng), height: Int.random(in: 0...70, using: &rng))
    }
  }

  static func checkInvariants(_ state: AppState) -> String? {
    if !state.rows.allSatisfy({ state.secrets.indices.contains($0) }) { return "row out of range" }
    // The rows kept through the state's own index equal a filter run afresh.
    if state.rows != SecretFilter(state.filterText).apply(to: state.secrets) {
      return "rows differ from the filter applied afresh"
    }
    // Once per pair: the same name may be in two Regions.
    let listed = state.secrets.map { "\($0.name) \($0.origin?.description ?? "")" }
    if Set(listed).count != state.secrets.count { return "a secret listed twice" }
    if state.rows.isEmpty ? state.secretCursor != 0 : !state.rows.indices.contains(state.secretCursor) {
      return "secret cursor \(state.secretCursor) of \(state.rows.count)"
    }
    let versions = state.visibleVersions.count
    if versions == 0 ? state.versionCursor != 0 : !(0..<versions).contains(state.versionCursor) {
      return "version cursor \(state.versionCursor) of \(versions)"
    }
    if state.secretScroll < 0 || state.secretScroll > max(0, state.secretCursor) {
      return "secret scroll \(state.secretScroll)"
    }
    if state.versionScroll < 0 || state.versionScroll > max(0, state.versionCursor) {
      return "version scroll \(state.versionScroll)"
    }
    if !state.isTooSmall {
      let layout = state.layout
      if state.secretCursor - state.secretScroll >= max(1, layout.secretRowCount) { return "secret cursor off screen" }
      if state.versionCursor - state.versionScroll >= max(1, layout.versionRowCount) {
        return "version cursor off screen"
      }
    }
    return nil
  }

  /// 60 seeds of 1,000 terminal events each (60,000 events), with effect results mixed in.
  @Test(arguments: 1...60)
  func randomInputNeverBreaksTheUI(seed: Int) {
    var rng = SplitMix64(seed: UInt64(seed))
    let modes: [ColorMode] = [.sixteen, .eight, .none]
    var config = Fixture.config(
      readOnly: seed % 7 == 0, dryRun: seed % 5 == 0, colorMode: modes[seed % 3], asciiOnly: seed % 4 == 0)
    // A third of the seeds list two Regions at once.
    if seed % 3 == 1 { config.pairs = Self.pairs }
    var state = AppState(config: config, now: Fixture.now)
    var pending = update(&state, .started)
    var grid = CellGrid(width: 0, height: 0)
    var events = 0
    var step = 0
    while events < 1000 {
      step += 1
      if !pending.isEmpty && Int.random(in: 0..<3, using: &rng) == 0 {
        let effect = pending.remove(at: Int.random(in: 0..<pending.count, using: &rng))
        for message in Self.answer(effect, rng: &rng) { pending += update(&state, message) }
      } else {
        let shownPlan: Plan? = {
          if case .preview(let preview)? = state.popup { return preview.plan }
          return nil
        }()
        let shownSet: ChangeSet? = {
          if case .changeSetPreview(let preview)? = state.popup { return preview.set }
          return nil
        }()
        let event = Self.randomEvent(state, rng: &rng)
        events += 1
        let effects = update(&state, .terminal(event))
        for case .execute(let plan, _) in effects {
          #expect(
            event == .key(.char("y")) || event == .key(.char("W")), "seed \(seed) step \(step): \(event) sent a plan")
          #expect(plan == shownPlan, "seed \(seed) step \(step): executed plan differs from the preview")
          #expect(!state.dryRun, "seed \(seed) step \(step): dry run sent a plan")
        }
        for case .executeChangeSet(let set, _) in effects {
          #expect(event == .key(.char("y")), "seed \(seed) step \(step): \(event) sent a change set")
          #expect(set == shownSet, "seed \(seed) step \(step): executed change set differs from the preview")
          #expect(!state.dryRun, "seed \(seed) step \(step): dry run sent a change set")
          #expect(!state.config.readOnly, "seed \(seed) step \(step): read-only mode sent a change set")
        }
        for effect in effects {
          switch effect {
          case .rotate, .putPendingValue, .cancelRotation:
            #expect(event == .key(.char("y")), "seed \(seed) step \(step): \(event) sent \(effect)")
            #expect(!state.dryRun, "seed \(seed) step \(step): dry run sent \(effect)")
          default: break
          }
        }
        pending += effects.filter { $0 != .quit && $0 != .suspend }
      }
      if pending.count > 50 { pending.removeFirst(pending.count - 50) }
      if let problem = Self.checkInvariants(state) {
        Issue.record("seed \(seed) step \(step): \(problem)")
        return
      }
      if step % 15 == 0 {
        render(state, into: &grid)
        #expect(grid.width == max(0, state.width) && grid.height == max(0, state.height))
        let unsafe = grid.text.unicodeScalars.contains { $0 != "\n" && DisplayText.isDangerous($0) }
        #expect(!unsafe, "seed \(seed) step \(step): a control character reached the grid")
      }
    }
  }
}
