import Foundation
import StagingModel

/// Draws the whole screen for `state`. Pure: the same state always gives the same grid,
/// which is what the snapshot tests rely on.
public func render(_ state: AppState, into grid: inout CellGrid) {
  if grid.width != max(0, state.width) || grid.height != max(0, state.height) {
    grid = CellGrid(width: state.width, height: state.height)
  } else {
    grid.fill(x: 0, y: 0, width: grid.width, height: grid.height)
  }
  var renderer = Renderer(state: state, grid: grid)
  renderer.draw()
  grid = renderer.grid
  if state.config.asciiOnly { asciify(&grid) }
}

/// The last guard for a non-UTF-8 terminal: text from the model (short ids, plan notes)
/// may carry an ellipsis or arrow; each becomes one ASCII column so alignment holds.
private func asciify(_ grid: inout CellGrid) {
  for y in 0..<grid.height {
    for x in 0..<grid.width {
      let cell = grid[x, y]
      guard !cell.text.unicodeScalars.allSatisfy(\.isASCII) else { continue }
      let replacement = cell.text == "…" ? "." : cell.text == "→" ? ">" : "?"
      grid[x, y] = Cell(replacement, style: cell.style)
      if displayWidth(Character(cell.text.isEmpty ? " " : cell.text)) == 2 {
        grid[x + 1, y] = Cell("?", style: cell.style)
      }
    }
  }
}

/// The screen for `state` in a new grid of the state's size.
public func render(_ state: AppState) -> CellGrid {
  var grid = CellGrid(width: state.width, height: state.height)
  render(state, into: &grid)
  return grid
}

/// One frame being drawn. Split over a few files by screen area.
struct Renderer {
  let state: AppState
  let theme: Theme
  let layout: Layout
  let dates: DateText
  var grid: CellGrid

  init(state: AppState, grid: CellGrid) {
    self.state = state
    self.theme = Theme(state.config)
    self.layout = state.layout
    self.dates = DateText(timeZone: state.config.timeZone)
    self.grid = grid
  }

  /// Text drawn as it comes reaches the grid through here, sanitized, so data that slipped
  /// into a label, a plan summary or a note still can't steer the terminal.
  @discardableResult
  mutating func put(_ text: String, x: Int, y: Int, style: CellStyle = .plain, maxWidth: Int? = nil) -> Int {
    grid.put(sanitizeForDisplay(text, asciiOnly: theme.asciiOnly), x: x, y: y, style: style, maxWidth: maxWidth)
  }

  /// Text already made safe for this terminal, drawn as it is. Messages (the status line, an
  /// error, a title, a popup's text) are made safe once, where they are laid out: they are
  /// wrapped or cut to fit, which needs the safe text (an ESC is one column as ␛, eight as
  /// `<U+009B>` is), and with the terminal's character set, which only the screen knows. The
  /// errors the app hands over (`SecretsError.rawUserMessage`) are not made safe before.
  @discardableResult
  mutating func put(safe text: String, x: Int, y: Int, style: CellStyle = .plain, maxWidth: Int? = nil) -> Int {
    grid.put(text, x: x, y: y, style: style, maxWidth: maxWidth)
  }

  mutating func draw() {
    if state.isTooSmall {
      drawTooSmall()
      return
    }
    drawHeader()
    drawSecretsPane()
    drawVersionsPane()
    drawStatus()
    drawHints()
    drawDragged()
    drawPopup()
  }

  mutating func drawTooSmall() {
    let message =
      "Terminal too small: \(state.width)x\(state.height), need at least \(Layout.minimumWidth)x\(Layout.minimumHeight) \(theme.dash) enlarge the window"
    let lines = wrap(message, width: max(1, state.width - 2))
    let top = max(0, (state.height - lines.count) / 2)
    for (offset, line) in lines.enumerated() {
      let x = max(0, (state.width - displayWidth(line)) / 2)
      put(line, x: x, y: top + offset, style: CellStyle(bold: true))
    }
  }

  mutating func drawHeader() {
    grid.fill(x: 0, y: 0, width: layout.width, height: 1, with: Cell(" ", style: theme.header))
    var x = 1
    x += put("Stagehand", x: x, y: 0, style: theme.header)
    x += 2
    var badges: [(String, CellStyle)] = []
    if state.config.readOnly { badges.append((" READ-ONLY ", theme.readOnlyBadge)) }
    if state.dryRun { badges.append((" DRY-RUN ", theme.dryRunBadge)) }
    let right = headerRight
    let badgeWidth = badges.reduce(0) { $0 + displayWidth($1.0) + 1 }
    let room = layout.width - x - badgeWidth - displayWidth(right) - 2
    x += put(
      theme.truncate(sanitizeForDisplay(state.config.backendName, asciiOnly: theme.asciiOnly), to: room), x: x, y: 0,
      style: theme.header)
    x += 1
    for (text, style) in badges {
      x += put(text, x: x, y: 0, style: style) + 1
    }
    put(right, x: layout.width - displayWidth(right) - 1, y: 0, style: theme.header)
  }

  var headerRight: String {
    if let estate = estateHeaderRight { return estate }
    if let load = state.loading {
      let frames = theme.spinnerFrames
      return "\(frames[state.spinnerFrame % frames.count]) loading \(load.received)\(theme.ellipsis)"
    }
    if state.filterText.isEmpty { return "\(state.secrets.count) secrets" }
    return "\(state.rows.count) of \(state.secrets.count) secrets"
  }

  /// `title` is safe already (`put(safe:)`): a pane's name, or a popup's made safe by
  /// `drawModal`.
  mutating func drawBox(x: Int, y: Int, width: Int, height: Int, title: String, focused: Bool) {
    guard width >= 2, height >= 2 else { return }
    let style = focused ? theme.focusedBorder : theme.border
    let box = theme.box
    grid.clearSplitWideCharacters(x: x, y: y, width: width, height: height)
    grid.fill(x: x, y: y, width: width, height: height)
    for col in (x + 1)..<(x + width - 1) {
      grid[col, y] = Cell(box.h, style: style)
      grid[col, y + height - 1] = Cell(box.h, style: style)
    }
    for row in (y + 1)..<(y + height - 1) {
      grid[x, row] = Cell(box.v, style: style)
      grid[x + width - 1, row] = Cell(box.v, style: style)
    }
    grid[x, y] = Cell(box.tl, style: style)
    grid[x + width - 1, y] = Cell(box.tr, style: style)
    grid[x, y + height - 1] = Cell(box.bl, style: style)
    grid[x + width - 1, y + height - 1] = Cell(box.br, style: style)
    if !title.isEmpty {
      let text = " " + theme.truncate(title, to: width - 6) + " "
      put(safe: text, x: x + 2, y: y, style: focused ? theme.focusedBorder : theme.title)
    }
  }

  mutating func drawStatus() {
    let y = layout.statusRow
    var x = 1
    if state.filterEditing {
      x += put("/", x: x, y: y, style: theme.hintKey)
      x += put(
        sanitizeForDisplay(state.filterText, asciiOnly: theme.asciiOnly), x: x, y: y, maxWidth: layout.width / 2)
      x += put(theme.asciiOnly ? "_" : "▏", x: x, y: y, style: CellStyle(bold: true))
      x += 2
    } else if !state.filterText.isEmpty {
      let text = "filter: " + sanitizeForDisplay(state.filterText, asciiOnly: theme.asciiOnly)
      x += put(theme.truncate(text, to: layout.width / 2), x: x, y: y, style: theme.hintKey)
      x += 2
    }
    if let status = state.status {
      let oneLine = status.text.split(separator: "\n").joined(separator: theme.separator)
      let text = sanitizeForDisplay(oneLine, asciiOnly: theme.asciiOnly)
      put(safe: theme.truncate(text, to: layout.width - x - 1), x: x, y: y, style: theme.status(status.kind))
    }
  }

  /// Context keys first, then the global ones, as many as fit; `? help` is pinned to the
  /// right so it is never the one cut off.
  mutating func drawHints() {
    let y = layout.hintRow
    var hints: [Binding] = []
    var seen = Set<Action>()
    for binding in Keymap.standard.hints(for: state) where !seen.contains(binding.action) {
      seen.insert(binding.action)
      hints.append(binding)
    }
    var limit = layout.width - 1
    if let help = hints.firstIndex(where: { $0.action == .help }) {
      let binding = hints.remove(at: help)
      let width = displayWidth(binding.keyLabel) + 1 + displayWidth(binding.short)
      limit -= width + 2
      drawHint(binding, x: limit + 2, y: y)
    }
    var x = 1
    for binding in hints {
      let needed = displayWidth(binding.keyLabel) + 1 + displayWidth(binding.short)
      if x + needed > limit { break }
      x += drawHint(binding, x: x, y: y) + 2
    }
  }

  @discardableResult
  mutating func drawHint(_ binding: Binding, x: Int, y: Int) -> Int {
    let disabled = binding.disabledReason(state) != nil
    var col = x
    col += put(binding.keyLabel, x: col, y: y, style: disabled ? theme.hintDisabled : theme.hintKey)
    col += 1
    col += put(binding.short, x: col, y: y, style: disabled ? theme.hintDisabled : theme.hintText)
    return col - x
  }
}

/// Breaks text into lines of at most `width` columns at spaces (and hard newlines).
func wrap(_ text: String, width: Int) -> [String] {
  guard width > 0 else { return [] }
  var lines: [String] = []
  for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
    var line = ""
    for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
      var word = String(word)
      while displayWidth(word) > width {
        if !line.isEmpty {
          lines.append(line)
          line = ""
        }
        var head = ""
        var used = 0
        for character in word {
          let w = displayWidth(character)
          if used + w > width { break }
          head.append(character)
          used += w
        }
        if head.isEmpty { return lines }
        lines.append(head)
        word = String(word.dropFirst(head.count))
      }
      if line.isEmpty {
        line = word
      } else if displayWidth(line) + 1 + displayWidth(word) <= width {
        line += " " + word
      } else {
        lines.append(line)
        line = word
      }
    }
    lines.append(line)
  }
  return lines
}
