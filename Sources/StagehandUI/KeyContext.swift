/// Where a binding applies: a pane, a popup, or an input mode. The keymap resolves a key
/// against the active contexts in order, so a popup's bindings shadow the panes'.
public enum KeyContext: String, Hashable, Sendable, CaseIterable {
  case global
  case secrets
  case versions
  case filter
  case help
  case reveal
  case error
  case pickChip
  case carrying
  case preview
  case choice
  case labelInput
  case history
  case committing
  /// Typing a value to stage as AWSPENDING: one `•` per character.
  case valueInput
  /// A rotation followed live.
  case rotation
  /// Secrets are marked (either pane, no popup): the bulk keys.
  case marked
  /// A preview of label moves (one secret's or the marked secrets'): a plan file can be
  /// written from it.
  case labelPreview
  /// The marked secrets' change being sent, and its summary.
  case changeSetProgress
  /// Typing the label to remove from every marked secret.
  case bulkLabelInput
  /// Typing where to write a plan file.
  case planPathInput
  /// The pair picker (with `--regions` or `--profiles`).
  case pairPicker
  /// The wait for a primary's replicas after a commit.
  case replication
  /// Keys that work whatever is open (ctrl+c, ctrl+z).
  case anywhere

  /// The heading the help screen and the README table use.
  public var title: String {
    switch self {
    case .global: return "Everywhere"
    case .secrets: return "Secrets pane"
    case .versions: return "Versions pane"
    case .filter: return "Filter input"
    case .help: return "Help screen"
    case .reveal: return "Value popup"
    case .error: return "Error popup"
    case .pickChip: return "Choosing a label"
    case .carrying: return "Carrying a label"
    case .preview: return "Preview"
    case .choice: return "Choice popup"
    case .labelInput: return "New label input"
    case .history: return "History"
    case .committing: return "Committing"
    case .valueInput: return "New value input"
    case .rotation: return "Rotation progress"
    case .marked: return "Marked secrets"
    case .labelPreview: return "Label previews"
    case .changeSetProgress: return "Change set progress"
    case .bulkLabelInput: return "Label to remove input"
    case .planPathInput: return "Plan file path input"
    case .pairPicker: return "Profile and Region picker"
    case .replication: return "Replica wait"
    case .anywhere: return "Always"
    }
  }
}
