import Foundation
import StagehandTestSupport
import Testing

@testable import StagehandUI
@testable import StagingModel

/// Very long names, 100+ versions, the full 20 labels and secrets without versions all
/// render within the grid, keep the selection in range and say what they are.
@Suite(.ownThreads)
struct ExtremeSecretsTests {
  static func secrets() -> [Secret] {
    var many: [SecretVersion] = []
    for index in 0..<120 {
      var labels = Set<String>()
      if index == 0 { labels.insert(StandardLabel.current) }
      if index == 1 { labels.insert(StandardLabel.previous) }
      let created = Fixture.now.addingTimeInterval(Double(-index) * 86_400)
      let id = String(format: "%08x-0000-4000-8000-%012d", index, index)
      many.append(SecretVersion(versionId: id, labels: labels, createdDate: created))
    }
    let twenty = SecretVersion(
      versionId: "aaaaaaaa-0000-4000-8000-000000000000",
      labels: Set([StandardLabel.current] + (1...19).map { "release-\($0)" }), createdDate: Fixture.now)
    return [
      Secret(name: "many/versions", versions: many, versionsComplete: true, includesDeprecated: true),
      Secret(name: "twenty/labels", versions: [twenty], versionsComplete: true),
      Secret(name: "empty/no-versions", versions: [], versionsComplete: true),
      Secret(
        name: String(repeating: "very-long-segment/", count: 20) + "end", versions: [twenty], versionsComplete: true),
    ]
  }

  @Test(arguments: [(80, 24), (120, 40), (200, 60)])
  func extremeSecretsRenderSensibly(width: Int, height: Int) {
    var state = AppState(config: Fixture.config(), now: Fixture.now, width: width, height: height)
    guard case .loadSecrets(let id)? = update(&state, .started).first else {
      Issue.record("no load")
      return
    }
    _ = update(&state, .secretsPageLoaded(requestID: id, secrets: Self.secrets(), isLastPage: true))
    var seen = Set<String>()
    for _ in 0..<4 {
      let grid = render(state)
      #expect(grid.width == width && grid.height == height)
      for line in grid.text.split(separator: "\n") { #expect(displayWidth(String(line)) <= width) }
      if let name = state.selectedSecret?.name { seen.insert(name) }
      // Walk to the bottom of the versions and back.
      _ = update(&state, .terminal(.key(.tab)))
      _ = update(&state, .terminal(.key(.char("d"))))
      for _ in 0..<130 { _ = update(&state, .terminal(.key(.down))) }
      #expect(state.versionCursor < max(1, state.visibleVersions.count))
      _ = render(state)
      _ = update(&state, .terminal(.key(.char("g"))))
      _ = update(&state, .terminal(.key(.tab)))
      _ = update(&state, .terminal(.key(.char("j"))))
    }
    #expect(seen.count == 4)
    let text = render(state).text
    #expect(text.contains("very-long-segment"))
    #expect(text.contains("…"), "long names are truncated with an ellipsis")
  }

  @Test func quotaAndEmptyAreSpelledOut() {
    var state = AppState(config: Fixture.config(), now: Fixture.now, width: 120, height: 40)
    guard case .loadSecrets(let id)? = update(&state, .started).first else { return }
    _ = update(&state, .secretsPageLoaded(requestID: id, secrets: Self.secrets(), isLastPage: true))
    _ = update(&state, .terminal(.key(.char("j"))))
    #expect(render(state).text.contains("20/20"))
    _ = update(&state, .terminal(.key(.char("j"))))
    let empty = render(state).text
    #expect(empty.contains("Versions of empty/no-versions"))
    #expect(empty.lowercased().contains("no versions"), "\(empty)")
  }
}
