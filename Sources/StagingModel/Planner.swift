import Foundation

/// Turns an intent into the UpdateSecretVersionStage calls that carry it out, the state they
/// lead to and what a person should know, or refuses with a reason. It follows AWS's rules
/// (staging-semantics.md), never a moto quirk. Pure.
public enum Planner {
  /// Plans `intent` against `secret`'s known versions. Load deprecated versions first when
  /// the target may be one of them.
  public static func plan(_ intent: MoveIntent, for secret: Secret) -> Result<Plan, PlanRefusal> {
    plan(
      intent, secretName: secret.name, secretARN: secret.arn,
      context: StagingContext(
        labels: secret.labelMap, owningService: secret.owningService,
        scheduledForDeletion: secret.isScheduledForDeletion, primaryRegion: secret.primaryRegion,
        replicas: secret.replicationStatus))
  }

  public static func plan(
    _ intent: MoveIntent, secretName: String, secretARN: String? = nil, context: StagingContext
  ) -> Result<Plan, PlanRefusal> {
    do {
      let (steps, after) = try stepsAndPrediction(intent, secretName: secretName, context: context)
      var notes = notes(steps: steps, before: context.labels, after: after)
      if !context.replicas.isEmpty && !steps.isEmpty { notes.append(.replicates(to: context.replicas)) }
      return .success(
        Plan(
          secretName: secretName, secretARN: secretARN, intent: intent, steps: steps,
          before: context.labels, after: after, notes: notes))
    } catch {
      return .failure(error)
    }
  }

  // MARK: - Intents

  private static func stepsAndPrediction(
    _ intent: MoveIntent, secretName: String, context: StagingContext
  ) throws(PlanRefusal) -> ([StageStep], LabelMap) {
    if let region = context.primaryRegion { throw PlanRefusal.replica(secretName: secretName, primaryRegion: region) }
    if context.scheduledForDeletion {
      throw PlanRefusal.scheduledForDeletion(secretName: secretName, refused: "label changes on it")
    }
    if let service = context.owningService {
      throw PlanRefusal(
        .managedByService,
        "\(secretName) is managed by \(service), and AWS refuses label changes made outside it. "
          + "Change its versions through \(service).")
    }
    let map = context.labels
    switch intent {
    case .move(let label, let target, let from):
      // Only a label that would be created is checked: one that already exists (AWS accepts
      // any text) can always be moved or removed.
      if map.holder(of: label) == nil { try checkLabel(label) }
      try checkVersion(target, in: map, secretName: secretName)
      try checkSingleHolder(label, in: map)
      if let from {
        try checkVersion(from, in: map, secretName: secretName)
        let holder = map.holder(of: label)
        if holder != from {
          let actual = holder.map { "is on \(shortID($0))" } ?? "is on no version"
          throw PlanRefusal(
            .conflict,
            "\(label) \(actual), not on \(shortID(from)): the labels changed. Re-read the secret and try again.")
        }
      }
      return try moveLabel(label, to: target, in: map, secretName: secretName)

    case .add(let label, let target):
      try checkLabel(label)
      try checkVersion(target, in: map, secretName: secretName)
      try checkSingleHolder(label, in: map)
      if let holder = map.holder(of: label) {
        if holder == target { throw noOp(label, holder) }
        throw PlanRefusal(
          .labelExists,
          "\(label) is already on \(shortID(holder)).",
          suggestion: .move(secretName: secretName, label: label, to: target))
      }
      return try moveLabel(label, to: target, in: map, secretName: secretName)

    case .remove(let label, let from):
      try checkSingleHolder(label, in: map)
      guard let holder = map.holder(of: label) else {
        throw PlanRefusal(.unknownLabel, "\(label) is not on any version of \(secretName): nothing to remove.")
      }
      if let from, from != holder {
        try checkVersion(from, in: map, secretName: secretName)
        throw PlanRefusal(
          .conflict,
          "\(label) is on \(shortID(holder)), not on \(shortID(from)): the labels changed. Re-read the secret and try again."
        )
      }
      if label == StandardLabel.current {
        throw PlanRefusal(
          .removeCurrent,
          "AWSCURRENT can't be removed, only moved: a secret always has one current version.",
          suggestion: .move(secretName: secretName, label: StandardLabel.current, to: nil))
      }
      var after = map
      after.remove(label, from: holder)
      return ([StageStep(versionStage: label, removeFromVersionId: holder)], after)

    case .makeCurrent(let target):
      try checkVersion(target, in: map, secretName: secretName)
      try checkSingleHolder(StandardLabel.current, in: map)
      return try moveLabel(StandardLabel.current, to: target, in: map, secretName: secretName)

    case .rollback:
      try checkSingleHolder(StandardLabel.previous, in: map)
      try checkSingleHolder(StandardLabel.current, in: map)
      guard let previous = map.holder(of: StandardLabel.previous) else {
        throw PlanRefusal(
          .nothingToRollBack, "\(secretName) has no AWSPREVIOUS version, so there is nothing to roll back to.")
      }
      return try moveLabel(StandardLabel.current, to: previous, in: map, secretName: secretName)

    case .promotePending(let keepPending):
      try checkSingleHolder(StandardLabel.pending, in: map)
      try checkSingleHolder(StandardLabel.current, in: map)
      guard let pending = map.holder(of: StandardLabel.pending) else {
        throw PlanRefusal(
          .nothingPending, "\(secretName) has no AWSPENDING version, so there is no rotation to finish.")
      }
      var steps: [StageStep] = []
      var after = map
      if map.holder(of: StandardLabel.current) != pending {
        (steps, after) = try moveLabel(StandardLabel.current, to: pending, in: map, secretName: secretName)
      } else if keepPending {
        throw PlanRefusal(
          .noOp, "AWSPENDING is already on the AWSCURRENT version \(shortID(pending)): nothing to promote.")
      }
      if !keepPending {
        steps.append(StageStep(versionStage: StandardLabel.pending, removeFromVersionId: pending))
        after.remove(StandardLabel.pending, from: pending)
      }
      return (steps, after)

    case .restore(let target):
      return try restore(to: target, from: map, secretName: secretName)
    }
  }

  /// One label onto one version: the single call AWS needs, and what it leads to.
  private static func moveLabel(
    _ label: String, to target: VersionID, in map: LabelMap, secretName: String
  ) throws(PlanRefusal) -> ([StageStep], LabelMap) {
    let holder = map.holder(of: label)
    if holder == target { throw noOp(label, target) }
    var after = map
    if let holder { after.remove(label, from: holder) }
    after.add(label, to: target)
    if label == StandardLabel.current, let holder {
      // Rule 5: AWSPREVIOUS leaves whichever version had it and lands on the old current.
      if let previous = map.holder(of: StandardLabel.previous) { after.remove(StandardLabel.previous, from: previous) }
      after.add(StandardLabel.previous, to: holder)
    }
    try checkQuota(after, secretName: secretName)
    return ([StageStep(versionStage: label, removeFromVersionId: holder, moveToVersionId: target)], after)
  }

  /// The calls that turn `map` into `target`: AWSCURRENT first (its automatic AWSPREVIOUS
  /// shift happens then), then removals, moves and additions, so the quota is never passed
  /// on the way.
  private static func restore(
    to target: LabelMap, from map: LabelMap, secretName: String
  ) throws(PlanRefusal) -> ([StageStep], LabelMap) {
    for id in target.versionIDs where !map.contains(version: id) && !target.labels(on: id).isEmpty {
      throw PlanRefusal(
        .unknownVersion, "Version \(shortID(id)) no longer exists on \(secretName), so its labels can't be restored.")
    }
    for label in target.allLabels.union(map.allLabels) {
      try checkSingleHolder(label, in: map)
      if target.holders(of: label).count > 1 {
        throw PlanRefusal(.malformedState, "The requested labels put \(label) on more than one version.")
      }
    }
    if map.holder(of: StandardLabel.current) != nil && target.holder(of: StandardLabel.current) == nil {
      throw PlanRefusal(
        .removeCurrent, "AWSCURRENT can't be removed, only moved: the requested labels have no current version.")
    }
    var desired = map
    for id in desired.versionIDs {
      for label in desired.labels(on: id) { desired.remove(label, from: id) }
    }
    for id in target.versionIDs {
      for label in target.labels(on: id) { desired.add(label, to: id) }
    }
    if desired.sameLabels(as: map) {
      throw PlanRefusal(.noOp, "The labels of \(secretName) are already as requested: nothing to do.")
    }
    var steps: [StageStep] = []
    var sim = map
    // Labels that go away entirely leave first: moving AWSCURRENT may add AWSPREVIOUS, and
    // the room for it must exist at that moment.
    for label in sim.allLabels.subtracting([StandardLabel.current, StandardLabel.previous]).sorted()
    where desired.holder(of: label) == nil {
      let holder = sim.holder(of: label)!
      steps.append(StageStep(versionStage: label, removeFromVersionId: holder))
      sim.remove(label, from: holder)
    }
    if let want = desired.holder(of: StandardLabel.current), sim.holder(of: StandardLabel.current) != want {
      let (first, next) = try moveLabel(StandardLabel.current, to: want, in: sim, secretName: secretName)
      steps += first
      sim = next
    }
    let labels = desired.allLabels.union(sim.allLabels).subtracting([StandardLabel.current]).sorted()
    var removals: [StageStep] = []
    var moves: [StageStep] = []
    var additions: [StageStep] = []
    for label in labels {
      let want = desired.holder(of: label)
      let have = sim.holder(of: label)
      switch (have, want) {
      case let (have?, want?) where have != want:
        moves.append(StageStep(versionStage: label, removeFromVersionId: have, moveToVersionId: want))
      case let (have?, nil):
        removals.append(StageStep(versionStage: label, removeFromVersionId: have))
      case let (nil, want?):
        additions.append(StageStep(versionStage: label, moveToVersionId: want))
      default:
        break
      }
    }
    steps += removals + moves + additions
    try checkQuota(desired, secretName: secretName)
    return (steps, desired)
  }

  // MARK: - Checks

  private static func checkLabel(_ label: String) throws(PlanRefusal) {
    if let problem = StagingRules.validate(label: label) { throw PlanRefusal(.invalidLabel, problem) }
  }

  private static func checkVersion(_ id: VersionID, in map: LabelMap, secretName: String) throws(PlanRefusal) {
    if !map.contains(version: id) {
      throw PlanRefusal(
        .unknownVersion,
        "\(id) is not a version of \(secretName).", suggestion: .listVersions(secretName: secretName))
    }
  }

  /// AWS keeps a label on one version; a map where it sits on two (moto does that) is not
  /// something to plan on silently.
  private static func checkSingleHolder(_ label: String, in map: LabelMap) throws(PlanRefusal) {
    let holders = map.holders(of: label)
    if holders.count > 1 {
      throw PlanRefusal(
        .malformedState,
        "\(label) is on \(holders.count) versions (\(holders.map { shortID($0) }.joined(separator: ", "))), which AWS never allows.",
        suggestion: .removeFromAllButOne(label: label))
    }
  }

  private static func checkQuota(_ after: LabelMap, secretName: String) throws(PlanRefusal) {
    if after.labelCount > StandardLabel.quota {
      throw PlanRefusal(
        .quotaExceeded,
        "This would put \(after.labelCount) labels on \(secretName); AWS allows \(StandardLabel.quota) per secret. Remove a label you no longer need first."
      )
    }
  }

  private static func noOp(_ label: String, _ version: VersionID) -> PlanRefusal {
    PlanRefusal(.noOp, "\(label) is already on \(shortID(version)): nothing to do.")
  }

  // MARK: - Notes

  /// Label count from which the quota note appears.
  public static let quotaNoteThreshold = 16

  /// What a person should know about `steps` taking `before` to `after`.
  public static func notes(steps: [StageStep], before: LabelMap, after: LabelMap) -> [PlanNote] {
    var notes: [PlanNote] = []
    var sim = before
    for step in steps {
      if step.versionStage == StandardLabel.current, let from = step.removeFromVersionId,
        let to = step.moveToVersionId, from != to
      {
        let previous = sim.holder(of: StandardLabel.previous)
        if previous != from { notes.append(.previousShift(from: previous, to: from)) }
        if let previous { sim.remove(StandardLabel.previous, from: previous) }
        sim.add(StandardLabel.previous, to: from)
      }
      if let from = step.removeFromVersionId { sim.remove(step.versionStage, from: from) }
      if let to = step.moveToVersionId { sim.add(step.versionStage, to: to) }
    }
    for id in after.versionIDs where !before.labels(on: id).isEmpty && after.labels(on: id).isEmpty {
      notes.append(.deprecated(id))
    }
    if let pending = after.holder(of: StandardLabel.pending), pending != after.holder(of: StandardLabel.current) {
      notes.append(.pendingLeftBehind(pending))
    }
    if after.labelCount >= quotaNoteThreshold { notes.append(.quota(used: after.labelCount)) }
    if steps.count > 1 { notes.append(.notAtomic(steps: steps.count)) }
    return notes
  }
}
