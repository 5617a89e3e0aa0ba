import ArgumentParser
import StagehandTestSupport
import Testing

@testable import StagehandApp

/// `QuickLaunch` reads a plain launch of the UI without ArgumentParser; wherever it gives an
/// answer, it must be ArgumentParser's answer, and it must leave everything else to it.
@Suite(.ownThreads)
struct QuickLaunchTests {
  /// What ArgumentParser makes of a command line: the UI's settings, or nil when the line
  /// names a subcommand or is refused (help, version and errors are thrown).
  static func argumentParser(_ arguments: [String]) -> QuickLaunch.Launch? {
    let normalized = ArgumentOrder.normalize(arguments, subcommands: Stagehand.subcommandNames)
    guard let command = try? Stagehand.parseAsRoot(normalized), let root = command as? Stagehand else { return nil }
    return QuickLaunch.Launch(settings: root.global.settings, mouse: !root.noMouse)
  }

  static func quick(_ arguments: [String]) -> QuickLaunch.Launch? {
    QuickLaunch.parse(ArgumentOrder.normalize(arguments, subcommands: Stagehand.subcommandNames))
  }

  @Test func readsTheCommonLaunchesAsArgumentParserDoes() throws {
    let lines: [[String]] = [
      [],
      ["--demo"],
      ["--demo-reset", "--no-mouse"],
      ["--store", "accounts.json", "--read-only"],
      ["--store=accounts.json", "--dry-run"],
      ["--profile", "prod", "--region", "eu-west-1", "--read-only"],
      ["--endpoint-url", "http://127.0.0.1:5000", "--region", "us-east-1"],
      ["--endpoint-url=http://127.0.0.1:5000/?a=b", "--log-file", "/tmp/requests.log"],
      ["--region", "list"],
    ]
    for line in lines {
      let quick = try #require(Self.quick(line), "\(line)")
      #expect(quick == Self.argumentParser(line), "\(line)")
    }
    #expect(Self.quick([])! == QuickLaunch.Launch())
    let read = Self.quick(["--profile", "prod", "--region=eu-west-1", "--no-mouse", "--dry-run"])
    #expect(read?.settings.profile == "prod")
    #expect(read?.settings.region == "eu-west-1")
    #expect(read?.settings.dryRun == true)
    #expect(read?.mouse == false)
  }

  @Test func leavesEverythingElseToArgumentParser() {
    let lines: [[String]] = [
      ["--help"], ["-h"], ["help"], ["--version"], ["list"], ["--demo", "list"], ["list", "--demo"],
      ["--generate-completion-script", "bash"], ["--region"], ["--region="], ["--region", "-x"],
      ["--region", "a", "--region", "b"], ["--demo", "--demo"], ["--demo=true"], ["--regin", "x"], ["-y"],
      ["--store", "--demo"], ["extra"], ["--no-mouse=1"],
    ]
    for line in lines {
      #expect(Self.quick(line) == nil, "\(line)")
    }
  }

  /// Random lines from the options' vocabulary, right and wrong: every line QuickLaunch
  /// reads, ArgumentParser reads the same way.
  @Test func randomLinesGetArgumentParsersAnswer() throws {
    let valued = ["--store", "--profile", "--region", "--endpoint-url", "--log-file"]
    let flags = ["--demo", "--demo-reset", "--read-only", "--dry-run", "--no-mouse"]
    let others = ["--help", "list", "versions", "--yes", "-h", "--json", "x", "--version", "--regionx"]
    let values = ["prod", "eu-west-1", "", "-1", "list", "a=b", "http://h:1/p?q=r", "--demo", "s p a c e", "ü"]
    var rng = SplitMix64(seed: 0x9_1A_C4)
    var read = 0
    for _ in 0..<2_000 {
      var line: [String] = []
      for _ in 0..<Int.random(in: 0...5, using: &rng) {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0..<4:
          let name = valued.randomElement(using: &rng)!
          let value = values.randomElement(using: &rng)!
          line += Bool.random(using: &rng) ? [name, value] : ["\(name)=\(value)"]
        case 4..<8: line.append(flags.randomElement(using: &rng)!)
        case 8: line.append(others.randomElement(using: &rng)!)
        default: line.append(valued.randomElement(using: &rng)!)
        }
      }
      guard let quick = Self.quick(line) else { continue }
      read += 1
      #expect(quick == Self.argumentParser(line), "\(line)")
    }
    // The vocabulary makes a good share of lines readable, so the comparison is exercised.
    #expect(read > 200, "only \(read) of 2000 lines were read by QuickLaunch")
  }

  /// The option table `QuickLaunch` and `ArgumentOrder` read names exactly the options
  /// ArgumentParser knows, and each entry sets the field ArgumentParser sets.
  @Test func theGlobalOptionTableIsArgumentParsersList() throws {
    let help = GlobalOptions.helpMessage(columns: 1000)
    let named = Set(help.matches(of: /--[a-z][a-z-]*/).map { String($0.output) }).subtracting(["--help"])
    let table = Set(GlobalSettings.valuedOptions.keys).union(GlobalSettings.flagOptions.keys)
    #expect(named == table)
    for (name, field) in GlobalSettings.valuedOptions {
      #expect(try GlobalOptions.parse([name, "value"]).settings[keyPath: field] == "value", "\(name)")
    }
    for (name, field) in GlobalSettings.flagOptions {
      #expect(try GlobalOptions.parse([name]).settings[keyPath: field], "\(name)")
      #expect(try GlobalOptions.parse([]).settings[keyPath: field] == false, "\(name)")
    }
  }
}
