import Foundation

/// One change asked of many secrets at once (a bulk `promote --filter`, the TUI's marks, a
/// plan file): a plan for each secret the planner accepts and the refusal of each it does
/// not, so no secret is silently dropped. Each plan stands alone: AWS has no transaction
/// across secrets, and each is re-read for drift before its calls are sent.
public struct ChangeSet: Equatable, Sendable {
  /// A secret left out, and why (managed, deleted, a replica, nothing to do).
  public struct Skipped: Equatable, Sendable {
    public var secretName: String
    public var secretARN: String?
    public var refusal: PlanRefusal

    public init(secretName: String, secretARN: String? = nil, refusal: PlanRefusal) {
      self.secretName = secretName
      self.secretARN = secretARN
      self.refusal = refusal
    }
  }

  public var plans: [Plan]
  public var skipped: [Skipped]

  public init(plans: [Plan] = [], skipped: [Skipped] = []) {
    self.plans = plans
    self.skipped = skipped
  }

  /// Plans the intent `intent` gives for each of `secrets`, in their order.
  public static func plan(_ secrets: [Secret], intent: (Secret) -> MoveIntent) -> ChangeSet {
    var set = ChangeSet()
    for secret in secrets {
      switch Planner.plan(intent(secret), for: secret) {
      case .success(let plan): set.plans.append(plan)
      case .failure(let refusal):
        set.skipped.append(Skipped(secretName: secret.name, secretARN: secret.arn, refusal: refusal))
      }
    }
    return set
  }

  /// The UpdateSecretVersionStage calls the plans make, together.
  public var callCount: Int { plans.reduce(0) { $0 + $1.steps.count } }

  /// "3 secrets, 5 calls; 1 skipped".
  public var summary: String { Self.summary(secrets: plans.count, calls: callCount, skipped: skipped.count) }

  public static func summary(secrets: Int, calls: Int, skipped: Int) -> String {
    let secretsText = secrets == 1 ? "1 secret" : "\(secrets) secrets"
    let callsText = calls == 1 ? "1 call" : "\(calls) calls"
    return "\(secretsText), \(callsText)" + (skipped == 0 ? "" : "; \(skipped) skipped")
  }

  /// Each plan whose secret's labels, as read now (`current`, by secret id), are not its
  /// `before`, with what moved; a secret missing from `current` drifted too (it could not be
  /// found). Empty when the whole set may go ahead.
  public func drift(current: [String: LabelMap]) -> [(plan: Plan, changes: [String])] {
    plans.compactMap { plan in
      guard let now = current[plan.secretId] else { return (plan, ["the secret could not be read"]) }
      let changes = LabelMap.changes(from: plan.before.labelledVersions, to: now.labelledVersions)
      return changes.isEmpty ? nil : (plan, changes)
    }
  }
}

extension LabelMap {
  /// A line for every label whose holders differ between `old` and `new`: "AWSCURRENT was on
  /// 3f2a…, now on 9c1b…".
  public static func changes(from old: LabelMap, to new: LabelMap) -> [String] {
    old.allLabels.union(new.allLabels).sorted().compactMap { label in
      let was = old.holders(of: label)
      let now = new.holders(of: label)
      guard was != now else { return nil }
      func text(_ ids: [VersionID]) -> String {
        ids.isEmpty ? "on no version" : "on " + ids.map { shortID($0) }.joined(separator: ", ")
      }
      return "\(label) was \(text(was)), now \(text(now))"
    }
  }
}
