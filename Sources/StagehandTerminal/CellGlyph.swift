import StagehandUI

/// What a cell sends to `setcchar`: the grapheme's scalars, zero-terminated.
public enum CellGlyph {
  /// ncurses keeps a spacing character plus up to four combining ones.
  public static let maxScalars = 5

  /// Control characters become a space: `add_wch` would act on them (a newline clears the
  /// rest of the row and moves the cursor), which would corrupt the frame.
  public static func scalars(for text: String) -> [Int32] {
    var buffer = [Int32](repeating: 0, count: maxScalars + 1)
    fill(&buffer, for: text)
    return Array(buffer[...(buffer.firstIndex(of: 0) ?? maxScalars)])
  }

  /// True when `text` is one printable ASCII character: one column, no width to work out.
  public static func isPrintableASCII(_ text: String) -> Bool {
    let utf8 = text.utf8
    guard utf8.count == 1, let byte = utf8.first else { return false }
    return byte >= 0x20 && byte < 0x7F
  }

  /// `scalars(for:)` written into `buffer` (at least `maxScalars + 1` long), zero-terminated,
  /// without allocating: the terminal fills one buffer for every cell of a frame. A printable
  /// ASCII character, nearly every cell, is one byte check.
  public static func fill(_ buffer: inout [Int32], for text: String) {
    if isPrintableASCII(text), let byte = text.utf8.first {
      buffer[0] = Int32(byte)
      buffer[1] = 0
      return
    }
    guard let first = text.unicodeScalars.first, first.value >= 0x20, !(0x7F..<0xA0).contains(first.value) else {
      buffer[0] = 0x20
      buffer[1] = 0
      return
    }
    var count = 0
    for scalar in text.unicodeScalars.prefix(maxScalars) {
      buffer[count] = Int32(bitPattern: scalar.value)
      count += 1
    }
    buffer[count] = 0
  }
}
