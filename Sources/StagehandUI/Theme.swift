import StagingModel

/// Styles and glyphs for one colour mode and character set. With no colour, meaning is
/// carried by bold, reverse, underline and text markers; with ASCII only, no box drawing.
struct Theme {
  let colorMode: ColorMode
  let asciiOnly: Bool

  init(_ config: UIConfig) {
    colorMode = config.colorMode
    asciiOnly = config.asciiOnly
  }

  private func color(sixteen: TermColor, eight: TermColor) -> TermColor {
    switch colorMode {
    case .sixteen: return sixteen
    case .eight: return eight
    case .none: return .default
    }
  }

  var header: CellStyle { CellStyle(bold: true, reverse: true) }
  var border: CellStyle { CellStyle(fg: color(sixteen: .brightBlack, eight: .white), dim: colorMode == .none) }
  var focusedBorder: CellStyle { CellStyle(fg: color(sixteen: .brightCyan, eight: .cyan), bold: true) }
  var title: CellStyle { CellStyle(bold: true) }
  var cursor: CellStyle { CellStyle(reverse: true) }
  var inactiveCursor: CellStyle { CellStyle(bold: true, underline: true) }
  var dimmed: CellStyle { CellStyle(fg: color(sixteen: .brightBlack, eight: .white), dim: true) }
  var columnHeader: CellStyle { CellStyle(bold: true, dim: colorMode == .none) }
  var readOnlyBadge: CellStyle { CellStyle(fg: color(sixteen: .brightRed, eight: .red), bold: true, reverse: true) }
  var dryRunBadge: CellStyle { CellStyle(fg: color(sixteen: .brightYellow, eight: .yellow), bold: true, reverse: true) }
  var serviceBadge: CellStyle { CellStyle(fg: color(sixteen: .brightBlue, eight: .blue), bold: true) }
  var deletionBadge: CellStyle { CellStyle(fg: color(sixteen: .brightRed, eight: .red), bold: true) }
  var hintKey: CellStyle { CellStyle(fg: color(sixteen: .brightCyan, eight: .cyan), bold: true) }
  var hintText: CellStyle { .plain }
  var hintDisabled: CellStyle { CellStyle(fg: color(sixteen: .brightBlack, eight: .white), dim: true) }
  var marked: CellStyle { CellStyle(fg: color(sixteen: .brightYellow, eight: .yellow), bold: true) }
  var added: CellStyle { CellStyle(fg: color(sixteen: .brightGreen, eight: .green), bold: true) }
  var removed: CellStyle { CellStyle(fg: color(sixteen: .brightRed, eight: .red), bold: true) }
  var dropTarget: CellStyle {
    CellStyle(
      fg: color(sixteen: .black, eight: .black), bg: color(sixteen: .brightBlue, eight: .blue),
      underline: colorMode == .none)
  }

  func status(_ kind: StatusMessage.Kind) -> CellStyle {
    switch kind {
    case .info: return .plain
    case .warning: return CellStyle(fg: color(sixteen: .brightYellow, eight: .yellow), bold: colorMode == .none)
    case .error: return CellStyle(fg: color(sixteen: .brightRed, eight: .red), bold: true)
    }
  }

  /// Each AWS label has its own look, custom labels share one.
  func chip(_ label: String) -> CellStyle {
    switch (label, colorMode) {
    case (StandardLabel.current, .none): return CellStyle(bold: true, reverse: true)
    case (StandardLabel.previous, .none): return CellStyle(underline: true)
    case (StandardLabel.pending, .none): return CellStyle(bold: true)
    case (_, .none): return .plain
    case (StandardLabel.current, _): return CellStyle(fg: color(sixteen: .brightGreen, eight: .green), bold: true)
    case (StandardLabel.previous, _): return CellStyle(fg: color(sixteen: .brightCyan, eight: .cyan))
    case (StandardLabel.pending, _): return CellStyle(fg: color(sixteen: .brightYellow, eight: .yellow), bold: true)
    default: return CellStyle(fg: color(sixteen: .brightMagenta, eight: .magenta))
    }
  }

  var ellipsis: String { asciiOnly ? "..." : "…" }
  var cursorMarker: String { asciiOnly ? ">" : "▸" }
  var pendingMark: String { asciiOnly ? "~" : "⧗" }
  var rotationMark: String { asciiOnly ? "R" : "↻" }
  /// Before the name of a marked secret.
  var markGlyph: String { asciiOnly ? "*" : "●" }
  var arrow: String { asciiOnly ? "->" : "→" }
  var dash: String { asciiOnly ? "-" : "—" }
  var separator: String { asciiOnly ? " | " : " · " }
  var spinnerFrames: [String] {
    asciiOnly ? ["|", "/", "-", "\\"] : ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
  }

  /// Corners and edges: top-left, top-right, bottom-left, bottom-right, horizontal, vertical.
  var box: (tl: String, tr: String, bl: String, br: String, h: String, v: String) {
    asciiOnly ? ("+", "+", "+", "+", "-", "|") : ("┌", "┐", "└", "┘", "─", "│")
  }

  /// Cuts `text` to `width` columns, marking the cut.
  func truncate(_ text: String, to width: Int) -> String {
    guard width > 0 else { return "" }
    if displayWidth(text) <= width { return text }
    let mark = ellipsis
    let room = width - displayWidth(mark)
    guard room > 0 else { return String(repeating: ".", count: width) }
    var out = ""
    var used = 0
    for character in text {
      let w = displayWidth(character)
      if used + w > room { break }
      out.append(character)
      used += w
    }
    return out + mark
  }
}
