/// A terminal other than the process's own (stdin/stdout, else /dev/tty): a pseudo-terminal
/// in tests, so `Terminal` runs against real ncurses without taking over the test runner's
/// output.
public struct TerminalDevice: Hashable, Sendable {
  public var inputDescriptor: Int32
  public var outputDescriptor: Int32
  /// A terminfo name such as "xterm-256color"; nil uses `TERM`.
  public var type: String?

  public init(inputDescriptor: Int32, outputDescriptor: Int32, type: String? = nil) {
    self.inputDescriptor = inputDescriptor
    self.outputDescriptor = outputDescriptor
    self.type = type
  }
}
