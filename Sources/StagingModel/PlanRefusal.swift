import Foundation

/// Why the planner will not make a plan, with a message that says what to do instead.
public struct PlanRefusal: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
  public enum Reason: Equatable, Hashable, Sendable {
    case scheduledForDeletion
    case managedByService
    case unknownVersion
    case unknownLabel
    case removeCurrent
    case invalidLabel
    case quotaExceeded
    case noOp
    case conflict
    case nothingToRollBack
    case nothingPending
    case labelExists
    case malformedState
  }

  public var reason: Reason
  public var message: String

  public init(_ reason: Reason, _ message: String) {
    self.reason = reason
    self.message = message
  }

  public var description: String { message }
}
