/// Secret names, descriptions, tags and labels are data, never terminal control. These
/// helpers make every character that could steer a terminal (C0 and C1 controls, ESC, DEL)
/// or hide or reorder text (bidi overrides and isolates, zero-width characters) visible and
/// inert before anything is drawn or printed.
public enum DisplayText {
  /// `text` with each dangerous character replaced by a visible stand-in: C0 controls and DEL
  /// by their Control Pictures (ESC shows as ␛), C1 controls, bidi controls and invisible
  /// characters as `<U+hhhh>` (hex code point).
  public static func sanitized(_ text: String) -> String {
    // Printable ASCII, the usual case, needs no look at scalars.
    if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
    guard text.unicodeScalars.contains(where: isDangerous) else { return text }
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      if !isDangerous(scalar) {
        out.append(scalar)
      } else if scalar.value < 0x20 {
        out.append(Unicode.Scalar(0x2400 + scalar.value)!)
      } else if scalar.value == 0x7F {
        out.append(Unicode.Scalar(0x2421)!)
      } else {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        out.append(contentsOf: "<U+\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex)>".unicodeScalars)
      }
    }
    return String(out)
  }

  /// True for characters that must never reach a terminal as they are.
  public static func isDangerous(_ scalar: Unicode.Scalar) -> Bool {
    let v = scalar.value
    if v < 0x20 || (0x7F...0x9F).contains(v) { return true }
    switch v {
    // Zero-width and bidi controls, the line and paragraph separators (invisible breaks that
    // some terminals and editors act on), word joiners, the byte-order mark, annotations.
    case 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2064, 0x2066...0x2069, 0xFEFF, 0x061C, 0x180E, 0xFFF9...0xFFFB:
      return true
    default:
      return false
    }
  }
}
