import StagingModel

/// A label on its way from one version to another, by keyboard or by mouse.
public enum LabelMove: Equatable, Sendable {
  /// `m` on a row with several labels: left/right choose which one to pick up.
  case choosing(versionId: VersionID, labels: [String], index: Int)
  /// Picked up by keyboard: the label follows the version cursor until dropped.
  case carrying(label: String, from: VersionID)
  /// Pressed on a chip with the mouse and held; `x`/`y` is the pointer.
  case dragging(label: String, from: VersionID, x: Int, y: Int)

  public var label: String? {
    switch self {
    case .choosing(_, let labels, let index): return labels.indices.contains(index) ? labels[index] : nil
    case .carrying(let label, _), .dragging(let label, _, _, _): return label
    }
  }

  public var source: VersionID {
    switch self {
    case .choosing(let id, _, _), .carrying(_, let id), .dragging(_, let id, _, _): return id
    }
  }
}
