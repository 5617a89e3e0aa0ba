import Foundation
import StagehandTestSupport
import StagingModel
import Testing

/// What a hostile or broken server (here a store file) can put in version ids, labels and
/// dates never reaches the terminal as control: the `list` table, `versions`, the dry-run
/// preview, `move` output and error messages show ESC, CSI (U+009B), bidi overrides, CR, LF,
/// TAB and NUL as visible stand-ins, each id and label on the line it belongs to; and dates
/// no clock gives do not crash `list --json`.
@Suite(.ownThreads)
struct HostileStoreTests {
  static let name = "hostile/\u{1B}]0;title\u{7}ids"
  static let esc = "aaaa\u{1B}[2J"
  static let csi = "\u{9B}31m-bbbb-0000"
  static let breaks = "cr\rlf\ntab\tnul\u{0}end"
  static let bidi = "\u{202E}dddd-0000"

  static func harness() throws -> CLIHarness {
    let h = try CLIHarness()
    try h.writeStore([
      (
        name,
        [
          (esc, ["AWSCURRENT", "x\u{1B}[2Jy"]), (csi, ["AWSPREVIOUS", "\u{202E}evil"]),
          (breaks, ["AWSPENDING", "l\r\n\t\u{0}z"]), (bidi, ["tab\tlabel"]),
        ]
      )
    ])
    return h
  }

  /// Scalars that would steer a terminal (all but the newlines between lines).
  static func controls(_ text: String) -> [Unicode.Scalar] {
    text.unicodeScalars.filter { $0 != "\n" && DisplayText.isDangerous($0) }
  }

  static func lines(_ text: String) -> [Substring] {
    text.split(separator: "\n", omittingEmptySubsequences: false)
  }

  @Test func listTableShowsHostileIdsAndLabelsInert() async throws {
    let h = try Self.harness()
    defer { h.cleanUp() }
    let result = try await h.run(["--store", h.storePath, "list"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(Self.controls(result.stdout).isEmpty, "\(result.stdout.debugDescription)")
    // The header, one row, and the final newline's empty rest.
    #expect(Self.lines(result.stdout).count == 3, "\(result.stdout.debugDescription)")
    for part in ["aaaa␛[2J:AWSCURRENT,x␛[2Jy", "<U+009B>…:AWSPREVIOUS,<U+202E>evil", "cr␍lf␊ta…:AWSPENDING,l␍␊␉␀z"] {
      #expect(result.stdout.contains(part), "\(part) in \(result.stdout)")
    }
  }

  @Test func versionsShowsHostileIdsAndLabelsInert() async throws {
    let h = try Self.harness()
    defer { h.cleanUp() }
    let result = try await h.run(["--store", h.storePath, "versions", Self.name])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(Self.controls(result.stdout).isEmpty, "\(result.stdout.debugDescription)")
    // Name, flags, a blank line, the header and four versions, then the final newline.
    #expect(Self.lines(result.stdout).count == 9, "\(result.stdout.debugDescription)")
    for part in ["aaaa␛[2J", "<U+009B>31m-bbbb-0000", "cr␍lf␊tab␉nul␀end", "<U+202E>dddd-0000", "tab␉label"] {
      #expect(result.stdout.contains(part), "\(part) in \(result.stdout)")
    }
  }

  @Test func dryRunPreviewShowsHostileIdsInert() async throws {
    let h = try Self.harness()
    defer { h.cleanUp() }
    let original = try h.storeData()
    let result = try await h.run([
      "--store", h.storePath, "move", Self.name, "AWSCURRENT", "--to", ":AWSPENDING", "--dry-run",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(Self.controls(result.stdout).isEmpty, "\(result.stdout.debugDescription)")
    for part in ["aaaa␛[2J", "<U+009B>…", "cr␍lf␊ta…", "--move-to-version-id 'cr␍lf␊tab␉nul␀end'"] {
      #expect(result.stdout.contains(part), "\(part) in \(result.stdout)")
    }
    #expect(try h.storeData() == original)
  }

  @Test func moveOutputShowsHostileIdsInert() async throws {
    let h = try Self.harness()
    defer { h.cleanUp() }
    let result = try await h.run([
      "--store", h.storePath, "move", Self.name, "AWSCURRENT", "--to", ":AWSPENDING", "--yes",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(Self.controls(result.stdout).isEmpty, "\(result.stdout.debugDescription)")
    #expect(Self.controls(result.stderr).isEmpty, "\(result.stderr.debugDescription)")
    #expect(result.stdout.contains("Done: "))
    #expect(result.stdout.contains("cr␍lf␊ta…"))
    #expect(try h.labels(of: Self.name)[Self.breaks] == ["AWSCURRENT", "AWSPENDING", "l\r\n\t\u{0}z"])
  }

  /// A store's own complaint names the version it found twice: inert on stderr too.
  @Test func errorMessagesShowHostileIdsInert() async throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    try h.writeStore([(Self.name, [(Self.breaks, ["AWSCURRENT"]), (Self.breaks, ["AWSPREVIOUS"])])])
    let result = try await h.run(["--store", h.storePath, "list"])
    #expect(result.status != 0)
    #expect(result.stdout.isEmpty)
    #expect(Self.controls(result.stderr).isEmpty, "\(result.stderr.debugDescription)")
    #expect(result.stderr.contains("cr␍lf␊tab␉nul␀end"), "\(result.stderr)")
  }

  /// Epoch seconds no clock gives: `list --json` and `versions` still print, with dates as
  /// ISO 8601 strings.
  @Test func farDatesDoNotCrashTheOutput() async throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let dates: [(Double, String)] = [
      (-1e15, "-31686769-06-29T22:13:20Z"), (1e20, "292277026596-12-04T15:30:07Z"),
      (1e300, "292277026596-12-04T15:30:07Z"), (-1e300, "-292277022657-01-27T08:29:52Z"),
    ]
    let store: [String: Any] = [
      "formatVersion": 1,
      "secrets": dates.enumerated().map { index, date in
        [
          "Name": "far/\(index)", "CreatedDate": date.0, "LastChangedDate": date.0,
          "Versions": [
            [
              "VersionId": "v\(index)", "VersionStages": ["AWSCURRENT"], "CreatedDate": date.0,
              "SecretString": "x",
            ] as [String: Any]
          ],
        ] as [String: Any]
      },
    ]
    try JSONSerialization.data(withJSONObject: store).write(to: URL(fileURLWithPath: h.storePath))
    let json = try await h.run(["--store", h.storePath, "list", "--json"])
    #expect(json.status == 0, "\(json.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    let list = try #require(object?["SecretList"] as? [[String: Any]])
    #expect(list.map { $0["CreatedDate"] as? String } == dates.map(\.1))
    #expect(list.map { $0["LastChangedDate"] as? String } == dates.map(\.1))
    for index in dates.indices {
      let versions = try await h.run(["--store", h.storePath, "versions", "far/\(index)", "--json"])
      #expect(versions.status == 0, "\(versions.stderr)")
      let object = try JSONSerialization.jsonObject(with: Data(versions.stdout.utf8)) as? [String: Any]
      let created = (object?["Versions"] as? [[String: Any]])?.first?["CreatedDate"] as? String
      #expect(created == dates[index].1, "\(versions.stdout)")
      let text = try await h.run(["--store", h.storePath, "versions", "far/\(index)"])
      #expect(text.status == 0, "\(text.stderr)")
    }
  }
}
