internal import CNcursesw

/// Attribute flags; the raw values are the shim's `CN_ATTR_*` bits, which the C side maps
/// to `A_BOLD` and friends (macros Swift cannot import).
public struct TextAttributes: OptionSet, Hashable, Sendable {
  public let rawValue: UInt32
  public init(rawValue: UInt32) { self.rawValue = rawValue }

  public static let bold = TextAttributes(rawValue: UInt32(CN_ATTR_BOLD))
  public static let dim = TextAttributes(rawValue: UInt32(CN_ATTR_DIM))
  public static let reverse = TextAttributes(rawValue: UInt32(CN_ATTR_REVERSE))
  public static let underline = TextAttributes(rawValue: UInt32(CN_ATTR_UNDERLINE))
}
