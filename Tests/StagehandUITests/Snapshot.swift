import Foundation
import StagehandUI
import Testing

/// Compares a rendered grid (text and style dump) with the snapshot file beside the tests.
/// `SNAPSHOT_RECORD=1` rewrites the file and fails the test, so a recording is never
/// silently accepted as a pass. A mismatch is reported as the lines that differ.
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
  if actual != expected {
    let diff = lineDiff(expected: expected, actual: actual)
    Issue.record(
      "snapshot \(name) differs (- expected, + actual, with line numbers):\n\(diff)", sourceLocation: sourceLocation)
  }
}

/// The lines only `expected` has ("-") and only `actual` has ("+"), each with its line
/// number in its own text and between bars (trailing spaces matter in a grid), in order
/// along a longest common subsequence so that one missing line reads as one line.
func lineDiff(expected: String, actual: String) -> String {
  let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
  let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
  // common[i][j]: the longest common subsequence of old[i...] and new[j...].
  var common = [[Int]](repeating: [Int](repeating: 0, count: new.count + 1), count: old.count + 1)
  for i in stride(from: old.count - 1, through: 0, by: -1) {
    for j in stride(from: new.count - 1, through: 0, by: -1) {
      common[i][j] = old[i] == new[j] ? common[i + 1][j + 1] + 1 : max(common[i + 1][j], common[i][j + 1])
    }
  }
  let width = String(max(old.count, new.count)).count
  func line(_ mark: String, _ number: Int, _ text: Substring) -> String {
    let digits = String(number)
    return mark + " " + String(repeating: " ", count: width - digits.count) + digits + " |" + String(text) + "|"
  }
  var lines: [String] = []
  var (i, j) = (0, 0)
  while i < old.count || j < new.count {
    if i < old.count && j < new.count && old[i] == new[j] {
      i += 1
      j += 1
    } else if j == new.count || (i < old.count && common[i + 1][j] >= common[i][j + 1]) {
      lines.append(line("-", i + 1, old[i]))
      i += 1
    } else {
      lines.append(line("+", j + 1, new[j]))
      j += 1
    }
  }
  return lines.joined(separator: "\n")
}
