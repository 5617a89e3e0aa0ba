import Foundation
import SecretsClient
import StagehandTestSupport
import StagingModel
import Testing

@testable import StagehandApp

/// A message is made safe once, where it is shown: `Output.error` on the CLI (the UI's
/// renderer is held in StagehandUITests). Before that it is raw, the text it quotes (a
/// server's words, a name, an id, a label) only kept on its line (`DisplayText.inline`). The
/// CLI prints what it printed when the quoted text was made safe first and the whole message
/// again.
@Suite(.ownThreads)
struct MessageSafetyTests {
  static func text(_ rng: inout SplitMix64) -> String {
    ListOutputTests.text(&rng, pieces: Int.random(in: 0...8, using: &rng))
  }

  static func lineBreaks(_ text: String) -> Bool {
    text.unicodeScalars.contains { $0 == "\n" || $0 == "\r" }
  }

  @Test func inlineKeepsTextOnItsLineAndChangesNothingElse() {
    var rng = SplitMix64(seed: 101)
    var broken = 0
    for _ in 0..<5_000 {
      let text = Self.text(&rng)
      let kept = DisplayText.inline(text)
      #expect(!Self.lineBreaks(kept), "\(text.debugDescription)")
      #expect(DisplayText.sanitized(kept) == DisplayText.sanitized(text), "\(text.debugDescription)")
      if Self.lineBreaks(text) {
        broken += 1
      } else {
        #expect(kept == text)
      }
    }
    #expect(broken > 1_000)
  }

  static func error(_ rng: inout SplitMix64) -> SecretsError {
    let words = text(&rng)
    switch Int.random(in: 0..<6, using: &rng) {
    case 0, 1:
      let codes = ["AccessDeniedException", "ResourceNotFoundException", "Odd\u{1B}Code", "a\nb", "", words]
      return .service(code: codes.randomElement(using: &rng)!, message: words)
    case 2: return .transport("connection reset (\(words))")
    case 3: return .store(path: "/tmp/" + text(&rng), problem: "can't be read (\(words)).", hint: "Check it.")
    case 4: return .malformedResponse("ListSecrets: \(words)")
    default: return .configuration("The region \(words) is not valid.\nSet --region.")
    }
  }

  /// Every error's message on standard error as before: its raw form made safe line by line
  /// is what the server's words made safe first, then the whole again, gave. The app hands the
  /// raw form to the CLI and to the UI alike.
  @Test func errorsPrintAsBefore() {
    var rng = SplitMix64(seed: 102)
    var quotedLineBreaks = 0
    for _ in 0..<5_000 {
      let error = Self.error(&rng)
      #expect(Output.safeLines(error.rawUserMessage) == Output.safeLines(error.userMessage), "\(error)")
      #expect(Commands.message(error) == error.rawUserMessage)
      if case .service(let code, let message, _, _) = error, Self.lineBreaks(code + message) {
        quotedLineBreaks += 1
        // The server's line breaks do not start lines of their own.
        #expect(
          error.rawUserMessage.split(separator: "\n").count == error.userMessage.split(separator: "\n").count)
      }
    }
    #expect(quotedLineBreaks > 300)
  }

  /// The CLI's own messages (`Commands`): quoted text kept on its line, the message made safe
  /// once, prints what quoting it made safe did.
  @Test func quotedTextPrintsAsBefore() {
    var rng = SplitMix64(seed: 103)
    for _ in 0..<5_000 {
      let (name, change, command) = (Self.text(&rng), Self.text(&rng), Self.text(&rng))
      func message(_ quote: (String) -> String) -> String {
        "The labels of \(quote(name)) changed:\n  \(quote(change))\nTo revert: \(quote(command))"
      }
      let once = Output.safeLines(message(DisplayText.inline))
      #expect(once == Output.safeLines(message(DisplayText.sanitized)))
      #expect(once.split(separator: "\n", omittingEmptySubsequences: false).count == 3)
    }
  }

  /// A followed rotation that stopped: its diagnosis and labels, quoted in the message
  /// (`DisplayText.inline`) and made safe once, print what making them safe first did, on
  /// as many lines.
  @Test func rotationDiagnosisPrintsAsBefore() {
    var rng = SplitMix64(seed: 104)
    for _ in 0..<3_000 {
      let function: RotationFunction? =
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: .lambda(arn: "arn:aws:lambda:us-east-1:1:function:" + Self.text(&rng))
        case 1: .managed(service: Self.text(&rng))
        default: nil
        }
      let diagnosis = RotationDiagnosis(
        secretName: Self.text(&rng), token: ListOutputTests.versionID(&rng),
        reached: RotationStage.allCases.randomElement(using: &rng)!, function: function)
      let labels = JSONOutputTests.labelMap(&rng)
      func message(_ quote: (String) -> String) -> String {
        RotationPrinter.text(diagnosis, quote) + "\n" + RotationPrinter.labelsNow(labels, quote)
      }
      let once = Output.safeLines(message(DisplayText.inline))
      #expect(once == Output.safeLines(message(Output.safe)))
      #expect(once.split(separator: "\n").count == message(Output.safe).split(separator: "\n").count)
    }
  }
}
