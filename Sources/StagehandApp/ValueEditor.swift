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

  /// `/bin/sh -c '<command> "$1"' sh FILE` on this terminal, waited for; its exit status
  /// (128 + the signal's number when a signal ended it). While it runs, as system(3) does,
  /// Ctrl-C and Ctrl-\\ belong to the editor, and a hang-up ends the editor, not this
  /// process, so the file is removed whatever happens; Ctrl-Z stops both, as one job.
  private func launch(_ file: String) throws -> Int32 {
    var attributes = Self.emptyAttributes()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGINT, SIGQUIT, SIGHUP, SIGTSTP, SIGTERM, SIGPIPE] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var mask = sigset_t()
    sigemptyset(&mask)
    posix_spawnattr_setsigmask(&attributes, &mask)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    let words: [String] = ["/bin/sh", "-c", command + " \"$1\"", "sh", file]
    let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
    defer { arguments.forEach { free($0) } }
    let environment: [UnsafeMutablePointer<CChar>?] =
      self.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { environment.forEach { free($0) } }

    let saved = [SIGINT, SIGQUIT, SIGHUP, SIGTSTP].map { signal in
      var old = sigaction()
      var new = sigaction()
      sigemptyset(&new.sa_mask)
      Self.setHandler(&new, signal == SIGTSTP ? SIG_DFL : SIG_IGN)
      sigaction(signal, &new, &old)
      return (signal, old)
    }
    defer {
      for (signal, old) in saved {
        var old = old
        sigaction(signal, &old, nil)
      }
    }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, "/bin/sh", nil, &attributes, arguments, environment)
    guard spawned == 0 else {
      throw Failure(description: "could not start the editor (\(command)): \(String(cString: strerror(spawned)))")
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      guard errno == EINTR else { throw Failure(description: "lost the editor (\(command)): \(errnoText())") }
    }
    // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
    let signal = status & 0x7F
    return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
  }

  #if canImport(Darwin)
    private static func emptyAttributes() -> posix_spawnattr_t? { nil }
    private static func setHandler(_ action: inout sigaction, _ handler: sig_t?) {
      action.__sigaction_u.__sa_handler = handler
    }
  #else
    private static func emptyAttributes() -> posix_spawnattr_t { posix_spawnattr_t() }
    private static func setHandler(_ action: inout sigaction, _ handler: __sighandler_t?) {
      action.__sigaction_handler.sa_handler = handler
    }
  #endif

  private func errnoText() -> String { String(cString: strerror(errno)) }
}
