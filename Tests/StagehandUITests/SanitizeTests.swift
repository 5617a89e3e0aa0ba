import StagehandTestSupport
import StagehandUI
import Testing

@Suite(.ownThreads) struct SanitizeTests {
  @Test(arguments: [
    ("plain/name-1", "plain/name-1"),
    ("a\u{1B}[31mred", "a\u{241B}[31mred"),
    ("tab\there", "tab\u{2409}here"),
    ("nl\nx", "nl\u{240A}x"),
    ("del\u{7F}", "del\u{2421}"),
    ("c1\u{9B}31m", "c1<U+009B>31m"),
    ("rlo\u{202E}txt.exe", "rlo<U+202E>txt.exe"),
    ("lre\u{202A}x\u{202C}", "lre<U+202A>x<U+202C>"),
    ("iso\u{2066}x\u{2069}", "iso<U+2066>x<U+2069>"),
    ("zw\u{200B}sp\u{200D}j\u{FEFF}", "zw<U+200B>sp<U+200D>j<U+FEFF>"),
    ("wj\u{2060}x", "wj<U+2060>x"),
    ("日本語", "日本語"),
    ("café", "café"),
  ])
  func makesControlsVisible(input: String, expected: String) {
    #expect(sanitizeForDisplay(input) == expected)
  }

  @Test func asciiFallbackUsesCaretNotationAndCodePoints() {
    #expect(sanitizeForDisplay("a\u{1B}b\u{7F}", asciiOnly: true) == "a^[b^?")
    #expect(sanitizeForDisplay("é\u{202E}", asciiOnly: true) == "<U+00E9><U+202E>")
  }

  @Test func outputNeverContainsTerminalControls() {
    var input = ""
    for value in UInt32(0)...0x2100 {
      if let scalar = Unicode.Scalar(value) { input.unicodeScalars.append(scalar) }
    }
    let output = sanitizeForDisplay(input)
    let dangerous = output.unicodeScalars.filter { scalar in
      let v = scalar.value
      return v < 0x20 || (0x7F...0x9F).contains(v) || (0x200B...0x200F).contains(v) || (0x202A...0x202E).contains(v)
        || (0x2066...0x2069).contains(v) || v == 0x2060 || v == 0xFEFF
    }
    #expect(dangerous.isEmpty)
  }
}
