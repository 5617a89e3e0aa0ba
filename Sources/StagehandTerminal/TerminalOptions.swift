/// How the terminal is set up.
public struct TerminalOptions: Hashable, Sendable {
  public enum Colors: Hashable, Sendable {
    /// As many as the terminal has.
    case auto
    /// None at all: bold, dim, reverse and underline only.
    case none
  }

  /// Mouse tracking (any-motion, SGR encoding) so clicks, drags and the wheel arrive.
  public var mouse: Bool
  public var colors: Colors
  /// nil: the process's own terminal.
  public var device: TerminalDevice?

  public init(mouse: Bool = true, colors: Colors = .auto, device: TerminalDevice? = nil) {
    self.mouse = mouse
    self.colors = colors
    self.device = device
  }

  /// Honours `NO_COLOR` (https://no-color.org): present with any value means no colour.
  /// Takes the environment as a value so tests never touch the process environment.
  public static func from(environment: [String: String], mouse: Bool = true) -> TerminalOptions {
    TerminalOptions(mouse: mouse, colors: environment["NO_COLOR"] != nil ? .none : .auto)
  }
}
