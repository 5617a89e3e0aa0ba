/// How many colours the frame may use, decided once from the terminal and `NO_COLOR`.
public enum ColorMode: Hashable, Sendable {
  /// `NO_COLOR`, or a monochrome terminal: attributes only.
  case none
  /// Eight colours: bright colours become their base colour (plus bold for text).
  case eight
  /// Sixteen or more: the bright colours exist.
  case sixteen

  public init(colorCount: Int) {
    switch colorCount {
    case ..<8: self = .none
    case 8..<16: self = .eight
    default: self = .sixteen
    }
  }
}
