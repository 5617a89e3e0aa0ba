import StagehandTestSupport
import Testing

@testable import StagehandTerminal

@Suite("TerminalOptions", .ownThreads)
struct TerminalOptionsTests {
  @Test func noColorTurnsColoursOffWhateverItsValue() {
    #expect(TerminalOptions.from(environment: ["NO_COLOR": "1"]).colors == .none)
    #expect(TerminalOptions.from(environment: ["NO_COLOR": ""]).colors == .none)
    #expect(TerminalOptions.from(environment: ["TERM": "xterm"]).colors == .auto)
  }

  @Test func mouseIsOnUnlessAskedOtherwise() {
    #expect(TerminalOptions.from(environment: [:]).mouse)
    #expect(!TerminalOptions.from(environment: [:], mouse: false).mouse)
  }

  @Test func errorsSayWhatToDo() {
    #expect(TerminalError.unknownTerminalType("vt9000").description.contains("'vt9000'"))
    #expect(TerminalError.unknownTerminalType(nil).description.contains("TERM is not set"))
    #expect(TerminalError.notATerminal.description.contains("needs a terminal"))
  }
}
