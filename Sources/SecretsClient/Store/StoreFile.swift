import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The store file on disk: reading, validating, and atomic saves under an advisory lock.
/// A missing, unreadable or corrupt file is reported and never overwritten.
struct StoreFile: Sendable {
  let path: String

  var lockPath: String { path + ".lock" }

  /// Reads and validates the file.
  func load() throws(SecretsError) -> (raw: [String: Any], document: StoreDocument) {
    let data: Data
    if !FileManager.default.fileExists(atPath: path) {
      throw SecretsError.store(
        path: path, problem: "no store file here.",
        hint: "Check the path, or run `stagehand --demo` to use the demo store.")
    }
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw SecretsError.store(
        path: path, problem: "can't be read (\(Self.reason(error))).",
        hint: "Check its permissions; Stagehand has not changed it.")
    }
    return try Self.parse(data, path: path)
  }

  static func parse(_ data: Data, path: String) throws(SecretsError) -> (raw: [String: Any], document: StoreDocument) {
    let hint = "Fix the file by hand or restore a copy; Stagehand has not changed it."
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: data, options: [])
    } catch {
      throw SecretsError.store(path: path, problem: "is not valid JSON (\(Self.reason(error))).", hint: hint)
    }
    guard let raw = object as? [String: Any] else {
      throw SecretsError.store(
        path: path, problem: "must hold a JSON object with formatVersion and secrets.", hint: hint)
    }
    let document: StoreDocument
    do {
      document = try JSONDecoder().decode(StoreDocument.self, from: data)
    } catch let error as DecodingError {
      throw SecretsError.store(
        path: path, problem: "does not match the store format: \(Self.describe(error)).", hint: hint)
    } catch {
      throw SecretsError.store(path: path, problem: "does not match the store format.", hint: hint)
    }
    if let problem = document.validationProblem() {
      throw SecretsError.store(path: path, problem: problem, hint: hint)
    }
    return (raw, document)
  }

  /// Runs `body` holding the exclusive lock, so that two processes changing the store one
  /// after the other never lose an update. The lock lives in a side file because a save
  /// replaces the store file itself.
  func withExclusiveLock<T>(_ body: () throws(SecretsError) -> T) throws(SecretsError) -> T {
    let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    if fd < 0 {
      throw SecretsError.store(
        path: path, problem: "can't create its lock file \(lockPath) (\(String(cString: strerror(errno)))).",
        hint: "Check that the folder is writable.")
    }
    defer { close(fd) }
    while flock(fd, LOCK_EX) != 0 {
      if errno != EINTR {
        throw SecretsError.store(
          path: path, problem: "can't be locked (\(String(cString: strerror(errno)))).", hint: "Try again.")
      }
    }
    defer { flock(fd, LOCK_UN) }
    return try body()
  }

  /// Writes `raw` atomically: a temporary file in the same folder (mode 0600), fsync,
  /// rename over the store, fsync the folder. A crash leaves the old or the new file (and
  /// perhaps a temporary file, which the next save removes). Call it holding the lock.
  func save(_ raw: [String: Any]) throws(SecretsError) {
    let data: Data
    do {
      data = try JSONSerialization.data(
        withJSONObject: raw, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    } catch {
      throw SecretsError.store(
        path: path, problem: "could not be encoded (\(Self.reason(error))).", hint: "Nothing was written.")
    }
    removeStaleTemporaryFiles()
    try Self.writeAtomically(data + Data("\n".utf8), to: path)
  }

  /// Temporary files of saves that never finished (the process was killed between writing
  /// and renaming). Saves run under the exclusive lock, so while it is held no other save's
  /// temporary file can be live: every one found is stale.
  func removeStaleTemporaryFiles() {
    let url = URL(fileURLWithPath: path)
    let prefix = url.lastPathComponent + ".tmp-"
    let directory = url.deletingLastPathComponent().path
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
    for name in names where name.hasPrefix(prefix) {
      unlink((directory as NSString).appendingPathComponent(name))
    }
  }

  static func writeAtomically(_ data: Data, to path: String) throws(SecretsError) {
    let directory = (path as NSString).deletingLastPathComponent
    let temp = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    if fd < 0 {
      throw SecretsError.store(
        path: path, problem: "can't write a temporary file beside it (\(String(cString: strerror(errno)))).",
        hint: "Check that the folder is writable; the store is unchanged.")
    }
    var failure: String?
    data.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          failure = String(cString: strerror(errno))
          return
        }
        offset += written
      }
    }
    if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
    close(fd)
    if failure == nil && rename(temp, path) != 0 { failure = String(cString: strerror(errno)) }
    if let failure {
      unlink(temp)
      throw SecretsError.store(path: path, problem: "could not be saved (\(failure)).", hint: "The store is unchanged.")
    }
    let dirfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
    if dirfd >= 0 {
      fsync(dirfd)
      close(dirfd)
    }
  }

  static func reason(_ error: any Error) -> String {
    let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
    return text ?? (error as NSError).localizedDescription
  }

  static func describe(_ error: DecodingError) -> String {
    func at(_ path: [any CodingKey]) -> String {
      path.isEmpty
        ? "the top level"
        : path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(
          in: CharacterSet(charactersIn: "."))
    }
    switch error {
    case .keyNotFound(let key, let context): return "\(at(context.codingPath)) is missing \"\(key.stringValue)\""
    case .typeMismatch(_, let context):
      return "\(at(context.codingPath)) has the wrong type (\(context.debugDescription))"
    case .valueNotFound(_, let context): return "\(at(context.codingPath)) is null"
    case .dataCorrupted(let context): return "\(at(context.codingPath)): \(context.debugDescription)"
    @unknown default: return "\(error)"
    }
  }
}
