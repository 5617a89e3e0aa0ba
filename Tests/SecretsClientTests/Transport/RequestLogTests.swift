import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads) struct FileRequestLogTests {
  static let entry = RequestLogEntry(
    time: Date(timeIntervalSince1970: 1_800_000_000), operation: "DescribeSecret", httpStatus: 200,
    latency: .milliseconds(3), requestId: "rid-1", attempt: 1, outcome: "ok")

  /// A fresh directory per test, removed afterwards.
  static func withDirectory(_ body: (String) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stagehand-log-\(UUID().uuidString)")
      .path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try body(directory)
  }

  static func makeFile(_ path: String, _ text: String, mode: Int) throws {
    #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    #expect(try Self.mode(path) == mode)
  }

  static func mode(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return try #require(attributes[.posixPermissions] as? Int)
  }

  @Test func aNewFileIsReadableByItsOwnerOnly() throws {
    try Self.withDirectory { directory in
      let path = directory + "/requests.log"
      let log = try FileRequestLog(path: path)
      log.record(Self.entry)
      #expect(try Self.mode(path) == 0o600)
      #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.entry.line + "\n")
    }
  }

  @Test func anExistingFileIsTightenedAndAppendedTo() throws {
    try Self.withDirectory { directory in
      let path = directory + "/requests.log"
      try Self.makeFile(path, "earlier line\n", mode: 0o644)
      let log = try FileRequestLog(path: path)
      #expect(try Self.mode(path) == 0o600)
      log.record(Self.entry)
      log.record(Self.entry)
      #expect(
        try String(contentsOfFile: path, encoding: .utf8) == "earlier line\n" + Self.entry.line + "\n" + Self.entry.line
          + "\n")
    }
  }

  /// A link, to an existing file or to none, is refused: the target is neither written,
  /// created nor changed in mode.
  @Test func aSymbolicLinkIsRefusedAndItsTargetLeftAlone() throws {
    try Self.withDirectory { directory in
      let target = directory + "/target"
      try Self.makeFile(target, "keep\n", mode: 0o644)
      let link = directory + "/requests.log"
      try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
      let dangling = directory + "/dangling.log"
      try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: directory + "/absent")
      for path in [link, dangling] {
        do {
          _ = try FileRequestLog(path: path)
          Issue.record("expected \(path) to be refused")
        } catch {
          let message = (error as? SecretsError)?.userMessage ?? ""
          #expect(message.contains("\(path) is a symbolic link"), "\(message)")
          #expect(message.contains("Give --log-file the path of the file itself"), "\(message)")
        }
      }
      #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep\n")
      #expect(try Self.mode(target) == 0o644)
      #expect(!FileManager.default.fileExists(atPath: directory + "/absent"))
    }
  }

  @Test func aMissingDirectoryIsExplained() throws {
    try Self.withDirectory { directory in
      let path = directory + "/no/such/dir/requests.log"
      #expect {
        try FileRequestLog(path: path)
      } throws: { error in
        let message = (error as? SecretsError)?.userMessage ?? ""
        return message.contains("Cannot open the log file \(path)") && message.contains("directory exists")
      }
    }
  }
}

@Suite(.ownThreads) struct RequestLogEntryTests {
  static func entry(requestId: String? = "rid-1", outcome: String = "ok", note: String? = nil) -> RequestLogEntry {
    RequestLogEntry(
      time: Date(timeIntervalSince1970: 1_800_000_000.125), operation: "DescribeSecret", httpStatus: 200,
      latency: .microseconds(3_100), requestId: requestId, attempt: 2, outcome: outcome, note: note)
  }

  @Test func anOrdinaryLineIsUnchanged() {
    #expect(
      Self.entry(note: "resolved by reading back").line
        == "2027-01-15T08:00:00.125 DescribeSecret status=200 latency=3.1ms request-id=rid-1 attempt=2 ok "
        + "(resolved by reading back)")
    #expect(
      Self.entry(requestId: nil, outcome: "ThrottlingException").line.hasSuffix(
        "request-id=- attempt=2 ThrottlingException"))
  }

  /// What the server sends cannot start a second line or reach a terminal as control.
  @Test(
    arguments: [
      ("rid\n2027-01-15T08:00:00.000Z PutSecretValue status=200", "rid␊2027"),
      ("rid\r\nforged", "rid␍␊forged"),
      ("\u{1B}]0;owned\u{07}", "␛]0;owned␇"),
      ("\u{1B}[2J\u{1B}[31m", "␛[2J␛[31m"),
      ("tab\there", "tab␉here"),
      ("del\u{7F}", "del␡"),
      ("c1\u{9B}31m", "c1<U+009B>31m"),
      ("line\u{2028}para\u{2029}", "line<U+2028>para<U+2029>"),
    ] as [(String, String)])
  func serverTextIsMadeVisible(raw: String, shown: String) {
    for line in [
      Self.entry(requestId: raw).line, Self.entry(outcome: raw).line, Self.entry(note: raw).line,
    ] {
      #expect(line.contains(shown), "\(line)")
      #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }, "\(line)")
      #expect(!line.contains("\u{2028}") && !line.contains("\u{2029}"))
    }
  }
}
