import Foundation
import StagehandUI

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `$EDITOR` (`vi` when unset) on a file only its owner can read, in a directory only its
/// owner can enter, both removed afterwards whatever happens: how the TUI takes a new
/// pending value that is longer than a line. The value is never on a command line (the
/// editor gets the file's path) and never written anywhere else.
struct ValueEditor {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// Where `EDITOR`, `VISUAL` and `TMPDIR` are read; tests pass their own.
  var environment: [String: String]

  /// The editor's command: `VISUAL`, else `EDITOR`, else `vi`. Run by `/bin/sh`, so it may
  /// carry arguments (`code --wait`).
  var command: String {
    for name in ["VISUAL", "EDITOR"] {
      if let value = environment[name], !value.trimmingCharacters(in: .whitespaces).isEmpty { return value }
    }
    return "vi"
  }

  /// Runs the editor on a new empty file, through `handOver` (which gives it the terminal
  /// while it runs), and returns what was written, with one final newline dropped (editors
  /// add one); nil when nothing was.
  func edit(handOver: (() throws -> Int32) throws -> Int32) throws -> MaskedValue? {
    let directory = try makePrivateDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = directory + "/value"
    let descriptor = open(file, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw Failure(description: "could not create \(file): \(errnoText())") }
    close(descriptor)
    let status = try handOver { try launch(file) }
    guard status == 0 else {
      throw Failure(description: "the editor (\(command)) exited with status \(status): nothing staged")
    }
    guard let data = FileManager.default.contents(atPath: file) else {
      throw Failure(description: "the editor left no file to read: nothing staged")
    }
    guard var text = String(data: data, encoding: .utf8) else {
      throw Failure(
        description: "the value is not UTF-8 text: stage a binary value with stagehand put-pending --binary")
    }
    if text.hasSuffix("\n") { text.removeLast() }
    return text.isEmpty ? nil : MaskedValue(text)
  }

  /// A new directory under `TMPDIR` (else /tmp) that only this user can enter (mkdtemp
  /// makes it 0700).
  private func makePrivateDirectory() throws -> String {
    let base = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    var template =
      Array((base.hasSuffix("/") ? base : base + "/").utf8CString.dropLast()) + Array("stagehand-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else {
      throw Failure(description: "could not create a private temporary directory in \(base): \(errnoText())")
    }
    return String(cString: made)
  }

  /// `/bin/sh -c '<command> "$1"' sh FILE`, on this terminal, waited for.
  private func launch(_ file: String) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command + " \"$1\"", "sh", file]
    process.environment = environment
    do {
      try process.run()
    } catch {
      throw Failure(description: "could not start the editor (\(command)): \(error)")
    }
    process.waitUntilExit()
    return process.terminationStatus
  }

  private func errnoText() -> String { String(cString: strerror(errno)) }
}
