import Foundation
import StagehandTestSupport
import StagehandUI
import Testing

@Suite(.ownThreads) struct DateTextTests {
  let text = DateText(timeZone: TimeZone(identifier: "UTC")!)

  @Test func absoluteAndDay() {
    let date = Fixture.date("2026-11-26T09:30:00Z")
    #expect(text.absolute(date) == "2026-11-26 09:30")
    #expect(text.day(date) == "2026-11-26")
  }

  /// To the nearest millisecond first, as DateFormatter did for the CLI's tables.
  @Test func readsDatesToTheMillisecond() {
    let date = Fixture.date("2026-11-26T09:29:00Z")
    #expect(text.absolute(date.addingTimeInterval(59.9996)) == "2026-11-26 09:30")
    #expect(text.absolute(date.addingTimeInterval(59.999)) == "2026-11-26 09:29")
    #expect(text.day(Fixture.date("2026-11-27T00:00:00Z").addingTimeInterval(-0.0004)) == "2026-11-27")
    #expect(DateText.utc.absolute(date) == "2026-11-26 09:29")
  }

  static let cases: [(Double, String)] = [
    (30, "just now"), (300, "5m ago"), (7200, "2h ago"), (259_200, "3d ago"), (7_776_000, "3mo ago"),
    (69_120_000, "2y ago"), (-172_800, "in 2d"),
  ]

  @Test(arguments: cases)
  func relative(seconds: Double, expected: String) {
    let now = Fixture.now
    #expect(text.relative(now.addingTimeInterval(-seconds), now: now) == expected)
  }
}
