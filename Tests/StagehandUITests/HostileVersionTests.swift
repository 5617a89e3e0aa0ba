import Foundation
import StagehandTestSupport
import StagehandUI
import StagingModel
import Testing

/// Version ids come from the server like names do: ids carrying ESC, CSI (U+009B), a bidi
/// override, CR, LF, TAB and NUL, and dates no clock gives (1e300 seconds, -1e15), render
/// inert and without a crash in the versions pane, its detail line and every popup that
/// shows an id.
@Suite(.ownThreads) struct HostileVersionTests {
  static let ids = [
    "aaaa\u{1B}[2J\u{1B}[Hcleared", "\u{9B}31mcsi-0000-4000-8000-000000000000", "\u{202E}exe.txt-id",
    "cr\rlf\ntab\tnul\u{0}end", "\u{2028}line-sep",
  ]

  static var secret: Secret {
    let dates = [1e300, -1e15, 1e20, -1e300, 0]
    let labels: [Set<String>] = [
      [StandardLabel.current, "x\u{1B}]0;pwn\u{7}"], [StandardLabel.previous], [StandardLabel.pending], ["blue"],
      ["green\u{202E}"],
    ]
    return Secret(
      name: "hostile/ids", createdDate: Date(timeIntervalSince1970: -1e15),
      lastChangedDate: Date(timeIntervalSince1970: 1e300),
      versions: ids.enumerated().map { index, id in
        SecretVersion(
          versionId: id,
          labels: labels[index],
          createdDate: Date(timeIntervalSince1970: dates[index]),
          lastAccessedDate: Date(timeIntervalSince1970: dates[(index + 1) % dates.count]))
      }, versionsComplete: true, includesDeprecated: true)
  }

  /// No scalar a terminal would act on, nor a line or paragraph separator, in any cell.
  static func dangerous(_ grid: CellGrid) -> [Unicode.Scalar] {
    grid.cells.flatMap { cell in
      cell.text.unicodeScalars.filter { DisplayText.isDangerous($0) || $0.value == 0x2028 || $0.value == 0x2029 }
    }
  }

  @Test(arguments: [(80, 24, false), (120, 40, false), (120, 40, true)])
  func hostileIdsAndDatesRenderInert(width: Int, height: Int, asciiOnly: Bool) {
    var state = AppState(
      config: Fixture.config(asciiOnly: asciiOnly), now: Fixture.now, width: width, height: height)
    guard case .loadSecrets(let id)? = send(&state, .started).first else {
      Issue.record("no load")
      return
    }
    send(&state, .secretsPageLoaded(requestID: id, secrets: [Self.secret], isLastPage: true))
    press(&state, .enter)
    var screens = 0
    func check(_ step: String) {
      let grid = render(state)
      #expect(Self.dangerous(grid).isEmpty, "\(step): \(grid.text)")
      screens += 1
    }
    check("versions")
    for row in Self.ids.indices {
      check("row \(row)")
      // Each popup that names a version (add label, remove label, make current, reveal),
      // then back.
      for key: Character in ["a", "x", "c", "v"] {
        press(&state, .char(key))
        check("\(key) on row \(row)")
        press(&state, .escape)
      }
      press(&state, .down)
    }
    // The plan preview lists the ids of the versions it changes.
    // The first row holds two labels: m chooses, enter picks AWSCURRENT up.
    press(&state, .char("g"), .char("m"), .enter, .down)
    check("carrying")
    press(&state, .enter)
    if case .preview? = state.popup {} else { Issue.record("no preview: \(render(state).text)") }
    check("move preview")
    #expect(render(state).text.contains(asciiOnly ? "^[[2J" : "␛[2J") || render(state).text.contains("<U+009B>"))
    #expect(screens == 3 + 5 * Self.ids.count)
  }

  /// Without UTF-8 a label's controls show in caret notation, in its chip and in the status
  /// line alike: each text is made safe once, as the screen draws it, never as a control
  /// picture first (which would then show as `<U+241B>`).
  @Test func asciiOnlyShowsControlsInCaretNotationEverywhere() {
    var state = AppState(config: Fixture.config(asciiOnly: true), now: Fixture.now, width: 120, height: 40)
    guard case .loadSecrets(let id)? = send(&state, .started).first else {
      Issue.record("no load")
      return
    }
    send(&state, .secretsPageLoaded(requestID: id, secrets: [Self.secret], isLastPage: true))
    press(&state, .enter)
    let row = render(state).text.split(separator: "\n", omittingEmptySubsequences: false)[state.layout.versionRowsTop]
    #expect(row.contains("[x^[]0;pwn^G]"), "\(row)")
    press(&state, .char("m"), .right, .enter)
    #expect(state.move == .carrying(label: "x\u{1B}]0;pwn\u{7}", from: Self.ids[0]))
    let grid = render(state)
    #expect(
      grid.text.split(separator: "\n", omittingEmptySubsequences: false)[state.layout.statusRow].contains(
        "carrying x^[]0;pwn^G:"))
    #expect(!grid.text.contains("<U+24"), "\(grid.text)")
  }

  @Test func farDatesAreSaidPlainly() {
    let text = DateText(timeZone: TimeZone(identifier: "UTC")!)
    let now = Fixture.now
    #expect(text.relative(Date(timeIntervalSince1970: 1e300), now: now) == "in >9999y")
    #expect(text.relative(Date(timeIntervalSince1970: -1e300), now: now) == ">9999y ago")
    #expect(text.relative(Date(timeIntervalSince1970: -1e15), now: now) == ">9999y ago")
    #expect(text.relative(now.addingTimeInterval(-86_400 * 365 * 9_999.5), now: now) == "9999y ago")
    #expect(text.relative(now.addingTimeInterval(86_400 * 365 * 10_000), now: now) == "in >9999y")
  }
}
