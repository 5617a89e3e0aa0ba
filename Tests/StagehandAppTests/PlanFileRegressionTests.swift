import Foundation
import SecretsClient
import StagehandTestSupport
import StagingModel
import Testing

@testable import StagehandApp

/// What `PlanFileFuzzTests` found, one case each: a file it accepted that it should have
/// refused, or refused in words that were no help.
@Suite(.ownThreads)
struct PlanFileRegressionTests {
  static let v1 = "aaaa1111-0000-0000-0000-000000000001"
  static let v2 = "bbbb2222-0000-0000-0000-000000000002"

  /// `promote` of one secret, as `--out` writes it: AWSCURRENT onto v2, then AWSPENDING off it.
  static func file(name: String = "prod/db", arn: String? = nil) -> PlanFile {
    let secret = Secret(
      name: name, arn: arn ?? "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
      versions: [
        SecretVersion(versionId: v1, labels: ["AWSCURRENT"]),
        SecretVersion(versionId: v2, labels: ["AWSPENDING"]),
      ])
    let set = ChangeSet.plan([secret]) { _ in .promotePending(keepPending: false) }
    return PlanFile(
      set, command: "promote --filter prod/", location: BackendLocation(region: "us-east-1"),
      readAt: Date(timeIntervalSince1970: 1_800_000_000))
  }

  static func text(_ file: PlanFile) throws -> String {
    String(decoding: try JSONOutput.bytes(file), as: UTF8.self)
  }

  /// The refusal of `text` read as a plan file, as the terminal shows it (nil if accepted).
  static func refusal(_ text: String) -> String? {
    do {
      _ = try PlanFile.decode(Data(text.utf8), name: "plan.json")
      return nil
    } catch let error as CLIError {
      #expect(error.exitCode == 2)
      return Output.safeLines(error.message)
    } catch {
      return "\(error)"
    }
  }

  @Test func theBaseFileIsAPlan() throws {
    let file = Self.file()
    #expect(file.plans.count == 1 && file.plans[0].steps.count == 2)
    #expect(Self.refusal(try Self.text(file)) == nil)
  }

  /// The calls' version ids were not checked, only Before's and After's: a label moved to a
  /// "version" with an escape sequence and back left both maps as they were.
  @Test func aStepThroughAVersionThatIsNotOneIsRefused() throws {
    for (via, accepted) in [("\u{1B}[2J", false), ("../../etc/passwd", false), ("a b", false), (Self.v2 + "x", true)] {
      var file = Self.file()
      file.plans[0].steps.insert(
        contentsOf: [
          StageStep(versionStage: "AWSPENDING", removeFromVersionId: Self.v2, moveToVersionId: via),
          StageStep(versionStage: "AWSPENDING", removeFromVersionId: via, moveToVersionId: Self.v2),
        ], at: 0)
      file.summary.calls += 2
      let refusal = Self.refusal(try Self.text(file))
      if accepted {
        #expect(refusal == nil, "\(via.debugDescription)")
      } else {
        let shown = DisplayText.sanitized(via)
        #expect(
          refusal
            == "plan.json is not a plan Stagehand can apply: plan 1 (prod/db) names a version \"\(shown)\" that is "
            + "not a version id.")
      }
    }
  }

  /// A ReadAt before 1582 was read in the Julian calendar and written back in the proleptic
  /// Gregorian one, days apart: `show --json` changed the file. Times are whole seconds from
  /// 1970 to 9999, as --out writes them.
  @Test func readAtIsAWholeSecondFrom1970To9999() throws {
    let written = ISO8601Text.string(Date(timeIntervalSince1970: 1_800_000_000))
    let text = try Self.text(Self.file())
    #expect(text.contains("\"ReadAt\" : \"\(written)\""))
    for date in ["1000-01-01T00:00:00Z", "1582-10-04T12:00:00Z", "1969-12-31T23:59:59Z", "1969-12-31T23:59:59.9Z"] {
      #expect(
        Self.refusal(text.replacingOccurrences(of: written, with: date))
          == "plan.json is not a plan Stagehand can apply: Plans[0].ReadAt is not valid (not a time from 1970 to "
          + "9999).", "\(date)")
    }
    for date in ["0000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "2027-13-01T00:00:00Z", "yesterday"] {
      let refusal = Self.refusal(text.replacingOccurrences(of: written, with: date))
      #expect(refusal?.hasPrefix("plan.json is not a plan Stagehand can apply: Plans[0].ReadAt is not valid (") == true)
    }
    let fraction = written.replacingOccurrences(of: "Z", with: ".750Z")
    for (date, seconds) in [
      ("1970-01-01T00:00:00Z", 0.0), (fraction, 1_800_000_000), ("9999-12-31T23:59:59Z", 253_402_300_799),
      ("2027-01-15T09:00:00+01:00", 1_800_000_000),
    ] {
      let read = try PlanFile.decode(Data(text.replacingOccurrences(of: written, with: date).utf8), name: "plan.json")
      #expect(read.plans[0].readAt == Date(timeIntervalSince1970: seconds), "\(date)")
      let again = try PlanFile.decode(Data(try JSONOutput.bytes(read)), name: "plan.json")
      #expect(again.plans == read.plans, "\(date)")
    }
  }

  /// A Summary number that is not a whole one, or too large for one, gave "plan.json is not
  /// a plan Stagehand can apply:  is not valid (The given data was not valid JSON.)."
  @Test func summaryNumbersThatAreNotWholeAreNamed() throws {
    let text = try Self.text(Self.file())
    #expect(text.contains("\"Calls\" : 2,"))
    for number in ["2.5", "1e30", "-9223372036854775809", "9223372036854775808", "123456789012345678901234567890"] {
      #expect(
        Self.refusal(text.replacingOccurrences(of: "\"Calls\" : 2,", with: "\"Calls\" : \(number),"))
          == "plan.json is not a plan Stagehand can apply: Summary.Calls is not a whole number that fits in 64 bits.",
        "\(number)")
    }
    // A whole number written with a fraction or an exponent is still that number.
    #expect(Self.refusal(text.replacingOccurrences(of: "\"Calls\" : 2,", with: "\"Calls\" : 2.0,")) == nil)
    #expect(
      Self.refusal(text.replacingOccurrences(of: "\"Calls\" : 2,", with: "\"Calls\" : 3,"))?.contains("Summary") == true
    )
  }

  /// Text from the file is quoted in full: a name of 100,000 characters made a message of
  /// 100,000. It is cut at 80 characters.
  @Test func longTextIsCutInMessages() throws {
    var file = Self.file()
    file.plans[0].name = String(repeating: "n\u{1B}[1m", count: 20_000)
    file.plans[0].steps = []
    file.summary.calls = 0
    let refusal = try #require(Self.refusal(try Self.text(file)))
    #expect(refusal.count < 200, "\(refusal.count) characters")
    #expect(refusal.hasSuffix("…) has no steps."), "\(refusal)")
    #expect(refusal.hasPrefix("plan.json is not a plan Stagehand can apply: plan 1 (n␛[1mn␛[1m"), "\(refusal)")
    // A key of Before as long (a version id no one would write) is cut in a path too.
    let text = try Self.text(Self.file()).replacingOccurrences(
      of: "\"\(Self.v2)\" : [", with: "\"\(String(repeating: "k", count: 50_000))\" : [1, ")
    let path = try #require(Self.refusal(text))
    #expect(path.count < 300 && path.contains("…"), "\(path.prefix(300))")
  }

  /// An ARN whose secret name starts with a combining mark or a joiner was not an ARN: the
  /// colon before the name folded into one Character with it, so a plan --out wrote of such a
  /// secret (a store allows any name) was refused by apply.
  @Test func anARNWhoseNameStartsWithACombiningMarkIsAnARN() throws {
    for name in ["\u{300}db", "\u{200D}db", "\u{301}"] {
      let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:\(name)-AbCdEf"
      #expect(SecretARN(arn)?.region == "eu-west-1" && SecretARN(arn)?.account == "123456789012")
      let file = Self.file(name: name, arn: arn)
      #expect(file.plans[0].region == "eu-west-1" && file.plans[0].account == "123456789012")
      #expect(Self.refusal(try Self.text(file)) == nil, "\(name.debugDescription)")
    }
  }
}
