import Foundation
import SecretsClient
import StagehandTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The embedded store under crashes and concurrent writers, through the real binary.
@Suite(.serialized, .ownThreads)
struct StoreRobustnessTests {
  static let v1 = "cccc1111-0000-0000-0000-000000000001"
  static let v2 = "cccc2222-0000-0000-0000-000000000002"

  /// The labels of "s" when "alpha" sits on `holder` (AWSCURRENT never moves).
  static func state(alphaOn holder: String) -> [String: Set<String>] {
    [
      v1: holder == v1 ? ["AWSCURRENT", "alpha"] : ["AWSCURRENT"],
      v2: holder == v2 ? ["alpha"] : [],
    ]
  }

  /// Reads "s" with the real loader (parsing and validation included).
  static func loadedLabels(_ path: String) async throws -> [String: Set<String>] {
    let secret = try await LocalStoreBackend(path: path, readOnly: true).describeSecret("s", includeDeprecated: true)
    return [v1: secret.labelMap.labels(on: v1), v2: secret.labelMap.labels(on: v2)]
  }

  /// `store-saver` (Tests/Tools/StoreSaver) moves "alpha" back and forth through
  /// LocalStoreBackend, the real lock + temp file + fsync + rename path, and says "start X"
  /// before each save and "done X" after it. It is SIGKILLed at a seeded random moment after
  /// its first "start", 500 times. After each kill the store, read with the real loader,
  /// holds exactly the last completed save's state, or, if the kill landed inside a save,
  /// that save's old or new state; the unknown field survives; the file stays 0600. The
  /// limit only turns a hung saver into a failure: 500 spawns of a debug binary take minutes
  /// on two cores shared with the whole suite.
  @Test(.timeLimit(.minutes(15))) func fiveHundredSigkillsDuringSavesNeverCorruptTheStore() async throws {
    // Hundreds of spawns, kills and reads: all of it on threads of its own.
    try await offThePool {
      let h = try CLIHarness()
      defer { h.cleanUp() }
      try h.writeStore([("s", [(Self.v1, ["AWSCURRENT", "alpha"]), (Self.v2, [])])], extra: ["note": "kept as is"])
      let saver = StoreSaver(harness: h)
      var rng = SplitMix64(seed: 0x5AFE)

      // How long one save takes here, so the kills spread over the first couple of saves.
      let perSave = try saver.timeOneSave()
      let window = UInt32(min(max(perSave * 2, 0.000_5), 0.05) * 1_000_000)

      var kills = 0
      var rounds = 0
      var midSaveOld = 0
      var midSaveNew = 0
      var betweenSaves = 0
      while kills < 500 && rounds < 1_500 {
        rounds += 1
        let delay = UInt32.random(in: 0...window, using: &rng)
        let lines = try saver.runAndKill(afterMicroseconds: delay)
        // A kill before the first save began does not count.
        guard let last = lines.last else { continue }
        kills += 1
        let labels = try await Self.loadedLabels(h.storePath)
        let target = String(last.split(separator: " ")[1])
        let new = Self.state(alphaOn: target)
        let old = Self.state(alphaOn: target == Self.v1 ? Self.v2 : Self.v1)
        if last.hasPrefix("done ") {
          #expect(labels == new, "kill \(kills) after a finished save: \(labels)")
          betweenSaves += 1
        } else {
          #expect(labels == old || labels == new, "kill \(kills) inside a save: \(labels)")
          if labels == old { midSaveOld += 1 } else if labels == new { midSaveNew += 1 }
        }
        let object = try JSONSerialization.jsonObject(with: h.storeData()) as? [String: Any]
        #expect(object?["note"] as? String == "kept as is", "kill \(kills): unknown fields survive saves")
        #expect(try Self.mode(h.storePath) == 0o600, "kill \(kills)")
      }
      #expect(kills == 500, "only \(kills) of \(rounds) kills landed after the first save began")
      #expect(midSaveOld > 0 && midSaveNew > 0, "inside a save: old \(midSaveOld), new \(midSaveNew)")

      // Temporary files a kill left behind are private and do not stop later saves.
      let leftovers = try FileManager.default.contentsOfDirectory(atPath: h.directory.path)
        .filter { $0.hasPrefix("store.json.tmp-") }
      for name in leftovers {
        #expect(try Self.mode(h.directory.appendingPathComponent(name).path) == 0o600, "\(name)")
      }
      let before = try await Self.loadedLabels(h.storePath)
      let holder = before[Self.v1]!.contains("alpha") ? Self.v1 : Self.v2
      let target = holder == Self.v1 ? Self.v2 : Self.v1
      let moved = try await h.run(["--store", h.storePath, "move", "s", "alpha", "--to", target, "--yes"])
      #expect(moved.status == 0, "\(moved.stderr)")
      #expect(try await Self.loadedLabels(h.storePath) == Self.state(alphaOn: target))
      // The next save clears what killed saves left behind (it holds the lock, so none is live).
      let remaining = try FileManager.default.contentsOfDirectory(atPath: h.directory.path)
        .filter { $0.hasPrefix("store.json.tmp-") }
      #expect(remaining.isEmpty, "temporary files left after a completed save: \(remaining)")
      print(
        "StoreRobustnessTests: \(kills) kills in \(rounds) runs (one save ~\(Int(perSave * 1_000_000)) µs, kill "
          + "window \(window) µs): inside a save \(midSaveOld) old, \(midSaveNew) new; between saves "
          + "\(betweenSaves); \(leftovers.count) temporary files left behind")
    }
  }

  static func mode(_ path: String) throws -> Int? {
    (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
  }

  /// Runs the `store-saver` test tool on the harness's store.
  struct StoreSaver {
    let harness: CLIHarness
    var binary: URL { CLIHarness.productsDirectory.appendingPathComponent("store-saver") }
    var output: URL { harness.directory.appendingPathComponent("saver.out") }
    var errors: URL { harness.directory.appendingPathComponent("saver.err") }

    /// Starts the saver with fresh output files; this process's copies of them are closed
    /// once the child has them.
    func start() throws -> Process {
      for file in [output, errors] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
      let handles = (try FileHandle(forWritingTo: output), try FileHandle(forWritingTo: errors))
      defer { for handle in [handles.0, handles.1] { try? handle.close() } }
      let process = Process()
      process.executableURL = binary
      process.arguments = [harness.storePath, "s", "alpha", v1, v2]
      process.environment = harness.environment
      process.standardOutput = handles.0
      process.standardError = handles.1
      try process.run()
      return process
    }

    func lines() -> [Substring] {
      String(decoding: (try? Data(contentsOf: output)) ?? Data(), as: UTF8.self).split(separator: "\n")
    }

    /// Polls the output until `condition` holds; fails if the saver stopped by itself.
    func wait(for process: Process, until condition: ([Substring]) -> Bool) throws -> [Substring] {
      let deadline = Date().addingTimeInterval(20)
      while Date() < deadline {
        let current = lines()
        if condition(current) { return current }
        if !process.isRunning {
          let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
          throw ChildProcess.Failure(description: "store-saver exited (\(process.terminationStatus)): \(stderr)")
        }
        usleep(200)
      }
      throw ChildProcess.Failure(description: "store-saver made no progress in 20 s")
    }

    func killed(_ process: Process) throws {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      #expect(process.terminationReason == .uncaughtSignal, "store-saver ended before the kill")
    }

    /// Seconds per save, averaged over 20 saves.
    func timeOneSave() throws -> Double {
      let process = try start()
      _ = try wait(for: process) { $0.contains { $0.hasPrefix("start") } }
      let started = Date()
      _ = try wait(for: process) { lines in lines.count(where: { $0.hasPrefix("done") }) >= 20 }
      let elapsed = Date().timeIntervalSince(started)
      try killed(process)
      return elapsed / 20
    }

    /// Starts the saver, waits for its first "start", waits `delay` µs more, SIGKILLs it
    /// and returns what it wrote.
    func runAndKill(afterMicroseconds delay: UInt32) throws -> [Substring] {
      let process = try start()
      _ = try wait(for: process) { $0.contains { $0.hasPrefix("start") } }
      usleep(delay)
      try killed(process)
      return lines()
    }
  }

  @Test func twoProcessesMakingFiveHundredMovesEachLoseNone() async throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    try h.writeStore([
      ("one", [(Self.v1, ["AWSCURRENT", "alpha"]), (Self.v2, [])]),
      ("two", [(Self.v1, ["AWSCURRENT", "beta"]), (Self.v2, [])]),
    ])
    // Each loop moves its label back and forth; a lost update would make a later move
    // fail (the label would not be where the loop left it) or leave it in the wrong place.
    func loop(_ secret: String, _ label: String) throws -> Process {
      let script = """
        failures=0
        i=0
        while [ $i -lt 250 ]; do
          "$BIN" --store "$STORE" move \(secret) \(label) --to \(Self.v2) --from \(Self.v1) --yes >/dev/null 2>>"$STORE.\(secret).err" || failures=$((failures+1))
          "$BIN" --store "$STORE" move \(secret) \(label) --to \(Self.v1) --from \(Self.v2) --yes >/dev/null 2>>"$STORE.\(secret).err" || failures=$((failures+1))
          i=$((i+1))
        done
        echo $failures > "$STORE.\(secret).failures"
        [ $failures -eq 0 ]
        """
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/bin/sh")
      process.arguments = ["-c", script]
      var env = h.environment
      env["BIN"] = CLIHarness.binary.path
      env["STORE"] = h.storePath
      process.environment = env
      try process.run()
      return process
    }
    let first = try loop("one", "alpha")
    let second = try loop("two", "beta")
    try await onOwnThread {
      first.waitUntilExit()
      second.waitUntilExit()
    }
    let errors = (try? String(contentsOfFile: h.storePath + ".one.err", encoding: .utf8)) ?? ""
    // The count, not the exit status: a shell's status is the count modulo 256.
    func failures(_ secret: String) -> String {
      ((try? String(contentsOfFile: h.storePath + ".\(secret).failures", encoding: .utf8)) ?? "none written")
        .trimmingCharacters(in: .whitespacesAndNewlines)
    }
    #expect(
      first.terminationStatus == 0 && failures("one") == "0", "failed moves: \(failures("one")) \(errors.prefix(500))")
    #expect(second.terminationStatus == 0 && failures("two") == "0", "failed moves: \(failures("two"))")
    #expect(try h.labels(of: "one") == [Self.v1: ["AWSCURRENT", "alpha"], Self.v2: []])
    #expect(try h.labels(of: "two") == [Self.v1: ["AWSCURRENT", "beta"], Self.v2: []])
  }
}
