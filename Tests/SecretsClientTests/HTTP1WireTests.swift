import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

/// The HTTP/1.1 reader and writer without sockets: every answer is fed in random pieces.
struct HTTP1WireTests {
  /// Feeds `bytes` to the reader in pieces whose sizes `random` picks.
  private static func parse(_ bytes: [UInt8], random: inout SplitMix64, bodyless: Bool = false) throws
    -> HTTP1Wire.Response
  {
    var offset = 0
    return try HTTP1Wire.readResponse(bodyless: bodyless) { buffer in
      guard offset < bytes.count else { return 0 }
      let count = min(
        buffer.count, bytes.count - offset, Int(random.next() % 9) + 1 + (random.next() % 4 == 0 ? 4096 : 0))
      buffer.copyBytes(from: bytes[offset..<(offset + count)])
      offset += count
      return count
    }
  }

  private static func parse(_ text: String, bodyless: Bool = false) throws -> HTTP1Wire.Response {
    var random = SplitMix64(seed: 1)
    return try parse(Array(text.utf8), random: &random, bodyless: bodyless)
  }

  @Test func randomAnswersInRandomPiecesReadAsWritten() throws {
    var random = SplitMix64(seed: 7)
    for round in 0..<2_000 {
      let body = (0..<Int(random.next() % 3_000)).map { _ in UInt8(random.next() % 256) }
      let status = [200, 201, 400, 404, 500, 503][Int(random.next() % 6)]
      var head =
        "HTTP/1.1 \(status) Some Reason\r\nX-Amzn-RequestId: r-\(round)\r\nContent-Type: application/x-amz-json-1.1\r\n"
      var wire: [UInt8]
      let chunked = random.next() % 2 == 0
      if chunked {
        head += "Transfer-Encoding: chunked\r\n\r\n"
        wire = Array(head.utf8)
        var rest = body[...]
        while !rest.isEmpty {
          let size = min(rest.count, Int(random.next() % 700) + 1)
          wire += Array("\(String(size, radix: 16, uppercase: random.next() % 2 == 0))\r\n".utf8)
          wire += rest.prefix(size) + Array("\r\n".utf8)
          rest = rest.dropFirst(size)
        }
        wire += Array("0\r\n\r\n".utf8)
      } else {
        head += "Content-Length: \(body.count)\r\n\r\n"
        wire = Array(head.utf8) + body
      }
      if random.next() % 5 == 0 { wire = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8) + wire }
      let response = try Self.parse(wire, random: &random)
      #expect(response.status == status, "round \(round)")
      #expect(Array(response.body) == body, "round \(round)")
      #expect(response.headers["x-amzn-requestid"] == "r-\(round)")
      #expect(response.keepAlive, "round \(round)")
    }
  }

  @Test func connectionHandlingFollowsVersionAndHeaders() throws {
    #expect(try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").keepAlive)
    #expect(!(try Self.parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").keepAlive))
    #expect(!(try Self.parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keepAlive))
    #expect(try Self.parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n").keepAlive)
    let untilClose = try Self.parse("HTTP/1.1 200 OK\r\n\r\nall of it")
    #expect(String(decoding: untilClose.body, as: UTF8.self) == "all of it")
    #expect(!untilClose.keepAlive)
    #expect(try Self.parse("HTTP/1.1 204 No Content\r\n\r\n").body.isEmpty)
    #expect(try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", bodyless: true).body.isEmpty)
    let repeated = try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nSet: a\r\nset: b\r\n\r\nok")
    #expect(repeated.body == Data("ok".utf8))
    #expect(repeated.headers["set"] == "a, b")
    let chunkedWithTrailer = try Self.parse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;name=value\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n")
    #expect(chunkedWithTrailer.body == Data("abc".utf8))
  }

  @Test func brokenAnswersAreMalformedOrCutShort() {
    let malformed = [
      "HTTP/2 200 OK\r\n\r\n", "ICY 200 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 abc OK\r\n\r\n",
      "HTTP/1.1 200 OK\r\nno colon\r\n\r\n", "HTTP/1.1 200 OK\r\nbad name: 1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nab", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\na", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
      "HTTP/1.1 101 Switching Protocols\r\n\r\n",
    ]
    for text in malformed {
      #expect(throws: (any Error).self, "\(text.debugDescription)") { try Self.parse(text) }
      do {
        _ = try Self.parse(text)
      } catch let failure as HTTP1Wire.Failure {
        guard case .malformed = failure else {
          Issue.record("\(text.debugDescription): \(failure)")
          continue
        }
      } catch {
        Issue.record("\(text.debugDescription): \(error)")
      }
    }
    let cut = [
      "", "HTTP/1.1 200 OK\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n",
    ]
    for text in cut {
      #expect(throws: HTTP1Wire.Failure.endOfStream(afterBytes: text.utf8.count), "\(text.debugDescription)") {
        try Self.parse(text)
      }
    }
    let huge = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", count: 3_000)
    #expect(throws: HTTP1Wire.Failure.malformed("the response head is larger than 65536 bytes")) {
      try Self.parse(huge)
    }
  }

  @Test func requestIsOneBufferWithTheSignedHost() throws {
    let url = URL(string: "http://127.0.0.1:4566/")!
    let request = HTTPRequest(
      method: "POST", url: url,
      headers: [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", "999"), ("host", "evil")],
      body: Data(#"{"MaxResults":100}"#.utf8))
    let target = try #require(HTTP1Wire.Target(url))
    let bytes = try #require(HTTP1Wire.requestBytes(request, target: target, absoluteForm: false))
    #expect(
      String(decoding: bytes, as: UTF8.self)
        == "POST / HTTP/1.1\r\nHost: 127.0.0.1:4566\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 18\r\n\r\n{\"MaxResults\":100}"
    )
    let proxied = try #require(HTTP1Wire.requestBytes(request, target: target, absoluteForm: true))
    #expect(String(decoding: proxied, as: UTF8.self).hasPrefix("POST http://127.0.0.1:4566/ HTTP/1.1\r\n"))
    for bad in [("X-A", "1\r\nX-B: 2"), ("X-A", "1\n"), ("X A", "1"), ("", "1"), ("X-A", "\u{0}")] {
      var broken = request
      broken.headers.append(bad)
      #expect(HTTP1Wire.requestBytes(broken, target: target, absoluteForm: false) == nil, "\(bad)")
    }
  }

  /// The Host header must be what SigV4 signed, or AWS rejects the signature.
  @Test func hostHeaderIsWhatTheSignerSigns() throws {
    let urls = [
      "https://secretsmanager.us-east-1.amazonaws.com", "https://secretsmanager.us-east-1.amazonaws.com:443/",
      "http://LOCALHOST:80/", "http://localhost:4566", "https://Example.com:8443/a/b?c=d", "http://[::1]:5000/",
      "https://[2001:db8::1]/",
    ]
    for text in urls {
      let url = try #require(URL(string: text))
      let target = try #require(HTTP1Wire.Target(url))
      #expect(target.hostHeader == SigV4Signer.canonicalHost(url), "\(text)")
    }
    let ipv6 = try #require(HTTP1Wire.Target(URL(string: "http://[::1]:5000/x?y=1")!))
    #expect(ipv6.host == "::1")
    #expect(ipv6.authority == "[::1]:5000")
    #expect(ipv6.originForm == "/x?y=1")
    #expect(HTTP1Wire.Target(URL(string: "ftp://example.com/")!) == nil)
  }
}
