import Foundation
import SecretsClient
import StagingModel

/// The text form of a plan and its outcome (`PlanJSON` is the JSON form).
enum PlanPrinter {
  /// `notes` and `commands`, when given, replace the plan's own (a plan file's notes, as its
  /// author saw them; a rotation's command).
  static func text(_ plan: Plan, heading: String, notes: [String]? = nil, commands: [String]? = nil) -> String {
    var lines: [String] = []
    lines.append(heading)
    lines.append("")
    let diff = plan.diff
    let width = 10
    let beforeWidth = max(8, diff.map { labelsText($0.before).count }.max() ?? 0)
    let afterWidth = max(8, diff.map { labelsText($0.after).count }.max() ?? 0)
    lines.append(
      "  " + Output.cell("VERSION", width) + "  " + Output.cell("BEFORE", beforeWidth) + "  "
        + Output.cell("AFTER", afterWidth) + "  CHANGE")
    for change in diff {
      var marks: [String] = change.removed.map { "-\(Output.safe($0.label))\($0.automatic ? " (automatic)" : "")" }
      marks += change.added.map { "+\(Output.safe($0.label))\($0.automatic ? " (automatic)" : "")" }
      if change.becomesDeprecated { marks.append("(deprecated)") }
      lines.append(
        "  " + Output.cell(shortID(Output.safe(change.versionId)), width) + "  "
          + Output.cell(labelsText(change.before), beforeWidth)
          + "  " + Output.cell(labelsText(change.after), afterWidth) + "  " + marks.joined(separator: " "))
    }
    let notes = notes ?? plan.notes.map(\.message)
    if !notes.isEmpty {
      lines.append("")
      lines.append("Notes:")
      for note in notes { lines.append("  - " + Output.safe(note)) }
    }
    let commands = commands ?? plan.awsCLICommands
    lines.append("")
    lines.append(commands.count == 1 ? "AWS CLI command:" : "AWS CLI commands, in order:")
    for command in commands { lines.append("  " + Output.safe(command)) }
    return lines.joined(separator: "\n")
  }

  /// A refusal as the CLI says it: the planner's reason, then the command that would work.
  static func text(_ refusal: PlanRefusal) -> String {
    guard let suggestion = refusal.suggestion else { return refusal.message }
    return refusal.message + " " + text(suggestion)
  }

  static func text(_ suggestion: RefusalSuggestion) -> String {
    switch suggestion {
    case .move(let secretName, let label, let target):
      return
        "Move it instead (stagehand move \(shellQuote(secretName)) \(shellQuote(label)) --to \(target ?? "VERSION"))."
    case .removeFromAllButOne:
      return "Remove it from all but one first (stagehand remove … --from VERSION)."
    case .listVersions(let secretName):
      return "List them with: stagehand versions \(shellQuote(secretName)) --include-deprecated"
    case .restoreSecret(let secretName):
      return "Restore it first (aws secretsmanager restore-secret --secret-id \(shellQuote(secretName)))."
    case .finishOrAbandonRotation(let secretName, _):
      return "Finish it (stagehand promote \(shellQuote(secretName))) or abandon it "
        + "(stagehand remove \(shellQuote(secretName)) AWSPENDING)."
    case .changeOnPrimary(_, let region):
      return "Run the same command on the primary, with --region \(shellQuote(region))."
    }
  }

  /// `labels` in display order, each made safe (or, inside a message made safe as a whole,
  /// only kept on its line: `DisplayText.inline`).
  static func labelsText(_ labels: Set<String>, _ label: (String) -> String = Output.safe) -> String {
    labels.isEmpty ? "-" : labels.sorted(by: StandardLabel.displayOrder).map(label).joined(separator: " ")
  }
}

/// What the CLI and the UI say about an execution whose end is not known.
enum ExecutionText {
  /// Step `step` of `plan` failed and the labels could not be read back.
  static func unknownStep(_ step: Int, _ plan: Plan) -> String {
    "Step \(step) of \(plan.steps.count) may or may not have been applied: the labels could not be read back. "
      + "See them with: stagehand versions \(shellQuote(plan.secretName))"
  }
}
