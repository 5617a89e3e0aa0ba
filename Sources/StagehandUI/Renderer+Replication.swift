import Foundation
import StagingModel

extension Renderer {
  /// The replicas' progress: what is waited for, then each Region, read (with a spinner) until
  /// it matches, is still behind when the time runs out, or can't be read.
  func replicationLines(_ run: ReplicationRun, width: Int) -> [StyledLine] {
    let primary = run.origin.map { " in \($0)" } ?? ""
    var lines: [StyledLine] = wrap(
      "The change is applied on the primary\(primary). AWS copies it to each replica asynchronously: each Region is "
        + "read until its labels match what the preview showed, for up to \(run.timeoutSeconds) s.",
      width: width
    ).map { [($0, theme.dimmed)] }
    lines.append([])
    let regionWidth = min(20, max(run.regions.map(displayWidth).max() ?? 0, 6)) + 2
    for region in run.regions {
      let name = theme.truncate(sanitizeForDisplay(region, asciiOnly: theme.asciiOnly), to: regionWidth - 2)
      let cell = name + String(repeating: " ", count: max(0, regionWidth - displayWidth(name)))
      let text: String
      let style: CellStyle
      switch run.outcomes[region] {
      case nil:
        let spinner = theme.spinnerFrames[state.spinnerFrame % theme.spinnerFrames.count]
        let elapsed = max(0, Int(state.now.timeIntervalSince(run.startedAt)))
        text = "\(spinner) reading until it matches (\(elapsed) s)"
        style = .plain
      case .matched?:
        text = run.text(of: region) ?? ""
        style = theme.added
      case .behind?:
        text = run.text(of: region) ?? ""
        style = theme.status(.warning)
      case .failed?:
        text = run.text(of: region) ?? ""
        style = theme.status(.error)
      }
      let wrapped = wrap(sanitizeForDisplay(text, asciiOnly: theme.asciiOnly), width: max(10, width - regionWidth))
      for (index, part) in wrapped.enumerated() {
        lines.append([
          (index == 0 ? cell : String(repeating: " ", count: regionWidth), CellStyle(bold: true)), (part, style),
        ])
      }
    }
    lines.append([])
    let close = Keymap.standard.keyName(for: .closePopup) ?? "esc"
    if run.isRunning {
      lines.append([("\(close): close (the wait goes on; the status line says how it ends)", theme.dimmed)])
    } else {
      let matched = run.regions.count - run.notMatched
      lines.append([
        (
          "\(matched) of \(run.regions.count) replica Regions match",
          run.notMatched == 0 ? theme.added : theme.status(.warning)
        ),
        ("   \(close): close", .plain),
      ])
    }
    return lines
  }
}
