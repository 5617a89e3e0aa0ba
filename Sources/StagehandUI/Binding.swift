/// One row of the keymap: the keys, what they do, how help describes them, and when they
/// can't act (lazygit keeps such keys visible with the reason instead of hiding them).
public struct Binding: Sendable {
  public var keys: [Key]
  public var action: Action
  /// A word or two for the hint bar.
  public var short: String
  /// A sentence for the help screen and the README.
  public var long: String
  public var context: KeyContext
  public var showInBar: Bool
  /// Why the binding can't act in this state, or nil when it can.
  public var disabledReason: @Sendable (AppState) -> String?
  /// False where the binding has no use at all (the pair picker without an estate): the bar
  /// leaves it out rather than showing it disabled. Help still lists it, with the reason.
  public var inBarWhen: @Sendable (AppState) -> Bool

  public init(
    _ keys: [Key], _ action: Action, _ short: String, _ long: String, context: KeyContext,
    showInBar: Bool = true, disabledReason: @escaping @Sendable (AppState) -> String? = { _ in nil },
    inBarWhen: @escaping @Sendable (AppState) -> Bool = { _ in true }
  ) {
    self.keys = keys
    self.action = action
    self.short = short
    self.long = long
    self.context = context
    self.showInBar = showInBar
    self.disabledReason = disabledReason
    self.inBarWhen = inBarWhen
  }

  /// "up/k": the keys as the bar, the help screen and the README print them.
  public var keyLabel: String { keys.map(\.name).joined(separator: "/") }
}
