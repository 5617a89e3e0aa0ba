import Foundation
import StagehandTestSupport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A loopback socket that listens but never accepts: the kernel completes connections and
/// takes the request, and no answer ever comes, which is how a hung server times out.
final class SilentListener: @unchecked Sendable {
  let port: Int
  private let fd: Int32

  init() throws {
    let (fd, port) = try LoopbackSocket.bind()
    guard listen(fd, 16) == 0 else {
      close(fd)
      throw ChildProcess.Failure(description: "could not listen on loopback")
    }
    self.fd = fd
    self.port = port
  }

  deinit { close(fd) }

  var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }
}
