import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 and a free port, one connection at a time, for tests of
/// the container and instance metadata sources. Each response closes its connection.
final class LoopbackHTTPServer: @unchecked Sendable {
  struct Request: Sendable {
    var method: String
    var path: String
    /// Header names lower-cased.
    var headers: [String: String]
    var body: Data
  }

  struct Response: Sendable {
    var status: Int
    var headers: [String: String] = [:]
    var body: String = ""
  }

  typealias Handler = @Sendable (Request) -> Response

  let port: UInt16
  private let listener: Int32
  private let handler: Handler
  private let lock = NSLock()
  private var received: [Request] = []
  private let finished = DispatchSemaphore(value: 0)

  var baseURL: String { "http://127.0.0.1:\(port)" }

  var requests: [Request] { lock.withLock { received } }

  init(handler: @escaping Handler) throws {
    self.handler = handler
    #if canImport(Glibc)
      let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
      let descriptor = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard descriptor >= 0 else { throw ServerError("socket failed") }
    var yes: Int32 = 1
    setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, listen(descriptor, 16) == 0 else {
      close(descriptor)
      throw ServerError("bind/listen failed")
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    listener = descriptor
    port = UInt16(bigEndian: address.sin_port)
    Thread.detachNewThread { [self] in acceptLoop() }
  }

  /// Closes the listening socket and waits for the accept loop to end.
  func stop() {
    shutdown(listener, Int32(SHUT_RDWR))
    close(listener)
    finished.wait()
  }

  private func acceptLoop() {
    defer { finished.signal() }
    while true {
      let connection = accept(listener, nil, nil)
      if connection < 0 { return }
      serve(connection)
      close(connection)
    }
  }

  private func serve(_ connection: Int32) {
    var buffer = Data()
    var chunk = [UInt8](repeating: 0, count: 4096)
    let separator = Data("\r\n\r\n".utf8)
    while buffer.range(of: separator) == nil {
      let count = read(connection, &chunk, chunk.count)
      if count <= 0 { return }
      buffer.append(contentsOf: chunk[0..<count])
    }
    let headerEnd = buffer.range(of: separator)!
    let head = String(decoding: buffer[..<headerEnd.lowerBound], as: UTF8.self)
    var lines = head.components(separatedBy: "\r\n")
    let requestLine = lines.removeFirst().split(separator: " ")
    guard requestLine.count >= 2 else { return }
    var headers: [String: String] = [:]
    for line in lines {
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    var body = Data(buffer[headerEnd.upperBound...])
    let expected = Int(headers["content-length"] ?? "0") ?? 0
    while body.count < expected {
      let count = read(connection, &chunk, chunk.count)
      if count <= 0 { break }
      body.append(contentsOf: chunk[0..<count])
    }
    let request = Request(
      method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
    lock.withLock { received.append(request) }
    let response = handler(request)
    var text = "HTTP/1.1 \(response.status) Status\r\nContent-Length: \(response.body.utf8.count)\r\n"
    text += "Connection: close\r\n"
    for (name, value) in response.headers { text += "\(name): \(value)\r\n" }
    text += "\r\n" + response.body
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
      if written <= 0 { return }
      offset += written
    }
  }
}

struct ServerError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
