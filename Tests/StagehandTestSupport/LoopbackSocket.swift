import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A TCP socket bound to a free port on 127.0.0.1 (the kernel picks it).
public enum LoopbackSocket {
  /// Returns the socket and its port; the caller closes it.
  public static func bind() throws -> (fd: Int32, port: Int) {
    #if canImport(Glibc)
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
      let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw ChildProcess.Failure(description: "socket() failed") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    // Qualified: inside `bind()` the bare name is this function.
    #if canImport(Glibc)
      let systemBind = Glibc.bind
    #elseif canImport(Darwin)
      let systemBind = Darwin.bind
    #endif
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { systemBind(fd, $0, length) }
    }
    let named = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard bound == 0, named == 0 else {
      close(fd)
      throw ChildProcess.Failure(description: "could not bind a loopback port")
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
  }

  /// Runs `body` with a port that refuses connections: bound but never listening, and held
  /// until `body` ends, so no server started by a test running alongside can take it.
  public static func withRefusingPort<T>(_ body: (Int) async throws -> T) async throws -> T {
    let (fd, port) = try bind()
    defer { close(fd) }
    return try await body(port)
  }

  /// A free port: bound, then released for a server to take.
  public static func freePort() throws -> Int {
    let (fd, port) = try bind()
    close(fd)
    return port
  }
}
