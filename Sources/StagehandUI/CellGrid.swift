/// Colours a cell may use. `.default` is the terminal's own; the terminal module maps the
/// bright ones down when only 8 colours exist.
public enum TermColor: Hashable, Sendable, CaseIterable {
  case `default`, black, red, green, yellow, blue, magenta, cyan, white
  case brightBlack, brightRed, brightGreen, brightYellow, brightBlue, brightMagenta, brightCyan, brightWhite
}

/// How a cell looks. Kept small and Hashable so grids compare cheaply.
public struct CellStyle: Hashable, Sendable {
  public var fg: TermColor
  public var bg: TermColor
  public var bold: Bool
  public var dim: Bool
  public var reverse: Bool
  public var underline: Bool

  public init(
    fg: TermColor = .default, bg: TermColor = .default, bold: Bool = false, dim: Bool = false,
    reverse: Bool = false, underline: Bool = false
  ) {
    self.fg = fg
    self.bg = bg
    self.bold = bold
    self.dim = dim
    self.reverse = reverse
    self.underline = underline
  }

  public static let plain = CellStyle()
}

/// One screen cell: a grapheme (or "" for the right half of a wide character) and a style.
public struct Cell: Hashable, Sendable {
  public var text: String
  public var style: CellStyle

  public init(_ text: String = " ", style: CellStyle = .plain) {
    self.text = text
    self.style = style
  }

  public static let blank = Cell()
  /// Marks the second column of a double-width grapheme.
  public static let continuation = Cell("")
}

/// An in-memory screen. `render` draws into it; the terminal module flushes it (only the
/// changed runs); tests print it as text and as a style dump (ratatui's Buffer).
public struct CellGrid: Equatable, Sendable {
  public private(set) var width: Int
  public private(set) var height: Int
  public private(set) var cells: [Cell]

  public init(width: Int, height: Int) {
    self.width = max(0, width)
    self.height = max(0, height)
    self.cells = Array(repeating: .blank, count: self.width * self.height)
  }

  public subscript(x: Int, y: Int) -> Cell {
    get {
      guard x >= 0, y >= 0, x < width, y < height else { return .blank }
      return cells[y * width + x]
    }
    set {
      guard x >= 0, y >= 0, x < width, y < height else { return }
      cells[y * width + x] = newValue
    }
  }

  /// Fills a rectangle (clipped to the grid).
  public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, with cell: Cell = .blank) {
    let x0 = max(0, x)
    let y0 = max(0, y)
    let x1 = min(width, x + w)
    let y1 = min(height, y + h)
    guard x0 < x1, y0 < y1 else { return }
    for row in y0..<y1 {
      for col in x0..<x1 { cells[row * width + col] = cell }
    }
  }

  /// Writes `text` from column `x` on row `y`, at most `maxWidth` columns (default: to the
  /// right edge). A wide grapheme that would not fit whole is replaced by a space. Returns
  /// the number of columns written.
  @discardableResult
  public mutating func put(_ text: String, x: Int, y: Int, style: CellStyle = .plain, maxWidth: Int? = nil) -> Int {
    guard y >= 0, y < height, x < width else { return 0 }
    let limit = min(width, x + (maxWidth ?? width))
    var col = x
    for grapheme in text {
      let w = displayWidth(grapheme)
      if w == 0 { continue }
      if col + w > limit {
        if col < limit && col >= 0 { self[col, y] = Cell(" ", style: style); col += 1 }
        break
      }
      if col >= 0 {
        self[col, y] = Cell(String(grapheme), style: style)
        if w == 2 { self[col + 1, y] = Cell("", style: style) }
      }
      col += w
    }
    return max(0, col - x)
  }

  /// Changes the style of cells in a row range without touching their text.
  public mutating func restyle(x: Int, y: Int, width w: Int, _ transform: (inout CellStyle) -> Void) {
    guard y >= 0, y < height else { return }
    for col in max(0, x)..<min(width, max(max(0, x), x + w)) {
      transform(&cells[y * width + col].style)
    }
  }

  /// The grid as text, rows joined by newlines, trailing spaces kept (snapshot form).
  public var text: String {
    (0..<height).map { row in
      (0..<width).map { cells[row * width + $0].text }.joined()
    }.joined(separator: "\n")
  }

  /// A run-length dump of styles per row, for snapshot tests: `row: col+len style ...`.
  public var styleDump: String {
    var lines: [String] = []
    for row in 0..<height {
      var runs: [String] = []
      var start = 0
      while start < width {
        let style = cells[row * width + start].style
        var end = start + 1
        while end < width && cells[row * width + end].style == style { end += 1 }
        if style != .plain { runs.append("\(start)+\(end - start) \(style.code)") }
        start = end
      }
      if !runs.isEmpty { lines.append("\(row): " + runs.joined(separator: " ")) }
    }
    return lines.joined(separator: "\n")
  }
}

extension CellStyle {
  /// A compact text form: `fg/bg` plus flags b(old) d(im) r(everse) u(nderline).
  public var code: String {
    var flags = ""
    if bold { flags += "b" }
    if dim { flags += "d" }
    if reverse { flags += "r" }
    if underline { flags += "u" }
    return "\(fg.code)/\(bg.code)\(flags.isEmpty ? "" : ":" + flags)"
  }
}

extension TermColor {
  public var code: String {
    switch self {
    case .default: return "-"
    case .black: return "k"
    case .red: return "r"
    case .green: return "g"
    case .yellow: return "y"
    case .blue: return "b"
    case .magenta: return "m"
    case .cyan: return "c"
    case .white: return "w"
    case .brightBlack: return "K"
    case .brightRed: return "R"
    case .brightGreen: return "G"
    case .brightYellow: return "Y"
    case .brightBlue: return "B"
    case .brightMagenta: return "M"
    case .brightCyan: return "C"
    case .brightWhite: return "W"
    }
  }
}

/// Columns a grapheme takes in a terminal: 0 for combining and format characters, 2 for
/// East Asian wide and fullwidth characters and emoji presentation, else 1. Pure Swift so
/// it does not depend on the C locale the tests run in.
public func displayWidth(_ grapheme: Character) -> Int {
  guard let first = grapheme.unicodeScalars.first else { return 0 }
  let v = first.value
  if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
  if v < 0x300 { return 1 }
  switch first.properties.generalCategory {
  case .nonspacingMark, .enclosingMark, .format: return 0
  default: break
  }
  if grapheme.unicodeScalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
  if first.properties.isEmojiPresentation { return 2 }
  let wideRanges: [ClosedRange<UInt32>] = [
    0x1100...0x115F, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF,
    0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF,
    0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
    0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
  ]
  return wideRanges.contains { $0.contains(v) } ? 2 : 1
}

/// Columns a whole string takes.
public func displayWidth(_ text: String) -> Int {
  text.reduce(0) { $0 + displayWidth($1) }
}

extension CellGrid {
  /// Blanks the outside half of any double-width grapheme that a rectangle's left or right
  /// edge cuts through, so drawing a popup over text never leaves half a character behind.
  public mutating func clearSplitWideCharacters(x: Int, y: Int, width w: Int, height h: Int) {
    for row in max(0, y)..<min(height, max(max(0, y), y + h)) {
      if x > 0 && x < width && self[x, row].text.isEmpty {
        self[x - 1, row] = Cell(" ", style: self[x - 1, row].style)
      }
      let right = x + w - 1
      if right >= 0 && right + 1 < width && self[right + 1, row].text.isEmpty {
        self[right + 1, row] = Cell(" ", style: self[right + 1, row].style)
      }
    }
  }
}
