import Foundation
import StagehandTestSupport
import Testing

/// `stagehand show` and `stagehand apply` given something that is not a plan file: a missing
/// path, a folder, an empty file, a plan cut short, another tool's JSON, a file whose name
/// would steer a terminal. Each exits 2 with one line on standard error that names the file
/// and says what is wrong, prints nothing on standard output, and writes nothing anywhere
/// (the store and the whole of the run's folder, its HOME, are as they were).
@Suite(.ownThreads)
struct PlanFileCLITests {
  struct BadFile: Sendable, CustomTestStringConvertible {
    var name: String
    /// The file's name in the run's folder.
    var file: String
    /// What to put there: nil for nothing, "/" for a folder, else the bytes.
    var contents: String?
    /// The file cut to this many bytes of a real plan, when set.
    var planPrefix: Int?
    var words: String
    var testDescription: String { name }
  }

  static let badFiles: [BadFile] = [
    BadFile(
      name: "missing", file: "nowhere.json",
      words: "Can't read the plan file {}: there is no such file. Check the path (write one with --out)."),
    BadFile(name: "a folder", file: "plans", contents: "/", words: "{} is a directory, not a plan file."),
    BadFile(
      name: "empty", file: "empty.json", contents: "",
      words: "{} is not a plan Stagehand can apply: the file is empty."),
    BadFile(
      name: "cut short", file: "cut.json", planPrefix: 300,
      words:
        "{} is not a plan Stagehand can apply: it is not valid JSON (cut short, or not a plan file). Write it again with --out."
    ),
    BadFile(
      name: "another tool's", file: "secrets.json", contents: "{\"SecretList\": []}",
      words: "{} is not a plan Stagehand can apply: it has no \"FormatVersion\"; plan files are written by --out."),
    BadFile(
      name: "a hostile name", file: "plan\u{1B}[31m.json", contents: "[1, 2]",
      words: "{} is not a plan Stagehand can apply: it is not a JSON object."),
  ]

  /// Every file and folder under `folder`, with each file's bytes, to see that nothing was
  /// written.
  static func snapshot(_ folder: URL) -> [String: String] {
    var files: [String: String] = [:]
    let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isDirectoryKey])
    while let url = enumerator?.nextObject() as? URL {
      let isFolder = (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) ?? false
      files[url.path] = isFolder ? "(folder)" : (try? Data(contentsOf: url)).map { $0.base64EncodedString() }
    }
    return files
  }

  @Test(arguments: badFiles)
  func notAPlanIsRefusedClearlyAndNothingIsWritten(_ bad: BadFile) async throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    try h.writeStore([
      ("prod/db", [("aaaa1111-0000-0000-0000-000000000001", ["AWSCURRENT"]), ("bbbb", ["AWSPREVIOUS"])])
    ])
    let path = h.directory.appendingPathComponent(bad.file).path
    if let prefix = bad.planPrefix {
      let written = try await h.run(["--store", h.storePath, "rollback", "--filter", "prod/", "--out", path])
      #expect(written.status == 0, "\(written.stderr)")
      let plan = try Data(contentsOf: URL(fileURLWithPath: path))
      #expect(plan.count > prefix)
      try plan.prefix(prefix).write(to: URL(fileURLWithPath: path))
    } else if bad.contents == "/" {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    } else if let contents = bad.contents {
      try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
    }
    let before = Self.snapshot(h.directory)
    // What the terminal shows for the path: its escape made visible.
    let shown = path.replacingOccurrences(of: "\u{1B}", with: "\u{241B}")
    let expected = "stagehand: " + bad.words.replacingOccurrences(of: "{}", with: shown) + "\n"
    for arguments in [["show", path], ["show", path, "--json"], ["apply", path, "--yes", "--store", h.storePath]] {
      let result = try await h.run(arguments)
      #expect(result.status == 2, "\(arguments): \(result.stderr)")
      #expect(result.stderr == expected, "\(arguments)")
      #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
      #expect(!result.stderr.contains("\u{1B}"), "no raw escape reaches the terminal")
      #expect(Self.snapshot(h.directory) == before, "\(arguments) wrote something")
    }
  }

  /// The same plan, whole, is shown (the refusals above are the file's, not the command's).
  @Test func aWholePlanIsShown() async throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    try h.writeStore([
      ("prod/db", [("aaaa1111-0000-0000-0000-000000000001", ["AWSCURRENT"]), ("bbbb", ["AWSPREVIOUS"])])
    ])
    let path = h.directory.appendingPathComponent("plan.json").path
    #expect(try await h.run(["--store", h.storePath, "rollback", "--filter", "prod/", "--out", path]).status == 0)
    let before = Self.snapshot(h.directory)
    let shown = try await h.run(["show", path])
    #expect(shown.status == 0, "\(shown.stderr)")
    #expect(shown.stdout.hasPrefix("\(path): rollback --filter prod/: 1 secret, 1 call"), "\(shown.stdout)")
    #expect(Self.snapshot(h.directory) == before)
  }
}
