/// Where everything goes on a screen of a given size. Shared by `render` and by `update`
/// (mouse hit testing, page sizes) so a click lands on the row that was drawn there.
public struct Layout: Equatable, Sendable {
  public static let minimumWidth = 80
  public static let minimumHeight = 24

  public var width: Int
  public var height: Int

  public init(width: Int, height: Int) {
    self.width = width
    self.height = height
  }

  /// Width of the secrets pane, borders included.
  public var leftWidth: Int { min(60, max(32, width * 2 / 5)) }
  public var rightX: Int { leftWidth }
  public var rightWidth: Int { width - leftWidth }
  /// The pane boxes span from `paneTop` to `paneBottom` inclusive.
  public var paneTop: Int { 1 }
  public var paneBottom: Int { height - 3 }
  public var statusRow: Int { height - 2 }
  public var hintRow: Int { height - 1 }

  /// First row of the secret list and how many rows it has.
  public var secretRowsTop: Int { paneTop + 1 }
  public var secretRowCount: Int { max(0, paneBottom - secretRowsTop) }

  /// Details of the selected secret: two lines at the top of the versions pane.
  public var detailsTop: Int { paneTop + 1 }
  public var versionHeaderRow: Int { detailsTop + 2 }
  public var versionRowsTop: Int { versionHeaderRow + 1 }
  /// The selected version's dates, on the last line inside the versions pane.
  public var versionDetailRow: Int { paneBottom - 1 }
  public var versionRowCount: Int { max(0, versionDetailRow - versionRowsTop) }

  /// Inner column range of the versions pane.
  public var versionsInnerX: Int { rightX + 1 }
  public var versionsInnerWidth: Int { max(0, rightWidth - 2) }
  public var secretsInnerX: Int { 1 }
  public var secretsInnerWidth: Int { max(0, leftWidth - 2) }

  /// Which secret row (0-based, before scrolling) a screen point is on, if any.
  public func secretRow(atX x: Int, y: Int) -> Int? {
    guard x >= 0, x < leftWidth, y >= secretRowsTop, y < secretRowsTop + secretRowCount else { return nil }
    return y - secretRowsTop
  }

  /// Which version row (0-based, before scrolling) a screen point is on, if any.
  public func versionRow(atX x: Int, y: Int) -> Int? {
    guard x >= rightX, x < width, y >= versionRowsTop, y < versionRowsTop + versionRowCount else { return nil }
    return y - versionRowsTop
  }
}
