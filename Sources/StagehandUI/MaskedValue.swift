/// A value typed into the masked input or written in `$EDITOR`, on its way to
/// PutSecretValue. The screen shows one `•` per character and never the text; every
/// description (printing a state or an effect, a debugger `po`, `dump`) is redacted.
/// It lives only in the input popup, the preview and the effect that sends it.
public struct MaskedValue: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
  CustomReflectable
{
  /// The value itself: read only to send it.
  public private(set) var text: String

  public init(_ text: String = "") {
    self.text = text
  }

  /// Characters, as the masked input counts them (one `•` each).
  public var count: Int { text.count }

  /// The size AWS counts against its 64 KiB limit.
  public var byteCount: Int { text.utf8.count }

  public var isEmpty: Bool { text.isEmpty }

  mutating func append(_ character: Character) { text.append(character) }

  mutating func removeLast() {
    if !text.isEmpty { text.removeLast() }
  }

  public var description: String { "MaskedValue(\(byteCount) bytes, <redacted>)" }
  public var debugDescription: String { description }
  public var customMirror: Mirror { Mirror(self, children: [:]) }
}
