import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `moto_server` on 127.0.0.1 and a free port, started by the test that needs it and stopped
/// by it. A missing `moto_server` is a failure with the install command, never a skip.
final class MotoServerProcess: @unchecked Sendable {
  let port: UInt16
  private let process: Process

  var endpoint: String { "http://127.0.0.1:\(port)" }

  init() throws {
    let executable = try ChildProcess.locate("moto_server", installHint: "Install it with: pip install 'moto[server]'")
    port = try Self.freePort()
    process = Process()
    process.executableURL = executable
    process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
    process.environment = ChildProcess.environment([:])
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(30)
    while !Self.accepts(port) {
      if !process.isRunning || Date() > deadline {
        stop()
        throw ServerError("moto_server did not start listening on 127.0.0.1:\(port)")
      }
      Thread.sleep(forTimeInterval: 0.1)
    }
  }

  /// moto_server may not exit on SIGTERM, so it gets SIGINT, then SIGKILL after 3 s.
  func stop() {
    guard process.isRunning else { return }
    kill(process.processIdentifier, SIGINT)
    let deadline = Date().addingTimeInterval(3)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
  }

  static func freePort() throws -> UInt16 {
    let server = try LoopbackHTTPServer { _ in .init(status: 500) }
    defer { server.stop() }
    return server.port
  }

  private static func accepts(_ port: UInt16) -> Bool {
    #if canImport(Glibc)
      let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
      let descriptor = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
  }
}
