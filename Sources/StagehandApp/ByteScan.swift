/// Whole-string byte tests for the output writers, eight bytes at a time (SWAR): `list` at
/// 10,000 secrets asks them of some 100,000 strings.
enum ByteScan {
  /// Only bytes 0x20 through 0x7E: such text is its own terminal-safe form (see
  /// `DisplayText.sanitized`), one Character a byte.
  static func isPrintableASCII(_ text: String) -> Bool {
    !any(text) { word in
      hasByteBelow(word, 0x20) | (word & high) | hasZeroByte(word ^ (ones &* 0x7F))
    } byte: {
      $0 &- 0x20 >= 0x5F
    }
  }

  /// A quote, a backslash or a control character (what a JSON string must escape).
  static func needsJSONEscape(_ text: String) -> Bool {
    any(text) { word in
      hasByteBelow(word, 0x20) | hasZeroByte(word ^ (ones &* 0x22)) | hasZeroByte(word ^ (ones &* 0x5C))
    } byte: {
      $0 < 0x20 || $0 == 0x22 || $0 == 0x5C
    }
  }

  private static let ones: UInt64 = 0x0101_0101_0101_0101
  private static let high: UInt64 = 0x8080_8080_8080_8080

  /// Non-zero when some byte of `word` is zero (exact as a yes/no).
  @inline(__always) private static func hasZeroByte(_ word: UInt64) -> UInt64 {
    (word &- ones) & ~word & high
  }

  /// Non-zero when some byte of `word` is below `limit` (at most 0x80; exact as a yes/no).
  @inline(__always) private static func hasByteBelow(_ word: UInt64, _ limit: UInt64) -> UInt64 {
    (word &- ones &* limit) & ~word & high
  }

  /// True when `word` flags some 8-byte group of the text's UTF-8 or `byte` some byte of the
  /// tail.
  @inline(__always) private static func any(
    _ text: String, word: (UInt64) -> UInt64, byte: (UInt8) -> Bool
  ) -> Bool {
    let found = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
      guard let base = bytes.baseAddress else { return false }
      let raw = UnsafeRawPointer(base)
      var offset = 0
      var flags: UInt64 = 0
      while offset + 8 <= bytes.count {
        flags |= word(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        offset += 8
      }
      if flags != 0 { return true }
      while offset < bytes.count {
        if byte(bytes[offset]) { return true }
        offset += 1
      }
      return false
    }
    return found ?? text.utf8.contains(where: byte)
  }
}
