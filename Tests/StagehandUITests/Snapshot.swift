import Foundation
import StagehandUI
import Testing

/// Compares a rendered grid (text and style dump) with the snapshot file beside the tests.
/// `SNAPSHOT_RECORD=1` rewrites the file and fails the test, so a recording is never
/// silently accepted as a pass.
func assertSnapshot(_ grid: CellGrid, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
  let actual = grid.text + "\n--- styles ---\n" + grid.styleDump + "\n"
  let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("__Snapshots__")
  let file = directory.appendingPathComponent(name + ".txt")
  if ProcessInfo.processInfo.environment["SNAPSHOT_RECORD"] == "1" {
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try actual.write(to: file, atomically: true, encoding: .utf8)
      Issue.record(
        "Recorded snapshot \(name); run again without SNAPSHOT_RECORD to check it", sourceLocation: sourceLocation)
    } catch {
      Issue.record("Could not record snapshot \(name): \(error)", sourceLocation: sourceLocation)
    }
    return
  }
  guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
    Issue.record("Missing snapshot \(name): record it with SNAPSHOT_RECORD=1", sourceLocation: sourceLocation)
    return
  }
  #expect(actual == expected, "snapshot \(name) differs", sourceLocation: sourceLocation)
}
