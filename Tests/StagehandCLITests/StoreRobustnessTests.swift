import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The embedded store under crashes and concurrent writers, through the real binary.
@Suite(.serialized)
struct StoreRobustnessTests {
  static let v1 = "cccc1111-0000-0000-0000-000000000001"
  static let v2 = "cccc2222-0000-0000-0000-000000000002"

  @Test func sigkillDuringSavesNeverCorruptsTheStore() throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    try h.writeStore([("s", [(Self.v1, ["AWSCURRENT", "alpha"]), (Self.v2, [])])], extra: ["note": "kept as is"])
    var rng = SystemRandomNumberGenerator()
    // How long one whole move takes here, so the kills spread over its whole life.
    let started = Date()
    #expect(try h.run(["--store", h.storePath, "move", "s", "alpha", "--to", Self.v2, "--yes"]).status == 0)
    let span = UInt32(min(2.0, Date().timeIntervalSince(started)) * 1_300_000)
    var killedMidway = 0
    var sawOld = 0
    var sawNew = 0
    for round in 0..<60 {
      let holder = try h.labels(of: "s").first { $0.value.contains("alpha") }!.key
      let target = holder == Self.v1 ? Self.v2 : Self.v1
      let process = Process()
      process.executableURL = CLIHarness.binary
      process.arguments = ["--store", h.storePath, "move", "s", "alpha", "--to", target, "--yes"]
      process.environment = h.environment
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      usleep(UInt32.random(in: 0...span, using: &rng))
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      if process.terminationReason == .uncaughtSignal { killedMidway += 1 }
      // Whatever the moment, the file parses and holds the old or the new state.
      let labels = try h.labels(of: "s")
      let old = [
        holder: holder == Self.v1 ? Set(["AWSCURRENT", "alpha"]) : ["alpha"],
        target: target == Self.v1 ? ["AWSCURRENT"] : [],
      ]
      let new = [
        target: target == Self.v1 ? Set(["AWSCURRENT", "alpha"]) : ["alpha"],
        holder: holder == Self.v1 ? ["AWSCURRENT"] : [],
      ]
      #expect(labels == old || labels == new, "round \(round): \(labels)")
      if labels == old { sawOld += 1 } else if labels == new { sawNew += 1 }
      let object = try JSONSerialization.jsonObject(with: h.storeData()) as? [String: Any]
      #expect(object?["note"] as? String == "kept as is", "unknown fields survive saves")
    }
    #expect(killedMidway > 10, "the kills should land while the process runs")
    #expect(sawOld > 0 && sawNew > 0, "kills should land both before and after the save (old \(sawOld), new \(sawNew))")
    let mode = try FileManager.default.attributesOfItem(atPath: h.storePath)[.posixPermissions] as? NSNumber
    #expect(mode?.intValue == 0o600)
  }

  @Test func twoProcessesMakingTwoHundredMovesEachLoseNone() throws {
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
        while [ $i -lt 100 ]; do
          "$BIN" --store "$STORE" move \(secret) \(label) --to \(Self.v2) --from \(Self.v1) --yes >/dev/null 2>>"$STORE.\(secret).err" || failures=$((failures+1))
          "$BIN" --store "$STORE" move \(secret) \(label) --to \(Self.v1) --from \(Self.v2) --yes >/dev/null 2>>"$STORE.\(secret).err" || failures=$((failures+1))
          i=$((i+1))
        done
        exit $failures
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
    first.waitUntilExit()
    second.waitUntilExit()
    let errors = (try? String(contentsOfFile: h.storePath + ".one.err", encoding: .utf8)) ?? ""
    #expect(first.terminationStatus == 0, "failed moves: \(first.terminationStatus) \(errors.prefix(500))")
    #expect(second.terminationStatus == 0, "failed moves: \(second.terminationStatus)")
    #expect(try h.labels(of: "one") == [Self.v1: ["AWSCURRENT", "alpha"], Self.v2: []])
    #expect(try h.labels(of: "two") == [Self.v1: ["AWSCURRENT", "beta"], Self.v2: []])
  }
}
