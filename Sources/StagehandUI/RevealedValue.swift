/// A secret value shown in the reveal popup. Its descriptions are redacted so printing or
/// dumping the state (a crash report, a debugger `po`) never shows the value.
public struct RevealedValue: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
  CustomReflectable
{
  public let text: String

  public init(_ text: String) {
    self.text = text
  }

  public var description: String { "<redacted>" }
  public var debugDescription: String { "<redacted>" }
  public var customMirror: Mirror { Mirror(self, children: [:]) }
}
