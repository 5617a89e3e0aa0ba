import StagehandTestSupport
import Testing

/// A failed snapshot reports the lines that differ, numbered, expected against actual.
@Suite(.ownThreads)
struct SnapshotDiffTests {
  @Test func changedMissingAndExtraLinesAreNumbered() {
    let expected = "header\n│ prod/db  │\n│ prod/api │\nfooter"
    let actual = "header\n│ prod/dB  │\nfooter\nextra "
    #expect(
      lineDiff(expected: expected, actual: actual) == """
        - 2 |│ prod/db  │|
        - 3 |│ prod/api │|
        + 2 |│ prod/dB  │|
        + 4 |extra |
        """)
  }

  @Test func linesPastTenAreAligned() {
    let lines = (1...12).map { "row \($0)" }
    var changed = lines
    changed[10] = "row eleven"
    #expect(
      lineDiff(expected: lines.joined(separator: "\n"), actual: changed.joined(separator: "\n")) == """
        - 11 |row 11|
        + 11 |row eleven|
        """)
  }

  @Test func equalTextsHaveNoDiff() {
    #expect(lineDiff(expected: "a\nb", actual: "a\nb").isEmpty)
  }
}
