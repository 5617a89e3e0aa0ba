/// Secret names, descriptions, tags and labels are data, never terminal control. These
/// helpers make every character that could steer a terminal (C0 and C1 controls, ESC, DEL)
/// or hide, reorder or break text (bidi overrides and isolates, zero-width characters, line
/// and paragraph separators) visible and inert before anything is drawn or printed. The CLI
/// and the UI both use them; the UI passes its presentation options.
public enum DisplayText {
  /// `text` with each dangerous character replaced by a visible stand-in: C0 controls and DEL
  /// by their Control Pictures (ESC shows as ␛), or in caret notation (`^[`, `^?`) when
  /// `asciiOnly`; C1 controls, bidi controls and invisible characters as `<U+hhhh>` (hex code
  /// point). With `asciiOnly`, every other non-ASCII character is shown as `<U+hhhh>` too, for
  /// terminals without UTF-8.
  public static func sanitized(_ text: String, asciiOnly: Bool) -> String {
    // Printable ASCII, the usual case, needs no look at scalars.
    if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
    if !asciiOnly && !text.unicodeScalars.contains(where: isDangerous) { return text }
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      let v = scalar.value
      if v < 0x20 || v == 0x7F {
        if asciiOnly {
          out.append("^")
          out.append(v == 0x7F ? "?" : Unicode.Scalar(UInt8(v + 0x40)))
        } else {
          out.append(Unicode.Scalar(v == 0x7F ? 0x2421 : 0x2400 + v)!)
        }
      } else if isDangerous(scalar) || (asciiOnly && v > 0x7E) {
        let hex = String(v, radix: 16, uppercase: true)
        out.append(contentsOf: "<U+\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex)>".unicodeScalars)
      } else {
        out.append(scalar)
      }
    }
    return String(out)
  }

  /// `sanitized(text, asciiOnly: false)`, the CLI's form, with a name of its own so it can be
  /// passed as a function (`names.map(DisplayText.sanitized)`).
  public static func sanitized(_ text: String) -> String {
    sanitized(text, asciiOnly: false)
  }

  /// `text` kept on its line inside a message that is made safe later, as a whole, where it is
  /// shown: its line feeds and carriage returns become the stand-ins `sanitized` gives them
  /// (␊, ␍) and nothing else changes. A server's words or a secret's name quoted in a message
  /// can then not start a line of their own (a message is made safe line by line), and are
  /// still made safe exactly once. Making the whole message safe gives what making `text` safe
  /// before quoting it gave.
  public static func inline(_ text: String) -> String {
    guard text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) else { return text }
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\n", "\r": out.append(Unicode.Scalar(0x2400 + scalar.value)!)
      default: out.append(scalar)
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
