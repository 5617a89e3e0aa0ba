import Foundation
import Testing

@testable import SecretsClient

@Suite struct FileRequestLogTests {
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
