import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

/// The transport against `wire_peer.py`: answers framed every legal way, split at every
/// read size, and broken in the ways a field proxy or a hostile server breaks them.
@Suite(.serialized, .ownThreads) struct WirePeerTransportTests {
  private static func listRequest(_ url: URL, token: String? = nil) -> HTTPRequest {
    let body = token.map { #"{"MaxResults":100,"NextToken":"\#($0)"}"# } ?? #"{"MaxResults":100}"#
    return HTTPRequest(
      method: "POST", url: url,
      headers: [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "secretsmanager.ListSecrets")],
      body: Data(body.utf8))
  }

  /// A size from 1 to 65,536, spread evenly over the powers of two so small reads are common.
  private static func logUniform(_ generator: inout SplitMix64) -> Int {
    let power = Int.random(in: 0...16, using: &generator)
    return Int.random(in: (1 << power)...(1 << power) * 2, using: &generator) / 2 + 1
  }

  @Test func chunkedAnswersReadWholeWhateverTheChunkAndReadSizes() async throws {
    let peer = try await WirePeer.start()
    defer { peer.stop() }
    let transport = AsyncHTTPTransport()
    for seed in UInt64(1)...80 {
      var generator = SplitMix64(seed: seed)
      let chunk = Self.logUniform(&generator)
      let write = Self.logUniform(&generator)
      // Byte-sized writes are slow to send: fewer secrets keep each case quick.
      let count = write < 64 ? 2 : write < 2048 ? 40 : 250
      let token = count > 100 && seed % 2 == 0 ? "100" : nil
      let plain = try await transport.send(
        Self.listRequest(WirePeer.endpoint(peer, "plain", count: count), token: token), timeout: .seconds(120))
      let chunked = try await transport.send(
        Self.listRequest(WirePeer.endpoint(peer, "chunked/\(chunk)/\(write)/\(seed)", count: count), token: token),
        timeout: .seconds(120))
      #expect(chunked.status == 200, "seed \(seed)")
      #expect(chunked.body == plain.body, "seed \(seed): chunks of up to \(chunk) bytes in writes of up to \(write)")
      #expect(!plain.body.isEmpty)
    }
  }

  @Test func informationalAnswersAndCloseDelimitedBodiesAreRead() async throws {
    let peer = try await WirePeer.start()
    defer { peer.stop() }
    let transport = AsyncHTTPTransport()
    let plain = try await transport.send(Self.listRequest(WirePeer.endpoint(peer, "plain")), timeout: .seconds(120))
    for mode in ["continue", "until-close"] {
      let response = try await transport.send(Self.listRequest(WirePeer.endpoint(peer, mode)), timeout: .seconds(120))
      #expect(response.status == 200, "\(mode)")
      #expect(response.body == plain.body, "\(mode)")
    }
  }

  /// Each broken answer is an ambiguous transport failure that names the endpoint and says
  /// what was wrong; none crashes the process or hands back part of a body.
  @Test(arguments: [
    ("huge-length", "larger than 16 MiB"),
    ("negative-length", "broken HTTP answer"),
    ("huge-chunk", "was reset before the answer arrived"),
    ("plus-chunk", "broken HTTP answer"),
    ("endless", "larger than 16 MiB"),
    ("length-and-chunked", "broken HTTP answer"),
    ("escape-header", "broken HTTP answer"),
    ("lf-header", "broken HTTP answer"),
    ("reset-mid-body", "was reset before the answer arrived"),
  ])
  func brokenAnswersFailClearly(mode: String, words: String) async throws {
    let peer = try await WirePeer.start()
    defer { peer.stop() }
    do {
      let response = try await AsyncHTTPTransport().send(
        Self.listRequest(WirePeer.endpoint(peer, mode)), timeout: .seconds(20))
      Issue.record("\(mode): expected a failure, got HTTP \(response.status) with \(response.body.count) bytes")
    } catch let failure as TransportFailure {
      #expect(failure.kind == .ambiguous, "\(mode)")
      #expect(failure.message.contains("127.0.0.1:\(peer.port)"), "\(mode): \(failure.message)")
      #expect(failure.message.contains(words), "\(mode): \(failure.message)")
      #expect(!failure.message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(mode)")
    }
  }

  @Test func aSlowDripEndsAtTheDeadline() async throws {
    let peer = try await WirePeer.start()
    defer { peer.stop() }
    do {
      _ = try await AsyncHTTPTransport().send(Self.listRequest(WirePeer.endpoint(peer, "drip")), timeout: .seconds(1))
      Issue.record("expected a timeout")
    } catch let failure as TransportFailure {
      #expect(failure.kind == .ambiguous)
      #expect(failure.message == "127.0.0.1:\(peer.port) did not answer in time (timed out)")
    }
  }

  @Test func theBodyCapIsTheCallersToSet() async throws {
    let peer = try await WirePeer.start()
    defer { peer.stop() }
    let small = AsyncHTTPTransport(maxBodyBytes: 1000)
    do {
      _ = try await small.send(Self.listRequest(WirePeer.endpoint(peer, "plain")), timeout: .seconds(120))
      Issue.record("expected the cap to refuse a 400-secret page")
    } catch let failure as TransportFailure {
      #expect(failure.message.contains("larger than 1000 bytes"), "\(failure.message)")
    }
    let fits = try await small.send(Self.listRequest(WirePeer.endpoint(peer, "plain", count: 1)), timeout: .seconds(120))
    #expect(fits.status == 200)
  }
}
