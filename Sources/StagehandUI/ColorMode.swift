/// How many colours the frame may use, decided once at start-up from the number of colours
/// terminfo reports (0 when `NO_COLOR` is set). One rule for the theme and the terminal: under
/// 8 is none, 8 to 15 is eight, 16 or more (16, 88, 256) is sixteen.
public enum ColorMode: Hashable, Sendable {
  /// `NO_COLOR`, or fewer than 8 colours: bold, reverse, underline and text markers carry the
  /// meaning instead.
  case none
  /// The 8 basic colours: bright colours become their base colour (plus bold for text).
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
