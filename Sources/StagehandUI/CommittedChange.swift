import Foundation
import StagingModel

/// One change committed in this session, for the history view and `u`.
public struct CommittedChange: Equatable, Sendable {
  public var plan: Plan
  public var at: Date
}
