import Foundation
import SecretsClient
import StagingModel

/// The preview -> confirm part the rotation commands share, with the conventions of the label
/// commands (`Commands.change`): a refusal exits 2 and sends nothing, --dry-run shows the
/// preview, --read-only refuses, and without --yes a terminal is asked while anything else is
/// refused.
enum RotationFlow {
  struct Confirmed {
    var preview: RotationPreview
    var heading: String
  }

  /// The preview once it is confirmed; nil when nothing is to be sent (a dry run was shown, or
  /// the answer was no). `context` is printed under the heading; `action` completes "Refusing to …
  /// without confirmation"; `question` is the y/N prompt.
  static func confirm(
    _ planned: Result<RotationPreview, PlanRefusal>, secret: Secret, backend: any SecretsBackend,
    global: GlobalOptions, options: ChangeOptions, action: String, question: String, valueSource: String? = nil,
    context: [String] = [], awsCommand: (RotationPreview) -> String
  ) throws -> Confirmed? {
    let preview: RotationPreview
    switch planned {
    case .success(let made): preview = made
    case .failure(let refusal):
      let text = PlanPrinter.text(refusal)
      if options.json {
        try JSONOutput.write(RefusalJSON(name: secret.name, refused: text))
      }
      throw CLIError.refusal(DisplayText.inline(text))
    }
    let heading = RotationPrinter.heading(preview, valueSource: valueSource)
    let command = awsCommand(preview)
    if global.dryRun {
      if options.json {
        try JSONOutput.write(RotationJSON.dryRun(preview, awsCommand: command))
      } else {
        Output.line(
          RotationPrinter.text(
            preview, heading: heading + " (dry run: nothing sent)", awsCommand: command, context: context))
      }
      return nil
    }
    if backend.isReadOnly {
      throw CLIError.refusal(
        "--read-only is set: nothing was sent. Preview with --dry-run, or run without --read-only.")
    }
    let text = RotationPrinter.text(preview, heading: heading, awsCommand: command, context: context)
    if options.yes {
      if !options.json { Output.line(text + "\n") }
      return Confirmed(preview: preview, heading: heading)
    }
    let interactive = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 && !options.json
    guard interactive else {
      throw CLIError.refusal(
        "Refusing to \(action) without confirmation: pass --yes to apply, or --dry-run to preview.")
    }
    Output.line(text)
    Output.line()
    Output.write(Array("\(question) [y/N] ".utf8))
    let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
    guard answer == "y" || answer == "yes" else {
      Output.line("Nothing sent.")
      return nil
    }
    return Confirmed(preview: preview, heading: heading)
  }

  /// `--out`: the preview written to a plan file (or the refusal, exit 2); nothing is sent.
  /// The file keeps the ClientRequestToken, so `apply` starts this very rotation, once.
  static func write(
    _ planned: Result<RotationPreview, PlanRefusal>, secret: Secret, backend: any SecretsBackend,
    options: ChangeOptions, output: PlanOutputOptions, command: String
  ) throws {
    guard let out = output.out else { return }
    let preview: RotationPreview
    switch planned {
    case .success(let made): preview = made
    case .failure(let refusal):
      let text = PlanPrinter.text(refusal)
      if options.json { try JSONOutput.write(RefusalJSON(name: secret.name, refused: text)) }
      throw CLIError.refusal(DisplayText.inline(text))
    }
    let file = try PlanFile(
      rotation: preview, command: command, location: backend.location, readAt: Date(), origin: secret.origin)
    try file.write(to: out)
    if options.json {
      try JSONOutput.write(file)
      return
    }
    Output.line(ChangeSetFlow.preview(file, heading: command + " (written, nothing sent)"))
    Output.line()
    Output.line(
      "Plan written to \(Output.safe(out)). Review it with: stagehand show \(shellQuote(out)); "
        + "apply it with: stagehand apply \(shellQuote(out))")
  }

  /// A send that failed: the JSON document (with "Error", when --json), then exit 1.
  static func failure(
    _ error: any Error, preview: RotationPreview, awsCommand: String, options: ChangeOptions
  ) throws -> CLIError {
    let message = Commands.message(error)
    if options.json {
      let secretsError = error as? SecretsError
      // As in PlanJSON: a SecretsError's JSON message is `userMessage`, made safe here; the
      // raw message is made safe where it is shown (`Output.error`).
      try JSONOutput.write(
        RotationJSON.failed(
          preview, awsCommand: awsCommand, code: secretsError?.code ?? "Error",
          message: secretsError?.userMessage ?? message))
    }
    return CLIError.failure(message)
  }
}
