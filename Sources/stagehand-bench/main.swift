import Foundation
import StagehandUI
import StagingModel

// The TUI core measured in-process, with no terminal and no network: what a frame, a key
// and a filter keystroke cost at a large account, so the numbers show the core's own cost
// and not the terminal's or the server's. Run by scripts/bench; build it in release.
//
//   stagehand-bench [--secrets 10000] [--iterations 400] [--json]

let options = BenchOptions(CommandLine.arguments)
let now = Date(timeIntervalSince1970: 1_760_000_000)
let teams = ["payments", "search", "identity", "billing", "ledger", "mobile", "data", "infra"]
let kinds = ["db-password", "api-key", "oauth-client", "signing-key", "webhook-token", "smtp"]
let environments = ["prod", "staging", "dev"]

/// Secrets shaped like the replay server's: ListSecrets metadata, 2-3 labelled versions.
func makeSecret(_ index: Int) -> Secret {
  let team = teams[index % teams.count]
  let environment = environments[(index / teams.count) % environments.count]
  let kind = kinds[(index / 7) % kinds.count]
  let name = "\(environment)/\(team)/\(kind)/bench-secret-\(String(format: "%05d", index))"
  let created = Date(timeIntervalSince1970: 1_700_000_000 + Double(index) * 37.125)
  var versions = [
    SecretVersion(versionId: String(format: "%08x-0000-4000-8000-%012x", index, 1), labels: ["AWSCURRENT"]),
    SecretVersion(versionId: String(format: "%08x-0000-4000-8000-%012x", index, 2), labels: ["AWSPREVIOUS"]),
  ]
  if index % 2 == 1 {
    versions.append(
      SecretVersion(
        versionId: String(format: "%08x-0000-4000-8000-%012x", index, 3),
        labels: index % 4 == 1 ? ["AWSPENDING", "blue"] : ["canary"]))
  }
  return Secret(
    name: name, arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:\(name)-AbCdEf",
    description: "Credentials for the \(team) service (\(environment)), secret #\(index)", createdDate: created,
    lastChangedDate: created.addingTimeInterval(86_400), lastAccessedDate: now.addingTimeInterval(-86_400),
    rotationEnabled: index % 3 == 0, tags: ["team": team, "env": environment], versions: versions)
}

/// The describe answer the event loop would post: the same secret with dated versions.
func described(_ secret: Secret) -> Secret {
  var full = secret
  for index in full.versions.indices {
    full.versions[index].createdDate = (secret.createdDate ?? now).addingTimeInterval(Double(index) * 3_600)
  }
  full.versionsComplete = true
  return full
}

/// The index a bench secret's name was made from ("...-bench-secret-00042" is 42).
func benchIndex(of name: String) -> Int? {
  name.split(separator: "-").last.flatMap { Int($0) }
}

/// Answers describe effects at once, as a fast backend would; never timed. Secrets are
/// made again from their names, so the fixture holds nothing beside the state and the
/// peak RSS is the core's.
func answer(_ effects: [Effect], in state: inout AppState) {
  var pending = effects
  while let effect = pending.popLast() {
    guard case .describe(let name, _, let requestID) = effect, let index = benchIndex(of: name),
      index < options.secrets
    else { continue }
    pending += update(&state, .secretDescribed(requestID: requestID, secret: described(makeSecret(index))))
  }
}

/// The process's peak resident set so far, in kilobytes (Linux's ru_maxrss unit).
func peakRSSKilobytes() -> Int {
  var usage = rusage()
  #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
  #else
    getrusage(RUSAGE_SELF, &usage)
  #endif
  return Int(usage.ru_maxrss)
}

func milliseconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) * 1_000 + Double(duration.components.attoseconds) / 1e15
}

let clock = ContinuousClock()
/// Folded into the output so the optimiser cannot drop the work being measured.
var checksum = 0

/// The process's CPU time in milliseconds, every thread's: time the scheduler gave another
/// process (the bench shares the machine) is not in it, and a filter keystroke's slices read
/// on other threads are.
func processCPUMilliseconds() -> Double {
  var spec = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
  return Double(spec.tv_sec) * 1_000 + Double(spec.tv_nsec) / 1e6
}

/// Times `body` into `measurement`: wall clock and the process's CPU time.
func time(_ measurement: inout Measurement, _ body: () -> Void) {
  let cpu = processCPUMilliseconds()
  let wall = clock.measure(body)
  measurement.cpuSamples.append(processCPUMilliseconds() - cpu)
  measurement.samples.append(milliseconds(wall))
}

func measure(_ name: String, iterations: Int, setup: () -> Void = {}, _ body: () -> Void) -> Measurement {
  var measurement = Measurement(name: name)
  for _ in 0..<iterations {
    setup()
    time(&measurement, body)
  }
  return measurement
}

// Build the loaded state the way the event loop does: start, then one page of 100 at a time,
// each page made just before it is applied (as the event loop decodes one).
var state = AppState(config: UIConfig(backendName: "bench", timeZone: TimeZone(identifier: "UTC")!), now: now)
var loadID = 0
for effect in update(&state, .started) {
  if case .loadSecrets(let id) = effect { loadID = id }
}
var pages = Measurement(name: "apply a page of 100 while loading")
var pageStart = 0
while pageStart < options.secrets {
  let page = (pageStart..<min(pageStart + 100, options.secrets)).map(makeSecret)
  pageStart += page.count
  var effects: [Effect] = []
  time(&pages) {
    effects = update(
      &state, .secretsPageLoaded(requestID: loadID, secrets: page, isLastPage: pageStart >= options.secrets))
  }
  answer(effects, in: &state)
}
guard state.secrets.count == options.secrets else {
  FileHandle.standardError.write(Data("stagehand-bench: loaded \(state.secrets.count) of \(options.secrets)\n".utf8))
  exit(1)
}

var results: [Measurement] = [pages]

for (width, height) in [(80, 24), (200, 60)] {
  _ = update(&state, .terminal(.resize(width: width, height: height)))
  results.append(
    measure("render a frame \(width)x\(height)", iterations: options.iterations) {
      let grid = render(state)
      checksum &+= grid.width &+ grid.cells.count
    })
}
_ = update(&state, .terminal(.resize(width: 120, height: 40)))

// j at the top of 10,000 rows, wrapping back to the top now and then so it never sits at the end.
var keyEffects: [Effect] = []
results.append(
  measure(
    "key j (update)", iterations: options.iterations * 4,
    setup: {
      answer(keyEffects, in: &state)
      if state.secretCursor > state.rows.count - 2 { _ = update(&state, .terminal(.key(.home))) }
    }
  ) {
    keyEffects = update(&state, .terminal(.key(.char("j"))))
  })
results.append(
  measure(
    "key j + render 120x40", iterations: options.iterations,
    setup: { answer(keyEffects, in: &state) }
  ) {
    keyEffects = update(&state, .terminal(.key(.char("j"))))
    checksum &+= render(state).cells.count
  })
answer(keyEffects, in: &state)

// A five-character filter typed from scratch, each keystroke timed on its own; esc clears it
// between iterations (untimed). Every other time it is then taken back to one character by
// backspace, each timed: a shorter query does not narrow the rows shown, so it reads every
// secret again.
let typed: [Character] = ["p", "a", "y", "m", "e"]
var filterUpdate = Measurement(name: "filter keystroke (update)")
var filterFrame = Measurement(name: "filter keystroke + render 120x40")
var filterBackspace = Measurement(name: "filter backspace + render 120x40")
for iteration in 0..<max(1, options.iterations / 4) {
  _ = update(&state, .terminal(.key(.escape)))
  _ = update(&state, .terminal(.key(.escape)))
  answer(update(&state, .terminal(.key(.char("/")))), in: &state)
  for character in typed {
    var effects: [Effect] = []
    if iteration % 2 == 0 {
      time(&filterUpdate) { effects = update(&state, .terminal(.key(.char(character)))) }
    } else {
      time(&filterFrame) {
        effects = update(&state, .terminal(.key(.char(character))))
        checksum &+= render(state).cells.count
      }
    }
    answer(effects, in: &state)
  }
  checksum &+= state.rows.count
  guard iteration % 2 == 1 else { continue }
  for _ in typed.dropFirst() {
    var effects: [Effect] = []
    time(&filterBackspace) {
      effects = update(&state, .terminal(.key(.backspace)))
      checksum &+= render(state).cells.count
    }
    answer(effects, in: &state)
  }
}
results += [filterUpdate, filterFrame, filterBackspace]

let peakRSS = peakRSSKilobytes()

// The same list reloaded (R): each page replaces its rows in place, and the rows stay shown
// until the listing is complete. The peak RSS after it is reported beside the load's.
var reloadID = 0
_ = update(&state, .terminal(.key(.escape)))
_ = update(&state, .terminal(.key(.escape)))
for effect in update(&state, .terminal(.key(.char("R")))) {
  if case .loadSecrets(let id) = effect { reloadID = id }
}
var reloadPages = Measurement(name: "a page of 100 listed again (update)")
pageStart = 0
while pageStart < options.secrets {
  let page = (pageStart..<min(pageStart + 100, options.secrets)).map(makeSecret)
  pageStart += page.count
  let isLast = pageStart >= options.secrets
  time(&reloadPages) { _ = update(&state, .secretsPageLoaded(requestID: reloadID, secrets: page, isLastPage: isLast)) }
}
guard state.secrets.count == options.secrets, state.loading == nil else {
  FileHandle.standardError.write(Data("stagehand-bench: the reload did not run to its end\n".utf8))
  exit(1)
}
results.append(reloadPages)
let peakRSSAfterReload = peakRSSKilobytes()

// An estate of four Regions sharing the secrets, listed three times: what a pair's end costs
// (its rows not listed again are found and dropped; the summary counts the stale rows) with
// the other pairs' rows loaded. On reloads the last pair fails, so its rows stay as stale.
// Measured after the peak RSS above, which stays the single list's.
let regions = ["us-east-1", "eu-west-1", "ap-south-1", "sa-east-1"].map { SecretOrigin(profile: nil, region: $0) }
var estate = AppState(
  config: UIConfig(backendName: "bench estate", timeZone: TimeZone(identifier: "UTC")!, pairs: regions), now: now)
var estateReloadPages = Measurement(name: "estate: a page of 100 listed again (update)")
var pairEnds = Measurement(name: "estate: a pair ends (update)")
var estateEnds = Measurement(name: "estate: the listing ends (update)")
for round in 0..<3 {
  let effects = update(&estate, round == 0 ? .started : .terminal(.key(.char("R"))))
  guard case .loadEstate(let id)? = effects.last else { break }
  var start = 0
  while start < options.secrets {
    let end = min(start + 100, options.secrets)
    var page = (start..<end).map(makeSecret)
    let origin = regions[(start / 100) % regions.count]
    for index in page.indices { page[index].origin = origin }
    if round == 0 {
      _ = update(&estate, .pairEvent(requestID: id, origin: origin, event: .page(page)))
    } else {
      time(&estateReloadPages) {
        _ = update(&estate, .pairEvent(requestID: id, origin: origin, event: .page(page)))
      }
    }
    start = end
  }
  for (position, origin) in regions.enumerated() {
    let failing = round > 0 && position == regions.count - 1
    time(&pairEnds) {
      _ = update(
        &estate,
        .pairEvent(
          requestID: id, origin: origin,
          event: failing ? .failed(message: "RequestTimeout") : .finished(count: options.secrets / regions.count)))
    }
  }
  time(&estateEnds) { _ = update(&estate, .estateListed(requestID: id)) }
}
checksum &+= estate.secrets.count
results += [estateReloadPages, pairEnds, estateEnds]

/// Issue #18's targets for the TUI core, set for 500,000 secrets: each measure and its limit.
func targets(of results: [Measurement]) -> [(name: String, text: String, met: Bool)] {
  func find(_ name: String) -> Measurement? { results.first { $0.name == name } }
  var targets: [(name: String, text: String, met: Bool)] = [
    ("peak RSS", "< 300 MB", Double(peakRSS) / 1024 < 300)
  ]
  if let filter = find("filter keystroke + render 120x40") {
    targets.append((filter.name, "p99 < 8 ms", filter.p99 < 8))
  }
  if let page = find("apply a page of 100 while loading") {
    targets.append((page.name, "p99 < 2 ms, max < 16 ms", page.p99 < 2 && page.max < 16))
  }
  if let key = find("key j + render 120x40") {
    targets.append((key.name, "p99 < 2 ms", key.p99 < 2))
  }
  return targets
}

if options.json {
  let document: [String: Any] = [
    "secrets": state.secrets.count,
    "peak_rss_kb": peakRSS,
    "peak_rss_after_reload_kb": peakRSSAfterReload,
    "checksum": checksum,
    "measurements": results.map {
      [
        "name": $0.name, "samples": $0.samples.count, "median_ms": $0.median, "p99_ms": $0.p99, "max_ms": $0.max,
        "cpu_median_ms": $0.cpu.median, "cpu_p99_ms": $0.cpu.p99, "cpu_max_ms": $0.cpu.max,
      ]
    },
    "targets": targets(of: results).map { ["name": $0.name, "target": $0.text, "met": $0.met] },
  ]
  let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
  FileHandle.standardOutput.write(data + Data("\n".utf8))
} else {
  print(
    "TUI core at \(state.secrets.count) secrets (checksum \(checksum)), peak RSS \(peakRSS / 1024) MB, "
      + "\(peakRSSAfterReload / 1024) MB after a reload")
  let nameWidth = results.map(\.name.count).max() ?? 10
  print(
    "\("measurement".padding(toLength: nameWidth, withPad: " ", startingAt: 0))  samples   median      p99      max"
      + "   CPU: median      p99      max")
  for result in results {
    let values = [result.median, result.p99, result.max, result.cpu.median, result.cpu.p99, result.cpu.max]
    let columns = values.map { String(format: "%8.3f ms", $0) }
    print(
      result.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
        + String(format: "  %7d ", result.samples.count)
        + columns.joined(separator: " "))
  }
  print("issue #18 targets (set for 500,000 secrets):")
  for target in targets(of: results) {
    print("  \(target.name): \(target.text): \(target.met ? "met" : "NOT met")")
  }
}
