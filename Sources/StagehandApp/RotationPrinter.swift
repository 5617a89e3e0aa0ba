import Foundation
import SecretsClient
import StagingModel

/// The text of a rotation, a staged value or a cancellation (a `RotationPreview`), of what
/// following a rotation saw, of a rotation's diagnosis, and of the rotation lines `versions`
/// adds. Their --json forms are `RotationJSON` (which takes the stage names scripts read and
/// the remedies' commands from here) and `VersionsJSON`'s rotation members.
enum RotationPrinter {
  // MARK: - Previews

  /// "prod/db: rotate with rotation function arn:…".
  static func heading(_ preview: RotationPreview, valueSource: String? = nil) -> String {
    let name = Output.safe(preview.secretName)
    switch preview.kind {
    case .rotate(_, let function):
      return "\(name): rotate with \(Output.safe(function.summary))"
    case .putPending(_, let bytes, let binary):
      let source = valueSource.map { " from \(Output.safe($0))" } ?? ""
      return "\(name): stage a new value as AWSPENDING (\(bytes) bytes\(binary ? ", binary" : "")\(source))"
    case .cancel:
      return "\(name): cancel rotation, which turns automatic rotation off"
    }
  }

  /// The preview: what happens, the label table, the notes and the aws CLI command.
  static func text(_ preview: RotationPreview, heading: String, awsCommand: String, context: [String] = []) -> String {
    var lines = [heading, ""]
    switch preview.kind {
    case .rotate(let request, _):
      lines.append("New version: \(Output.safe(request.token)) (the ClientRequestToken; a retry resends it)")
      if request.rotateImmediately {
        lines.append("It gets AWSPENDING when the rotation function creates it, then AWSCURRENT when it finishes.")
      }
    case .putPending(let token, _, _):
      lines.append("New version: \(Output.safe(token)) (the ClientRequestToken; a retry resends it)")
      lines.append("The value is read from its source and sent once; it is never shown.")
    case .cancel: break
    }
    lines += context
    if lines.count > 2 { lines.append("") }
    lines += labelTable(preview, predicted: true)
    if !preview.notes.isEmpty {
      lines.append("")
      lines.append("Notes:")
      for note in preview.notes { lines.append("  - " + Output.safe(note.message)) }
    }
    if case .cancel = preview.kind, let pending = preview.before.holder(of: StandardLabel.pending) {
      lines.append("")
      lines.append("To remove AWSPENDING from \(shortID(Output.safe(pending))) afterwards:")
      lines.append("  " + removePendingCommand(preview.secretName))
    }
    lines.append("")
    lines.append("AWS CLI command:")
    lines.append("  " + Output.safe(awsCommand))
    return lines.joined(separator: "\n")
  }

  /// Before and after for each version whose labels change, or the labels as they are when
  /// nothing moves now. A `predicted` rotation shows its new version's AWSPENDING step.
  static func labelTable(_ preview: RotationPreview, predicted: Bool) -> [String] {
    let diff = preview.diff
    guard !diff.isEmpty else {
      let now = preview.before.versionIDs.map {
        "\(shortID(Output.safe($0))) [\(PlanPrinter.labelsText(preview.before.labels(on: $0)))]"
      }
      return ["No label moves now. Labels: " + (now.isEmpty ? "none" : now.joined(separator: ", "))]
    }
    var rows = [["VERSION", "BEFORE", "AFTER", "CHANGE"]]
    for change in diff {
      let isNew = !preview.before.contains(version: change.versionId)
      var marks = change.removed.map { "-" + Output.safe($0.label) + ($0.automatic ? " (automatic)" : "") }
      marks += change.added.map { "+" + Output.safe($0.label) + ($0.automatic ? " (automatic)" : "") }
      if isNew, predicted, case .rotate = preview.kind { marks = ["+AWSPENDING, then"] + marks + ["-AWSPENDING"] }
      if change.becomesDeprecated { marks.append("(deprecated)") }
      rows.append([
        shortID(Output.safe(change.versionId)), isNew ? "(new)" : PlanPrinter.labelsText(change.before),
        PlanPrinter.labelsText(change.after), marks.joined(separator: " "),
      ])
    }
    return columns(rows, minimumWidths: [10, 8, 8, 0])
  }

  /// Rows padded into columns two spaces apart, indented by two; the last column is not
  /// padded.
  static func columns(_ rows: [[String]], minimumWidths: [Int]) -> [String] {
    let widths = minimumWidths.indices.map { column in
      rows.reduce(minimumWidths[column]) { max($0, $1[column].count) }
    }
    return rows.map { row in
      "  "
        + row.indices.map { $0 == row.count - 1 ? row[$0] : Output.cell(row[$0], widths[$0]) }.joined(separator: "  ")
    }
  }

  // MARK: - Following and diagnosis

  /// "  +4s  AWSCURRENT moved to the new version".
  static func stageLine(_ stage: RotationStage, after elapsed: Duration) -> String {
    "  +\(elapsed.components.seconds)s".padding(toLength: 8, withPad: " ", startingAt: 0) + "  " + stage.summary
  }

  /// The name scripts read for a stage.
  static func stageName(_ stage: RotationStage) -> String {
    switch stage {
    case .requested: return "Requested"
    case .pendingPlaceholder: return "PendingPlaceholder"
    case .valuePresent: return "ValuePresent"
    case .currentMoved: return "CurrentMoved"
    case .pendingCleanedUp: return "PendingCleanedUp"
    }
  }

  /// "Labels now: 3f2a9c1e… [AWSCURRENT], …", the labels made safe (or, inside a message made
  /// safe as a whole, only kept on their line: `DisplayText.inline`). A version id is
  /// shortened from its safe form, as every table shows it.
  static func labelsNow(_ map: LabelMap, _ quote: (String) -> String = Output.safe) -> String {
    "Labels now: "
      + map.labelledVersions.versionIDs.map {
        "\(shortID(Output.safe($0))) [\(PlanPrinter.labelsText(map.labels(on: $0), quote))]"
      }.joined(separator: ", ")
  }

  /// Where it stopped and what to do, one remedy a line, each line made safe (or, inside a
  /// message made safe as a whole, only kept on its line: `DisplayText.inline`).
  static func text(_ diagnosis: RotationDiagnosis, _ quote: (String) -> String = Output.safe) -> String {
    var lines = ["Reached: \(diagnosis.reached.summary).", quote(diagnosis.message)]
    if !diagnosis.remedies.isEmpty {
      lines.append("What to do:")
      for remedy in diagnosis.remedies { lines.append("  - " + quote(text(remedy))) }
    }
    return lines.joined(separator: "\n")
  }

  static func text(_ remedy: RotationDiagnosis.Remedy) -> String {
    switch remedy {
    case .readLogs(.lambda(let arn)):
      let tail = logsCommand(arn).map { ": \($0)" } ?? ""
      return "read the logs of the rotation function \(arn)\(tail)"
    case .readLogs(.managed(let service)):
      return "the rotation is managed by \(service): see that service's events for this secret"
    case .promote(let secretName):
      return "finish it, if the pending value was tested: stagehand promote \(shellQuote(secretName))"
    case .removePending(let secretName):
      return "abandon it: " + removePendingCommand(secretName)
    }
  }

  static func removePendingCommand(_ secretName: String) -> String {
    "stagehand remove \(shellQuote(secretName)) AWSPENDING"
  }

  /// `aws logs tail /aws/lambda/NAME --since 1h` for a Lambda function ARN
  /// (arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]), nil for anything else.
  static func logsCommand(_ arn: String) -> String? {
    let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count >= 7, parts[0] == "arn", parts[2] == "lambda", parts[5] == "function", !parts[6].isEmpty
    else { return nil }
    var command = "aws logs tail \(shellQuote("/aws/lambda/" + parts[6])) --since 1h"
    if !parts[3].isEmpty { command += " --region \(shellQuote(String(parts[3])))" }
    return command
  }

  // MARK: - versions

  /// The stuck marker for the flags line of `versions`, when AWSPENDING sits off AWSCURRENT.
  static func versionsFlags(_ secret: Secret) -> [String] {
    guard let stuck = secret.stuckPendingVersion else { return [] }
    return ["rotation stuck: AWSPENDING on \(shortID(Output.safe(stuck))), not on AWSCURRENT"]
  }

  /// "rotation: on; rotation function arn:…; every 30 days; last …; next …", for a secret with
  /// any rotation configuration; none otherwise.
  static func versionsLines(_ secret: Secret) -> [String] {
    let rules = secret.rotationRules
    let arn = secret.rotationLambdaARN ?? ""
    let scheduled = (rules?.automaticallyAfterDays ?? 0) > 0 || rules?.scheduleExpression != nil
    guard
      secret.rotationEnabled || !arn.isEmpty || scheduled || secret.lastRotatedDate != nil
        || secret.nextRotationDate != nil
    else { return [] }
    var parts = ["rotation: \(secret.rotationEnabled ? "on" : "off")"]
    if let function = secret.rotationFunction {
      parts.append(function.summary)
    } else if !arn.isEmpty {
      parts.append("rotation function \(arn)")
    }
    if let days = rules?.automaticallyAfterDays, days > 0 { parts.append("every \(days) day\(days == 1 ? "" : "s")") }
    if let expression = rules?.scheduleExpression { parts.append("schedule \(expression)") }
    if let window = rules?.duration { parts.append("window \(window)") }
    if let last = secret.lastRotatedDate { parts.append("last rotated \(Commands.date(last))") }
    if let next = secret.nextRotationDate { parts.append("next \(Commands.date(next))") }
    return [Output.safe(parts.joined(separator: "; "))]
  }
}
