import StagingModel

/// Column positions of a version row, shared by `render` and mouse hit testing so a press
/// on a drawn chip finds that chip.
public struct VersionColumns: Equatable, Sendable {
  public var x: Int
  public var width: Int
  /// Columns kept free at the right end of the labels (for the carried label's arrow).
  public var reserved: Int
  /// Chips are measured as the screen draws them: a label's controls take more columns in
  /// caret notation and code points than as control pictures.
  public var asciiOnly: Bool

  public init(x: Int, width: Int, reserved: Int = 0, asciiOnly: Bool = false) {
    self.x = x
    self.width = width
    self.reserved = reserved
    self.asciiOnly = asciiOnly
  }

  /// Wide panes get the absolute date with the year and a last-accessed column.
  public var isWide: Bool { width >= 66 }
  public var markerX: Int { x }
  public var idX: Int { x + 2 }
  public var relativeX: Int { idX + 9 }
  public var relativeWidth: Int { 8 }
  public var absoluteX: Int { relativeX + relativeWidth + 1 }
  public var absoluteWidth: Int { isWide ? 16 : 11 }
  public var accessedX: Int { absoluteX + absoluteWidth + 1 }
  public var accessedWidth: Int { isWide ? 10 : 0 }
  public var labelsX: Int { isWide ? accessedX + accessedWidth + 1 : accessedX }
  public var end: Int { x + width - reserved }

  /// The chips drawn for `labels`, left to right, that fit; `hidden` counts the rest. When
  /// the full names don't all fit, the AWS labels shrink to `[CUR]`, `[PREV]`, `[PEND]`
  /// (still distinct, and styled as themselves) before any chip is hidden.
  public func chips(_ labels: [String]) -> (spans: [ChipSpan], hidden: Int) {
    let full = layoutChips(labels, abbreviated: false)
    if full.hidden == 0 { return full }
    return layoutChips(labels, abbreviated: true)
  }

  private func layoutChips(_ labels: [String], abbreviated: Bool) -> (spans: [ChipSpan], hidden: Int) {
    var spans: [ChipSpan] = []
    var col = labelsX
    for (index, label) in labels.enumerated() {
      let name = abbreviated ? abbreviation(label) : sanitizeForDisplay(label, asciiOnly: asciiOnly)
      let text = "[" + name + "]"
      let w = displayWidth(text)
      let remaining = labels.count - index - 1
      let fitsAsLast = remaining == 0 && col + w <= end
      if col + w + (remaining > 0 ? 4 : 0) > end && !fitsAsLast {
        return (spans, labels.count - index)
      }
      spans.append(ChipSpan(label: label, text: text, x: col, width: w))
      col += w + 1
    }
    return (spans, 0)
  }

  func abbreviation(_ label: String) -> String {
    switch label {
    case StandardLabel.current: return "CUR"
    case StandardLabel.previous: return "PREV"
    case StandardLabel.pending: return "PEND"
    default: return sanitizeForDisplay(label, asciiOnly: asciiOnly)
    }
  }

  /// Where the next thing after the chips of `labels` can go.
  public func afterChips(_ labels: [String]) -> Int {
    let (spans, hidden) = chips(labels)
    let x = spans.last.map { $0.x + $0.width + 1 } ?? labelsX
    return hidden > 0 ? x + 3 : x
  }
}

/// One label chip on screen.
public struct ChipSpan: Equatable, Sendable {
  public var label: String
  public var text: String
  public var x: Int
  public var width: Int
}

/// The order chips appear in: the AWS labels first, then custom ones alphabetically.
public func orderedLabels(_ labels: Set<String>) -> [String] {
  let standard = [StandardLabel.current, StandardLabel.previous, StandardLabel.pending].filter(labels.contains)
  return standard + labels.subtracting(StandardLabel.all).sorted()
}
