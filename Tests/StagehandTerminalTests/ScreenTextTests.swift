import StagehandTestSupport
import Testing

@Suite("ScreenText", .ownThreads)
struct ScreenTextTests {
  @Test func locatesTextByColumnAndRow() {
    let found = ScreenText.locate("[AWSCURRENT]", in: "title\n│ ab [AWSCURRENT]")
    #expect(found?.x == 5)
    #expect(found?.y == 1)
    #expect(ScreenText.locate("absent", in: "title") == nil)
  }
}
