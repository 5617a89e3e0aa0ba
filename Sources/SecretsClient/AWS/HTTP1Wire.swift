import Foundation

/// HTTP/1.1 on the wire, apart from sockets: the request's bytes, and a response read from
/// any byte source. Pure, so tests can feed it every split and every malformed answer.
enum HTTP1Wire {
  /// Why an exchange failed, in terms the transport turns into a `TransportFailure`.
  enum Failure: Error, Equatable {
    /// The stream ended; `afterBytes` is how much of the response had arrived.
    case endOfStream(afterBytes: Int)
    /// The answer is not HTTP/1.x as we read it.
    case malformed(String)
  }

  /// The request target and `Host` header for a URL, and the request line's form.
  struct Target: Equatable {
    var scheme: String
    /// Lower-cased; IPv6 addresses without brackets.
    var host: String
    var port: Int
    /// `host[:port]` as the signer signs it (the port only when not the scheme's default).
    var hostHeader: String
    /// Path and query, percent-encoded as given: `/`, `/a?b=c`.
    var originForm: String

    init?(_ url: URL) {
      guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
        var host = url.host?.lowercased(), !host.isEmpty
      else { return nil }
      if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
      self.scheme = scheme
      self.host = host
      let defaultPort = scheme == "https" ? 443 : 80
      port = url.port ?? defaultPort
      let bracketed = host.contains(":") ? "[\(host)]" : host
      hostHeader = port == defaultPort ? bracketed : "\(bracketed):\(port)"
      let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
      var path = components?.percentEncodedPath ?? "/"
      if path.isEmpty { path = "/" }
      if let query = components?.percentEncodedQuery { path += "?" + query }
      originForm = path
    }

    /// `scheme://host[:port]/path?query`, the form a request to a plain-HTTP proxy takes.
    var absoluteForm: String { "\(scheme)://\(hostHeader)\(originForm)" }

    /// `host:port` for messages and CONNECT.
    var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
  }

  /// Header names the transport writes itself; a caller's are dropped.
  private static let ownHeaders: Set<String> = ["host", "content-length", "connection", "transfer-encoding"]

  /// The whole request, head and body in one buffer so it leaves in one write. Nil when a
  /// header would break the framing (a CR, LF or NUL in it, or a bad name).
  static func requestBytes(
    _ request: HTTPRequest, target: Target, absoluteForm: Bool, extraHeaders: [(String, String)] = []
  ) -> [UInt8]? {
    var head = "\(request.method) \(absoluteForm ? target.absoluteForm : target.originForm) HTTP/1.1\r\n"
    head += "Host: \(target.hostHeader)\r\n"
    for (name, value) in request.headers.map({ ($0.name, $0.value) }) + extraHeaders {
      guard isToken(name), !value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) else { return nil }
      if ownHeaders.contains(name.lowercased()) { continue }
      head += "\(name): \(value)\r\n"
    }
    if !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method) {
      head += "Content-Length: \(request.body.count)\r\n"
    }
    head += "\r\n"
    var bytes = [UInt8]()
    bytes.reserveCapacity(head.utf8.count + request.body.count)
    bytes.append(contentsOf: head.utf8)
    bytes.append(contentsOf: request.body)
    return bytes
  }

  /// `CONNECT host:port`, for a tunnel through a proxy.
  static func connectBytes(_ target: Target, extraHeaders: [(String, String)]) -> [UInt8] {
    var head = "CONNECT \(target.authority) HTTP/1.1\r\nHost: \(target.authority)\r\n"
    for (name, value) in extraHeaders { head += "\(name): \(value)\r\n" }
    return Array((head + "\r\n").utf8)
  }

  private static func isToken(_ name: String) -> Bool {
    !name.isEmpty
      && name.utf8.allSatisfy { byte in
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
          UInt8(ascii: "0")...UInt8(ascii: "9"):
          return true
        default:
          return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
      }
  }

  /// A response read off a connection.
  struct Response: Equatable {
    var status: Int
    var reason: String
    /// Lower-cased names; repeated headers joined with ", ".
    var headers: [String: String]
    var body: Data
    /// False when the connection must not carry another request.
    var keepAlive: Bool
  }

  /// The largest response head we read: AWS sends well under 2 KB.
  static let maxHeadBytes = 64 * 1024

  /// Reads one response. `read` fills the buffer it is given and returns the count, 0 at the
  /// end of the stream; it throws for anything else. `bodyless` is true for HEAD.
  static func readResponse(
    bodyless: Bool = false, read: (UnsafeMutableRawBufferPointer) throws -> Int
  ) throws -> Response {
    try withoutActuallyEscaping(read) { read in
      var reader = Reader(read: read)
      return try response(&reader, bodyless: bodyless)
    }
  }

  private static func response(_ reader: inout Reader, bodyless: Bool) throws -> Response {
    while true {
      let head = try reader.head()
      guard let (version, status, reason) = statusLine(head.first ?? "") else {
        throw Failure.malformed("the answer does not start with an HTTP/1.x status line")
      }
      let headers = try fields(head.dropFirst())
      // 1xx answers (100 Continue, 103 Early Hints) come before the real one.
      if (100..<200).contains(status) && status != 101 { continue }
      if status == 101 { throw Failure.malformed("the server switched protocols (101)") }
      let connection = Set(
        (headers["connection"] ?? "").lowercased().split(separator: ",").map {
          $0.trimmingCharacters(in: .whitespaces)
        })
      var keepAlive = version == "1.1" ? !connection.contains("close") : connection.contains("keep-alive")
      let body: Data
      if bodyless || status == 204 || status == 304 {
        body = Data()
      } else if let encoding = headers["transfer-encoding"] {
        let codings = encoding.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard codings.last == "chunked" else {
          throw Failure.malformed("unsupported Transfer-Encoding \"\(encoding)\"")
        }
        guard codings == ["chunked"] else {
          throw Failure.malformed("unsupported Transfer-Encoding \"\(encoding)\" (no compression was asked for)")
        }
        body = try reader.chunkedBody()
      } else if let lengthText = headers["content-length"] {
        // Repeated identical values ("12, 12") are allowed; differing ones are an attack.
        let values = Set(lengthText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        guard values.count == 1, let text = values.first, !text.isEmpty,
          text.utf8.allSatisfy({ (48...57).contains($0) }),
          let length = Int(text)
        else { throw Failure.malformed("bad Content-Length \"\(lengthText)\"") }
        body = try reader.body(length: length)
      } else {
        body = try reader.bodyUntilEnd()
        keepAlive = false
      }
      if let encoding = headers["content-encoding"]?.lowercased(), encoding != "identity" {
        throw Failure.malformed("unsupported Content-Encoding \"\(encoding)\" (no compression was asked for)")
      }
      if reader.hasLeftover { keepAlive = false }
      return Response(status: status, reason: reason, headers: headers, body: body, keepAlive: keepAlive)
    }
  }

  /// ("1.1", 200, "OK") from "HTTP/1.1 200 OK".
  private static func statusLine(_ line: String) -> (String, Int, String)? {
    let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count >= 2, parts[0] == "HTTP/1.1" || parts[0] == "HTTP/1.0", parts[1].utf8.count == 3,
      let status = Int(parts[1]), status >= 100
    else { return nil }
    return (String(parts[0].dropFirst(5)), status, parts.count > 2 ? String(parts[2]) : "")
  }

  private static func fields(_ lines: ArraySlice<String>) throws -> [String: String] {
    var headers: [String: String] = [:]
    for line in lines {
      guard let colon = line.firstIndex(of: ":") else {
        throw Failure.malformed("a header line without a colon")
      }
      let name = String(line[..<colon])
      guard isToken(name) else { throw Failure.malformed("a header name that is not a token") }
      let value = line[line.index(after: colon)...].trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
      let key = name.lowercased()
      headers[key] = headers[key].map { "\($0), \(value)" } ?? value
    }
    return headers
  }

  /// Buffered reading over `read`.
  private struct Reader {
    let read: (UnsafeMutableRawBufferPointer) throws -> Int
    var buffer: [UInt8] = []
    var start = 0
    /// Bytes of the response seen so far.
    var total = 0

    init(read: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) {
      self.read = read
    }

    var hasLeftover: Bool { start < buffer.count }

    /// Reads more into the buffer; false at the end of the stream.
    mutating func fill(atLeast wanted: Int = 16 * 1024) throws -> Bool {
      if start > 0 && start == buffer.count {
        buffer.removeAll(keepingCapacity: true)
        start = 0
      }
      let old = buffer.count
      buffer.append(contentsOf: repeatElement(0, count: max(wanted, 4096)))
      let count = try buffer.withUnsafeMutableBytes { raw in
        try read(UnsafeMutableRawBufferPointer(rebasing: raw[old...]))
      }
      buffer.removeSubrange((old + count)...)
      total += count
      return count > 0
    }

    /// The head's lines, without the blank line.
    mutating func head() throws -> [String] {
      var searchFrom = start
      while true {
        if let end = Self.find(Array("\r\n\r\n".utf8), in: buffer, from: searchFrom, before: buffer.count) {
          let text = String(decoding: buffer[start..<end], as: UTF8.self)
          start = end + 4
          return text.components(separatedBy: "\r\n")
        }
        if buffer.count - start > HTTP1Wire.maxHeadBytes {
          throw Failure.malformed("the response head is larger than \(HTTP1Wire.maxHeadBytes) bytes")
        }
        searchFrom = max(start, buffer.count - 3)
        guard try fill() else { throw Failure.endOfStream(afterBytes: total) }
      }
    }

    mutating func body(length: Int) throws -> Data {
      var body = Data(count: length)
      let buffered = min(length, buffer.count - start)
      body.withUnsafeMutableBytes { raw in
        buffer.withUnsafeBytes { source in
          raw.baseAddress!.copyMemory(from: source.baseAddress! + start, byteCount: buffered)
        }
      }
      start += buffered
      var filled = buffered
      while filled < length {
        let count = try body.withUnsafeMutableBytes { raw in
          try read(UnsafeMutableRawBufferPointer(rebasing: raw[filled...]))
        }
        guard count > 0 else { throw Failure.endOfStream(afterBytes: total) }
        filled += count
        total += count
      }
      return body
    }

    mutating func bodyUntilEnd() throws -> Data {
      while try fill(atLeast: 64 * 1024) {}
      defer { start = buffer.count }
      return Data(buffer[start...])
    }

    /// One CRLF-terminated line (without it), for chunk sizes and trailers.
    mutating func line() throws -> String {
      var searchFrom = start
      while true {
        if let end = Self.find(Array("\r\n".utf8), in: buffer, from: searchFrom, before: buffer.count) {
          defer { start = end + 2 }
          return String(decoding: buffer[start..<end], as: UTF8.self)
        }
        if buffer.count - start > 8 * 1024 { throw Failure.malformed("a chunk line longer than 8 KB") }
        searchFrom = max(start, buffer.count - 1)
        guard try fill() else { throw Failure.endOfStream(afterBytes: total) }
      }
    }

    mutating func chunkedBody() throws -> Data {
      var body = Data()
      while true {
        let sizeLine = try line()
        let sizeText =
          sizeLine.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
          } ?? ""
        guard !sizeText.isEmpty, sizeText.count <= 15, let size = Int(sizeText, radix: 16), size >= 0 else {
          throw Failure.malformed("a bad chunk size \"\(sizeLine.prefix(20))\"")
        }
        if size == 0 {
          while try !line().isEmpty {}  // trailers, up to the blank line
          return body
        }
        body.append(try self.body(length: size))
        guard try line().isEmpty else { throw Failure.malformed("a chunk longer than its size") }
      }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int, before end: Int) -> Int? {
      guard end - from >= needle.count else { return nil }
      var index = from
      let first = needle[0]
      while index <= end - needle.count {
        if haystack[index] == first {
          var matched = true
          for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
            matched = false
            break
          }
          if matched { return index }
        }
        index += 1
      }
      return nil
    }
  }
}
