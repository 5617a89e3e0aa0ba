import Foundation
import StagehandTestSupport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A pseudo-terminal pair for running `Terminal` against real ncurses inside the test
/// process: ncurses gets the follower side as its terminal, the test reads what it writes
/// and types into it from the controller side.
final class PseudoTerminal {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  let controller: Int32
  let follower: Int32
  let followerPath: String

  init() throws {
    // posix_openpt and friends need _XOPEN_SOURCE, which the Glibc module is not built with;
    // they are plain libc symbols, so look them up.
    guard let openpt = Self.libc("posix_openpt", as: (@convention(c) (Int32) -> Int32).self),
      let grant = Self.libc("grantpt", as: (@convention(c) (Int32) -> Int32).self),
      let unlock = Self.libc("unlockpt", as: (@convention(c) (Int32) -> Int32).self),
      let name = Self.libc("ptsname_r", as: (@convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32).self)
    else { throw Failure(description: "libc has no posix_openpt") }
    controller = openpt(O_RDWR | O_NOCTTY)
    guard controller >= 0 else { throw Failure(description: "posix_openpt: \(String(cString: strerror(errno)))") }
    guard grant(controller) == 0, unlock(controller) == 0 else {
      close(controller)
      throw Failure(description: "grantpt/unlockpt failed")
    }
    var path = [CChar](repeating: 0, count: 128)
    guard name(controller, &path, path.count) == 0 else {
      close(controller)
      throw Failure(description: "ptsname_r failed")
    }
    followerPath = String(decoding: path.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    follower = open(followerPath, O_RDWR | O_NOCTTY)
    guard follower >= 0 else {
      close(controller)
      throw Failure(description: "open \(followerPath): \(String(cString: strerror(errno)))")
    }
  }

  private static func libc<Function>(_ symbol: String, as type: Function.Type) -> Function? {
    guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, symbol) else { return nil }
    return unsafeBitCast(address, to: type)
  }

  deinit {
    close(follower)
    close(controller)
  }

  /// Types `text` as a terminal would send it.
  func type(_ text: String) {
    let bytes = Array(text.utf8)
    bytes.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        let written = write(controller, buffer.baseAddress! + offset, buffer.count - offset)
        if written <= 0 { break }
        offset += written
      }
    }
  }

  /// Everything written to the terminal until it has been quiet for `quietMilliseconds`.
  func readOutput(quietMilliseconds: Int32 = 150) -> String {
    var collected: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      var descriptor = pollfd(fd: controller, events: Int16(POLLIN), revents: 0)
      guard poll(&descriptor, 1, quietMilliseconds) > 0, descriptor.revents & Int16(POLLIN) != 0 else { break }
      let count = read(controller, &buffer, buffer.count)
      guard count > 0 else { break }
      collected += buffer[0..<count]
    }
    return String(decoding: collected, as: UTF8.self)
  }

  /// The follower's local modes (ICANON, ECHO, ISIG...), to check they are given back.
  func localModes() -> tcflag_t {
    var modes = termios()
    tcgetattr(follower, &modes)
    return modes.c_lflag
  }

  /// Sets the window size the way a terminal emulator does, through stty on the follower.
  func resize(columns: Int, rows: Int) throws {
    var actions = emptySpawnFileActions()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, followerPath, O_RDWR | O_NOCTTY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    let words: [String] = ["stty", "cols", String(columns), "rows", String(rows)]
    let argv = words.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    // Built here, as Darwin's headers do not declare `environ`.
    let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { envp.forEach { free($0) } }
    var pid: pid_t = 0
    guard posix_spawnp(&pid, "stty", &actions, nil, argv, envp) == 0 else {
      throw Failure(description: "could not run stty")
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    guard status == 0 else { throw Failure(description: "stty failed with status \(status)") }
  }
}
