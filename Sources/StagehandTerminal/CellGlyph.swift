import StagehandUI

/// What a cell sends to `setcchar`: the grapheme's scalars, zero-terminated.
public enum CellGlyph {
  /// ncurses keeps a spacing character plus up to four combining ones.
  public static let maxScalars = 5

  /// Control characters become a space: `add_wch` would act on them (a newline clears the
  /// rest of the row and moves the cursor), which would corrupt the frame.
  public static func scalars(for text: String) -> [Int32] {
    guard let first = text.unicodeScalars.first else { return [0x20, 0] }
    if first.value < 0x20 || (0x7F..<0xA0).contains(first.value) { return [0x20, 0] }
    return text.unicodeScalars.prefix(maxScalars).map { Int32(bitPattern: $0.value) } + [0]
  }
}
