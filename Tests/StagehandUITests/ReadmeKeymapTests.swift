import Foundation
import StagehandTestSupport
import Testing

@testable import StagehandUI

/// README's keybindings section is generated from the keymap, so the two can't disagree.
/// `SNAPSHOT_RECORD=1 swift test --filter ReadmeKeymapTests` rewrites the section (and fails,
/// so a rewrite is always looked at).
@Suite(.ownThreads)
struct ReadmeKeymapTests {
  static let begin =
    "<!-- keymap:begin (generated from Keymap.standard: SNAPSHOT_RECORD=1 swift test --filter ReadmeKeymapTests) -->"
  static let end = "<!-- keymap:end -->"

  static var readmeURL: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("README.md")
  }

  @Test func readmeTableMatchesTheKeymap() throws {
    let readme = try String(contentsOf: Self.readmeURL, encoding: .utf8)
    let expected = Keymap.standard.markdownTable().trimmingCharacters(in: .whitespacesAndNewlines)
    let start = try #require(readme.range(of: Self.begin), "README.md lacks the marker \(Self.begin)")
    let stop = try #require(readme.range(of: Self.end, range: start.upperBound..<readme.endIndex))
    let current = readme[start.upperBound..<stop.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
    if ProcessInfo.processInfo.environment["SNAPSHOT_RECORD"] == "1" {
      let updated = readme.replacingCharacters(in: start.upperBound..<stop.lowerBound, with: "\n" + expected + "\n")
      try updated.write(to: Self.readmeURL, atomically: true, encoding: .utf8)
      Issue.record("README.md keybindings rewritten from the keymap; run again without SNAPSHOT_RECORD")
      return
    }
    #expect(
      current == expected, "README.md's keybindings differ from Keymap.standard: regenerate them (see the marker)")
  }
}
