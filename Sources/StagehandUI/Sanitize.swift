import StagingModel

/// Makes untrusted text (secret names, descriptions, tags, labels) safe to draw: anything a
/// terminal would interpret, or that reorders or hides text, becomes a visible inert token.
///
/// Names come from whoever can create secrets in the account, so an ESC sequence or a bidi
/// override in a name must never reach the terminal or disguise one name as another.
/// C0 controls and DEL become Unicode control pictures (`␛` for ESC), or caret notation
/// (`^[`) when `asciiOnly`; C1 controls, bidi embeddings/overrides/isolates, zero-width
/// characters and line/paragraph separators become `<U+hhhh>` (hex code point). The set of dangerous
/// characters is StagingModel's `DisplayText.isDangerous`, so the CLI and the UI agree; it
/// includes the line and paragraph separators, which would also break a row in two.
public func sanitizeForDisplay(_ text: String, asciiOnly: Bool = false) -> String {
  var out = ""
  out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
  for scalar in text.unicodeScalars {
    let v = scalar.value
    switch v {
    case 0x00...0x1F:
      if asciiOnly {
        out += "^" + String(UnicodeScalar(UInt8(v + 0x40)))
      } else {
        out.unicodeScalars.append(UnicodeScalar(0x2400 + v)!)
      }
    case 0x7F:
      if asciiOnly { out += "^?" } else { out.unicodeScalars.append(UnicodeScalar(0x2421)!) }
    case 0x2028, 0x2029:
      out += codePointToken(v)
    case _ where DisplayText.isDangerous(scalar):
      out += codePointToken(v)
    default:
      if asciiOnly && v > 0x7E {
        out += codePointToken(v)
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
  }
  return out
}

/// A version id shortened for a popup or a title: made safe as ASCII, as the versions pane
/// shows ids (AWS ids are ASCII, so anything else is shown as code points), then cut to 8
/// characters and "…".
func shortDisplayID(_ id: VersionID) -> String {
  shortID(sanitizeForDisplay(id, asciiOnly: true))
}

private func codePointToken(_ value: UInt32) -> String {
  var hex = String(value, radix: 16, uppercase: true)
  while hex.count < 4 { hex = "0" + hex }
  return "<U+\(hex)>"
}
