import StagingModel

/// Column positions of a version row, shared by `render` and mouse hit testing so a press
/// on a drawn chip finds that chip.
public struct VersionColumns: Equatable, Sendable {
  public var x: Int
  public var width: Int

  public init(x: Int, width: Int) {
    self.x = x
    self.width = width
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
  public var end: Int { x + width }

  /// The chips drawn for `labels`, left to right, that fit; `hidden` counts the rest.
  public func chips(_ labels: [String]) -> (spans: [ChipSpan], hidden: Int) {
    var spans: [ChipSpan] = []
    var col = labelsX
    for (index, label) in labels.enumerated() {
      let text = "[" + sanitizeForDisplay(label) + "]"
      let w = displayWidth(text)
      let remaining = labels.count - index - 1
      let reserve = remaining > 0 ? 4 : 0
      if col + w + reserve > end && !(remaining == 0 && col + w <= end) {
        return (spans, labels.count - index)
      }
      spans.append(ChipSpan(label: label, text: text, x: col, width: w))
      col += w + 1
    }
    return (spans, 0)
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
