import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads) struct ProxySettingsTests {
  static let proxy = ProxyServer(host: "proxy.corp", port: 3128)

  static func settings(_ variables: [String: String]) throws(SecretsError) -> ProxySettings {
    try ProxySettings(environment: FakeAWSEnvironment.make(variables))
  }

  /// Whether `NO_PROXY` sends `url` directly, with a proxy set for both schemes.
  static func bypasses(_ noProxy: [String], _ url: String) -> Bool {
    ProxySettings(httpsProxy: proxy, httpProxy: proxy, noProxy: noProxy).proxy(for: URL(string: url)!) == nil
  }

  // MARK: - The variables

  @Test func lowerCaseWinsEvenWhenEmpty() throws {
    let upper = try Self.settings(["HTTPS_PROXY": "http://upper:1", "HTTP_PROXY": "http://upper:2"])
    #expect(upper.httpsProxy == ProxyServer(host: "upper", port: 1))
    #expect(upper.httpProxy == ProxyServer(host: "upper", port: 2))
    let lower = try Self.settings(["HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:3"])
    #expect(lower.httpsProxy == ProxyServer(host: "lower", port: 3))
    let off = try Self.settings(["HTTPS_PROXY": "http://upper:1", "https_proxy": "", "NO_PROXY": "a", "no_proxy": ""])
    #expect(off.httpsProxy == nil)
    #expect(off.noProxy == [])
    let none = try Self.settings(["HTTPS_PROXY": "", "HTTP_PROXY": "  "])
    #expect(none.httpsProxy == nil && none.httpProxy == nil)
  }

  @Test func noProxyIsSplitTrimmedAndEmptyEntriesDropped() throws {
    let settings = try Self.settings(["no_proxy": " localhost , ,.internal.corp,,\t127.0.0.1 ,"])
    #expect(settings.noProxy == ["localhost", ".internal.corp", "127.0.0.1"])
  }

  @Test(
    arguments: [
      ("proxy.corp:3128", ProxyServer(host: "proxy.corp", port: 3128)),
      ("//proxy.corp:3128", ProxyServer(host: "proxy.corp", port: 3128)),
      ("http://proxy.corp", ProxyServer(host: "proxy.corp", port: 80)),
      ("HTTP://Proxy.Corp:8080/", ProxyServer(host: "Proxy.Corp", port: 8080)),
      ("https://proxy.corp", ProxyServer(scheme: .https, host: "proxy.corp", port: 443)),
      ("https://proxy.corp:8443", ProxyServer(scheme: .https, host: "proxy.corp", port: 8443)),
      ("  http://10.1.2.3:65535  ", ProxyServer(host: "10.1.2.3", port: 65535)),
      ("http://[::1]:3128", ProxyServer(host: "::1", port: 3128)),
      ("[fd00::5]:3128", ProxyServer(host: "fd00::5", port: 3128)),
      (
        "http://ops:p%40ss%20w:rd@proxy.corp:1",
        ProxyServer(host: "proxy.corp", port: 1, user: "ops", password: "p@ss w:rd")
      ),
      ("http://ops@proxy.corp:1", ProxyServer(host: "proxy.corp", port: 1, user: "ops")),
      ("http://@proxy.corp:1", ProxyServer(host: "proxy.corp", port: 1)),
    ] as [(String, ProxyServer)])
  func proxyURLsAreParsedIntoParts(text: String, expected: ProxyServer) throws {
    #expect(try Self.settings(["HTTPS_PROXY": text]).httpsProxy == expected)
  }

  @Test(
    arguments: [
      ("http://proxy.corp:85537", ["HTTPS_PROXY has the port 85537; a port must be 1-65535."]),
      ("proxy.corp:0", ["HTTPS_PROXY has the port 0", "1-65535"]),
      ("http://proxy.corp:65536", ["the port 65536"]),
      ("http://proxy.corp:99999999999999999999", ["the port 99999999999999999999"]),
      ("http://proxy.corp:3128x", ["HTTPS_PROXY has a port that is not a number"]),
      ("http://[::1]:70000", ["the port 70000"]),
      ("http://:3128", ["HTTPS_PROXY", "no host"]),
      ("http://", ["HTTPS_PROXY", "no host"]),
      ("socks5://proxy.corp:1080", ["HTTPS_PROXY", "scheme must be http or https, not socks5"]),
      ("socks5h://ops:hunter2@proxy.corp:1080", ["socks5h://ops:***@proxy.corp:1080"]),
      ("http://ops:hunter2@proxy.corp:99999", ["the port 99999"]),
      ("http://ops:hunter2@:3128", ["no host", "ops:***@"]),
      ("http://proxy corp", ["HTTPS_PROXY", "not a valid URL"]),
    ] as [(String, [String])])
  func unusableProxiesAreConfigurationErrors(text: String, fragments: [String]) {
    do {
      _ = try Self.settings(["HTTPS_PROXY": text])
      Issue.record("expected an error for \(text)")
    } catch {
      for fragment in fragments { #expect(error.userMessage.contains(fragment), "\(error.userMessage)") }
      #expect(!error.userMessage.contains("hunter2"), "a proxy password never appears in a message")
    }
  }

  @Test func theMessageNamesTheVariableAsWritten() {
    #expect {
      try Self.settings(["http_proxy": "http://proxy:0"])
    } throws: { error in
      (error as? SecretsError)?.userMessage.hasPrefix("http_proxy has the port 0") == true
    }
  }

  @Test func thePasswordStaysOutOfEveryPrintedForm() throws {
    let server = try #require(try Self.settings(["HTTPS_PROXY": "http://ops:hunter2@proxy.corp:3128"]).httpsProxy)
    #expect(server.password == "hunter2")
    #expect("\(server)" == "http://ops@proxy.corp:3128")
    #expect(String(reflecting: server) == "http://ops@proxy.corp:3128")
    var dumped = ""
    dump(server, to: &dumped)
    #expect(!dumped.contains("hunter2"))
    #expect("\(ProxyServer(host: "::1", port: 8080))" == "http://[::1]:8080")
  }

  // MARK: - Which proxy a URL gets

  @Test func eachSchemeGetsItsOwnProxy() {
    let https = ProxyServer(host: "secure", port: 1)
    let http = ProxyServer(host: "plain", port: 2)
    let both = ProxySettings(httpsProxy: https, httpProxy: http)
    #expect(both.proxy(for: URL(string: "https://secretsmanager.us-east-1.amazonaws.com")!) == https)
    #expect(both.proxy(for: URL(string: "http://127.0.0.1:5000/")!) == http)
    #expect(both.proxy(for: URL(string: "ftp://example.com/")!) == nil)
    let httpsOnly = ProxySettings(httpsProxy: https)
    #expect(httpsOnly.proxy(for: URL(string: "http://example.com")!) == nil)
  }

  @Test(
    arguments: [
      // Everything.
      (["*"], "https://anything.example", true),
      (["a.b", "*"], "http://10.0.0.1:9/", true),
      // Names and suffixes, with or without the leading dot, any case.
      ([".example.com"], "https://a.example.com", true),
      ([".example.com"], "https://example.com", true),
      (["example.com"], "https://a.b.example.com/x", true),
      (["example.com"], "https://example.com", true),
      (["example.com"], "https://badexample.com", false),
      (["example.com"], "https://example.com.evil", false),
      (["..example.com"], "https://a.example.com", true),
      (["EXAMPLE.Com"], "https://A.example.COM", true),
      (["localhost"], "http://localhost:5000", true),
      (["localhost"], "http://localhost.corp", false),
      // host:port: only that port, the URL's default when it names none.
      (["example.com:8443"], "https://example.com:8443", true),
      (["example.com:8443"], "https://a.example.com:8443", true),
      (["example.com:8443"], "https://example.com", false),
      (["example.com:443"], "https://example.com", true),
      (["example.com:443"], "http://example.com", false),
      (["example.com:80"], "http://example.com", true),
      (["example.com:0"], "http://example.com", false),
      (["example.com:x"], "http://example.com", false),
      // IPv4 addresses.
      (["127.0.0.1"], "http://127.0.0.1:5000", true),
      (["127.0.0.1"], "http://127.0.0.10", false),
      (["127.0.0.1:5000"], "http://127.0.0.1:5000", true),
      (["127.0.0.1:5000"], "http://127.0.0.1:5001", false),
      (["0.1"], "http://10.0.0.1", false),
      (["0.0.1"], "http://127.0.0.1", false),
      // IPv6 addresses, with or without brackets, in any spelling.
      (["::1"], "http://[::1]:8080/", true),
      (["[::1]"], "http://[::1]:8080/", true),
      (["[::1]:8080"], "http://[::1]:8080/", true),
      (["[::1]:8080"], "http://[::1]:8081/", false),
      (["[::1]:443"], "https://[::1]/", true),
      (["[::1]"], "http://[::2]/", false),
      (["0:0:0:0:0:0:0:1"], "http://[::1]/", true),
      (["FD00:EC2::23"], "http://[fd00:ec2::23]/", true),
      (["::1"], "http://localhost/", false),
      // CIDR ranges, for addresses of their own family only.
      (["10.0.0.0/8"], "http://10.200.3.4/", true),
      (["10.0.0.0/8"], "http://11.0.0.1/", false),
      (["127.0.0.0/8"], "http://127.5.5.5:9000", true),
      (["192.168.1.0/24"], "https://192.168.1.255", true),
      (["192.168.1.0/24"], "https://192.168.2.1", false),
      (["192.168.1.128/25"], "https://192.168.1.127", false),
      (["0.0.0.0/0"], "http://203.0.113.9", true),
      (["0.0.0.0/0"], "http://[::1]", false),
      (["0.0.0.0/0"], "http://example.com", false),
      (["10.0.0.0/8"], "http://10.example.com", false),
      (["fd00::/8"], "http://[fd12:3456::1]/", true),
      (["fd00::/8"], "http://[fe80::1]/", false),
      (["[fd00::]/8"], "http://[fdff::1]/", true),
      (["::/0"], "http://10.0.0.1/", false),
      (["10.1.2.3/32"], "http://10.1.2.3/", true),
      (["10.1.2.3/32"], "http://10.1.2.4/", false),
      // Entries that can match nothing.
      (["10.0.0.0/33"], "http://10.0.0.1/", false),
      (["10.0.0.0/"], "http://10.0.0.1/", false),
      (["example.com/8"], "http://example.com/", false),
      (["."], "http://example.com./", false),
      ([], "http://example.com/", false),
    ] as [([String], String, Bool)])
  func noProxyEntries(entries: [String], url: String, bypassed: Bool) {
    #expect(Self.bypasses(entries, url) == bypassed)
  }

  @Test func noProxyFromTheEnvironmentIsTrimmedAndCaseInsensitive() throws {
    let settings = try Self.settings([
      "HTTPS_PROXY": "proxy:1", "NO_PROXY": " , Internal.CORP ,,[::1]:8443, 10.0.0.0/8",
    ])
    #expect(settings.proxy(for: URL(string: "https://vault.internal.corp")!) == nil)
    #expect(settings.proxy(for: URL(string: "https://[::1]:8443")!) == nil)
    #expect(settings.proxy(for: URL(string: "https://10.9.8.7")!) == nil)
    #expect(settings.proxy(for: URL(string: "https://[::1]")!) == ProxyServer(host: "proxy", port: 1))
    #expect(settings.proxy(for: URL(string: "https://example.com")!) == ProxyServer(host: "proxy", port: 1))
  }

  // MARK: - CIDR ranges against a bit-mask reference

  /// Random IPv4 addresses against random ranges: half the addresses are drawn inside the
  /// range, so both answers are common. The reference is a 32-bit mask.
  @Test func ipv4RangesMatchTheBitMaskReference() {
    for seed in UInt64(0)..<300 {
      var random = SplitMix64(seed: seed)
      for _ in 0..<20 {
        let network = UInt32.random(in: .min ... .max, using: &random)
        let length = Int.random(in: 0...32, using: &random)
        let mask: UInt32 = length == 0 ? 0 : ~0 << (32 - length)
        var address = UInt32.random(in: .min ... .max, using: &random)
        if Bool.random(using: &random) { address = (network & mask) | (address & ~mask) }
        let entry = "\(Self.dotted(network))/\(length)"
        let url = "http://\(Self.dotted(address)):8080/"
        let expected = (address ^ network) & mask == 0
        #expect(Self.bypasses([entry], url) == expected, "seed \(seed): \(entry) against \(url)")
      }
    }
  }

  /// The same for IPv6, with the address written in full and the range compressed or not.
  @Test func ipv6RangesMatchTheBitMaskReference() {
    for seed in UInt64(0)..<300 {
      var random = SplitMix64(seed: seed)
      for _ in 0..<10 {
        let network = (
          UInt64.random(in: .min ... .max, using: &random), UInt64.random(in: .min ... .max, using: &random)
        )
        let length = Int.random(in: 0...128, using: &random)
        let mask = Self.mask128(length)
        var address = (
          UInt64.random(in: .min ... .max, using: &random), UInt64.random(in: .min ... .max, using: &random)
        )
        if Bool.random(using: &random) {
          address = ((network.0 & mask.0) | (address.0 & ~mask.0), (network.1 & mask.1) | (address.1 & ~mask.1))
        }
        let bracketed = Bool.random(using: &random)
        let networkText = Self.hexGroups(network)
        let entry = (bracketed ? "[\(networkText)]" : networkText) + "/\(length)"
        let url = "https://[\(Self.hexGroups(address))]/"
        let expected = (address.0 ^ network.0) & mask.0 == 0 && (address.1 ^ network.1) & mask.1 == 0
        #expect(Self.bypasses([entry], url) == expected, "seed \(seed): \(entry) against \(url)")
      }
    }
  }

  /// `host:port` entries: only the same port is direct, whatever the scheme's default.
  @Test func portEntriesMatchOnlyTheirPort() {
    for seed in UInt64(0)..<200 {
      var random = SplitMix64(seed: seed)
      let entryPort = Int.random(in: 1...65535, using: &random)
      let urlPort = Bool.random(using: &random) ? entryPort : Int.random(in: 1...65535, using: &random)
      let url = "https://api.example.com:\(urlPort)/"
      #expect(Self.bypasses(["example.com:\(entryPort)"], url) == (entryPort == urlPort), "seed \(seed)")
      #expect(Self.bypasses(["[::1]:\(entryPort)"], "https://[::1]:\(urlPort)/") == (entryPort == urlPort))
    }
  }

  static func dotted(_ address: UInt32) -> String {
    (0..<4).map { String((address >> (24 - 8 * UInt32($0))) & 0xFF) }.joined(separator: ".")
  }

  static func hexGroups(_ address: (UInt64, UInt64)) -> String {
    [address.0, address.1].flatMap { half in
      (0..<4).map { String((half >> (48 - 16 * UInt64($0))) & 0xFFFF, radix: 16) }
    }
    .joined(separator: ":")
  }

  static func mask128(_ length: Int) -> (UInt64, UInt64) {
    func mask(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? ~0 : ~0 << (64 - bits) }
    return (mask(length), mask(length - 64))
  }
}
