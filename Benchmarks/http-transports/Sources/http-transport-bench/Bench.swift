// http-transport-bench: URLSession (FoundationNetworking / libcurl) against AsyncHTTPClient,
// in one process, against a loopback Secrets Manager (Benchmarks/replay_server.py).
//
// Every request is a POST shaped like a signed Secrets Manager JSON 1.1 call. The clients
// are created and warmed up (one connection each) before anything is timed; then each
// workload runs in rounds, the two transports alternating which goes first, so that load
// from the rest of the (shared) machine falls on both. Per request: latency from send to the
// whole body in hand. Per round: wall time and process CPU (getrusage, user + system).

import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif
#if canImport(Glibc)
  import Glibc
#endif

// MARK: - Options

struct Options {
  var host = "127.0.0.1"
  var port = 0
  var rounds = 5
  var smallRequests = 500
  var maxPages = Int.max
  var workloads = ["list", "describe"]
  var transports = ["urlsession", "ahc"]
  var warmup = true
  var stats = true
  var secretName = "prod/payments/db-password/bench-secret-00000"

  static let usage = """
    usage: http-transport-bench --port P [options]
      --host H             server address (default 127.0.0.1; loopback only)
      --port P             replay server port (required)
      --rounds R           rounds per workload and transport (default 5)
      --small N            DescribeSecret requests per round (default 500)
      --max-pages N        stop a ListSecrets walk after N pages (default: follow NextToken to the end)
      --workloads LIST     comma list of list,describe (default both)
      --transports LIST    comma list of urlsession,ahc (default both)
      --no-warmup          skip the untimed warm-up (for strace runs)
      --no-stats           do not call the server's Bench.Stats (for strace runs)
      --secret NAME        the name DescribeSecret asks for
    """

  static func parse(_ arguments: [String]) -> Options {
    var options = Options()
    var iterator = arguments.makeIterator()
    func value(_ flag: String) -> String {
      guard let next = iterator.next() else { fail("\(flag) needs a value") }
      return next
    }
    func int(_ flag: String) -> Int {
      guard let number = Int(value(flag)), number > 0 else { fail("\(flag) needs a positive number") }
      return number
    }
    while let argument = iterator.next() {
      switch argument {
      case "--host": options.host = value(argument)
      case "--port": options.port = int(argument)
      case "--rounds": options.rounds = int(argument)
      case "--small": options.smallRequests = int(argument)
      case "--max-pages": options.maxPages = int(argument)
      case "--workloads": options.workloads = value(argument).split(separator: ",").map(String.init)
      case "--transports": options.transports = value(argument).split(separator: ",").map(String.init)
      case "--no-warmup": options.warmup = false
      case "--no-stats": options.stats = false
      case "--secret": options.secretName = value(argument)
      case "-h", "--help":
        print(usage)
        exit(0)
      default: fail("unknown option \(argument)\n\(usage)")
      }
    }
    if options.port == 0 { fail("--port is required\n\(usage)") }
    for workload in options.workloads where !["list", "describe"].contains(workload) {
      fail("unknown workload \(workload)")
    }
    for transport in options.transports where !["urlsession", "ahc"].contains(transport) {
      fail("unknown transport \(transport)")
    }
    return options
  }
}

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("http-transport-bench: \(message)\n".utf8))
  exit(2)
}

// MARK: - Requests shaped like Secrets Manager calls

/// Dummy credentials only (the access key id is AWS's documentation example); the replay
/// server checks no signature. The Authorization value has the length of a real SigV4 one.
enum Shape {
  static let amzDate = "20261129T110000Z"
  static let authorization =
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261129/us-east-1/secretsmanager/aws4_request, "
    + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
    + "Signature=" + String(repeating: "0123456789abcdef", count: 4)

  static func request(url: URL, operation: String, body: String) -> BenchRequest {
    BenchRequest(
      url: url,
      headers: [
        ("Content-Type", "application/x-amz-json-1.1"),
        ("X-Amz-Target", "secretsmanager.\(operation)"),
        ("X-Amz-Date", amzDate),
        ("Authorization", authorization),
      ],
      body: Data(body.utf8))
  }

  /// A ListSecrets page request: MaxResults, the NextToken, and two filters (which the
  /// replay server ignores) so the body is ~150 bytes like the brief's shape.
  static func listSecrets(url: URL, token: String?) -> BenchRequest {
    let tokenPart = token.map { ",\"NextToken\":\"\($0)\"" } ?? ""
    let body =
      "{\"MaxResults\":100\(tokenPart),\"Filters\":[{\"Key\":\"tag-key\",\"Values\":[\"team\"]},"
      + "{\"Key\":\"description\",\"Values\":[\"Credentials for the\"]}],\"SortOrder\":\"asc\"}"
    return request(url: url, operation: "ListSecrets", body: body)
  }

  static func describeSecret(url: URL, name: String) -> BenchRequest {
    request(url: url, operation: "DescribeSecret", body: "{\"SecretId\":\"\(name)\"}")
  }

  /// The NextToken of a ListSecrets page. The replay server writes it last, so only the
  /// tail is scanned (as cheap for both transports; not what is being measured).
  static func nextToken(_ body: Data) -> String? {
    let marker = Array("\"NextToken\":\"".utf8)
    let tail = Array(body.suffix(256))
    guard tail.count >= marker.count else { return nil }
    for start in 0...(tail.count - marker.count) where Array(tail[start..<start + marker.count]) == marker {
      let valueStart = start + marker.count
      guard let end = tail[valueStart...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
      return String(decoding: tail[valueStart..<end], as: UTF8.self)
    }
    return nil
  }
}

// MARK: - Measuring

struct CPUTime {
  var user: Double
  var system: Double
  var total: Double { user + system }

  static func now() -> CPUTime {
    var usage = rusage()
    #if os(Linux)
      getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
      getrusage(RUSAGE_SELF, &usage)
    #endif
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return CPUTime(user: seconds(usage.ru_utime), system: seconds(usage.ru_stime))
  }

  static func - (a: CPUTime, b: CPUTime) -> CPUTime {
    CPUTime(user: a.user - b.user, system: a.system - b.system)
  }
}

struct Round {
  var latencies: [Duration] = []
  var wall: Duration = .zero
  var cpu = CPUTime(user: 0, system: 0)
  var bytes = 0
}

extension Duration {
  var ms: Double { Double(components.seconds) * 1e3 + Double(components.attoseconds) / 1e15 }
}

func percentile(_ values: [Double], _ p: Double) -> Double {
  guard !values.isEmpty else { return .nan }
  let sorted = values.sorted()
  let rank = max(1, Int((p * Double(sorted.count)).rounded(.up)))
  return sorted[min(rank, sorted.count) - 1]
}

func median(_ values: [Double]) -> Double {
  guard !values.isEmpty else { return .nan }
  let sorted = values.sorted()
  let mid = sorted.count / 2
  return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

func f(_ value: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", value) }

/// One timed request: send, wait for the whole body, check it.
func timedSend(_ transport: any BenchTransport, _ request: BenchRequest) async throws -> (BenchResponse, Duration) {
  let clock = ContinuousClock()
  let started = clock.now
  let response = try await transport.send(request, timeout: .seconds(30))
  let elapsed = clock.now - started
  guard response.status == 200, response.body.last == UInt8(ascii: "}") else {
    fail("\(transport.name): HTTP \(response.status), \(response.body.count) bytes: not a complete JSON answer")
  }
  return (response, elapsed)
}

/// A round of one workload: a ListSecrets walk following NextToken, or N DescribeSecret calls.
func runRound(_ workload: String, _ transport: any BenchTransport, _ url: URL, _ options: Options) async throws
  -> Round
{
  var round = Round()
  round.latencies.reserveCapacity(workload == "list" ? 128 : options.smallRequests)
  let clock = ContinuousClock()
  let cpuBefore = CPUTime.now()
  let started = clock.now
  switch workload {
  case "list":
    var token: String? = nil
    var pages = 0
    repeat {
      let (response, latency) = try await timedSend(transport, Shape.listSecrets(url: url, token: token))
      round.latencies.append(latency)
      round.bytes += response.body.count
      token = Shape.nextToken(response.body)
      pages += 1
    } while token != nil && pages < options.maxPages
  default:
    let request = Shape.describeSecret(url: url, name: options.secretName)
    for _ in 0..<options.smallRequests {
      let (response, latency) = try await timedSend(transport, request)
      round.latencies.append(latency)
      round.bytes += response.body.count
    }
  }
  round.wall = clock.now - started
  round.cpu = CPUTime.now() - cpuBefore
  return round
}

/// The replay server's request and connection counts since the previous call, asked on a
/// connection of its own (a fresh session) so it never touches the measured connections.
func serverStats(_ url: URL) async -> String {
  let configuration = URLSessionConfiguration.ephemeral
  let session = URLSession(configuration: configuration)
  defer { session.finishTasksAndInvalidate() }
  var request = URLRequest(url: url)
  request.httpMethod = "POST"
  request.httpBody = Data("{}".utf8)
  request.addValue("application/x-amz-json-1.1", forHTTPHeaderField: "Content-Type")
  request.addValue("Bench.Stats", forHTTPHeaderField: "X-Amz-Target")
  request.addValue("close", forHTTPHeaderField: "Connection")
  do {
    let (data, _) = try await session.data(for: request)
    return String(decoding: data, as: UTF8.self)
  } catch {
    return "(stats failed: \(error))"
  }
}

// MARK: - Main

@main
struct HTTPTransportBench {
  static func main() async throws {
    let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
    guard let url = URL(string: "http://\(options.host):\(options.port)/") else { fail("bad host or port") }

    var transports: [any BenchTransport] = []
    for name in options.transports {
      switch name {
      case "urlsession": transports.append(URLSessionBenchTransport())
      default:
        #if canImport(AsyncHTTPClient)
          transports.append(AHCBenchTransport())
        #else
          fail("built without AsyncHTTPClient")
        #endif
      }
    }

    let loads = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
      .split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    print("# http-transport-bench")
    print("cores: \(ProcessInfo.processInfo.activeProcessorCount), load average at start: \(loads)")
    print("server: \(url.absoluteString), rounds: \(options.rounds), workloads: \(options.workloads.joined(separator: ",")), DescribeSecret per round: \(options.smallRequests)")
    let sample = Shape.listSecrets(url: url, token: "page-100")
    print("request shape: ListSecrets body \(sample.body.count) bytes, DescribeSecret body \(Shape.describeSecret(url: url, name: options.secretName).body.count) bytes, Authorization \(Shape.authorization.count) chars")

    if options.warmup {
      // Untimed: the first request pays for the connection, lazy set-up in each stack
      // (libcurl's multi handle, NIO's event loop threads); shown once, then not counted.
      print("\n## warm-up (first request of the process per transport, then one ListSecrets walk and 20 DescribeSecret)")
      for transport in transports {
        let (_, first) = try await timedSend(transport, Shape.describeSecret(url: url, name: options.secretName))
        print("- \(transport.name): first request \(f(first.ms)) ms")
        var warm = options
        warm.smallRequests = 20
        for workload in options.workloads { _ = try await runRound(workload, transport, url, warm) }
      }
      if options.stats { _ = await serverStats(url) }  // reset the server's counters
    }

    var results: [String: [String: [Round]]] = [:]  // workload -> transport -> rounds
    for workload in options.workloads {
      print("\n## \(workload): per round")
      print("| round | transport | requests | wall ms | CPU ms (user+sys) | median ms | p99 ms | bytes |")
      print("|---|---|---|---|---|---|---|---|")
      for roundIndex in 0..<options.rounds {
        let order = roundIndex % 2 == 0 ? transports : transports.reversed()
        for transport in order {
          let round = try await runRound(workload, transport, url, options)
          results[workload, default: [:]][transport.name, default: []].append(round)
          let ms = round.latencies.map(\.ms)
          print(
            "| \(roundIndex + 1) | \(transport.name) | \(round.latencies.count) | \(f(round.wall.ms, 1)) | \(f(round.cpu.total * 1e3, 1)) (\(f(round.cpu.user * 1e3, 0))+\(f(round.cpu.system * 1e3, 0))) | \(f(median(ms))) | \(f(percentile(ms, 0.99))) | \(round.bytes) |"
          )
        }
      }
    }

    print("\n## summary (latency over every request of every round; wall and CPU: median of the rounds)")
    print("| workload | transport | requests/round | median latency ms | p99 latency ms | wall ms/round | CPU ms/round | CPU µs/request | response bytes/request |")
    print("|---|---|---|---|---|---|---|---|---|")
    for workload in options.workloads {
      for transport in transports {
        let rounds = results[workload]?[transport.name] ?? []
        let all = rounds.flatMap { $0.latencies.map(\.ms) }
        let perRound = rounds.first?.latencies.count ?? 0
        let cpu = median(rounds.map { $0.cpu.total * 1e3 })
        print(
          "| \(workload) | \(transport.name) | \(perRound) | \(f(median(all))) | \(f(percentile(all, 0.99))) | \(f(median(rounds.map(\.wall.ms)), 1)) | \(f(cpu, 1)) | \(f(cpu * 1e3 / Double(max(perRound, 1)), 0)) | \(rounds.first.map { $0.bytes / max(perRound, 1) } ?? 0) |"
        )
      }
    }

    let loadsEnd = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
      .split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    print("\nload average at end: \(loadsEnd)")
    if options.stats && options.warmup {
      print("server stats for the timed part (connections opened, requests per operation): \(await serverStats(url))")
    }
    for transport in transports { try await transport.shutdown() }
  }
}
