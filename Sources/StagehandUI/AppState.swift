import Foundation
import StagingModel

/// Which pane has the keyboard.
public enum Pane: Equatable, Sendable {
  case secrets, versions
}

/// A page load in flight. A load replaces the rows it lists in place and appends the new
/// ones; rows of an earlier listing it did not list are dropped once it has listed all (an
/// estate: once their pair has). Until then they stay, and a load that fails leaves them as
/// last known, flagged stale, rather than a list cut at the page where it failed.
public struct LoadingState: Equatable, Sendable {
  public var requestID: Int
  /// Secrets received so far by this load.
  public var received: Int
  /// Per row of `AppState.secrets`, whether this load has listed it. (A flag per row rather
  /// than a set of keys: at 500,000 secrets the set was tens of MB, copied whole on every
  /// page while `loading` shared it.)
  var listed: [Bool] = []
  /// How many rows each pair (nil: a single Region's list) has listed: a listing that ends
  /// with as many rows as it listed has none left over, found without reading every row.
  var listedByPair: [SecretOrigin?: Int] = [:]
}

/// A DescribeSecret in flight.
public struct DescribeRequest: Equatable, Sendable {
  public var secretName: String
  /// What the call names the secret by (`AppState.address(of:)`).
  public var secretId: String
  public var includeDeprecated: Bool
  /// A read ahead of the selection (`prefetch`): dropped, and its call cancelled, once the
  /// selection has moved away from it.
  public var isLookAhead = false
}

/// Everything the screen shows and the keys act on. A value: `update` changes it, `render`
/// draws it, tests build and compare it.
public struct AppState: Sendable {
  public var config: UIConfig
  public var width: Int
  public var height: Int
  /// The clock relative dates are computed from; set by ticks.
  public var now: Date
  /// Secrets in the order they were listed.
  public internal(set) var secrets = SecretList()
  /// Names and filter bytes of `secrets`, kept in step with it.
  var index = SecretIndex()
  /// How many rows of `secrets` each pair has (nil: a single Region's), kept in step with
  /// it: what a listing's end, a failure and the summary ask, answered without reading every
  /// row.
  var rowsByPair: [SecretOrigin?: Int] = [:]
  /// Indices into `secrets` of the rows the filter lets through, in display order.
  public var rows: [Int] { filtered.positions }
  /// The rows with where the fuzzy matches start, kept in step with `secrets` and
  /// `rowsFilter`: a page adds its own rows, a keystroke typed on reads the rows shown.
  var filtered = SecretFilter.Rows()
  /// The filter `filtered` was computed with.
  var rowsFilter = SecretFilter("")
  /// The rows of the filters `rowsFilter` was typed on from, each narrowed by the next (the
  /// empty filter left out): a backspace takes its rows back instead of reading every secret
  /// again. At most `earlierRowsLimit`, the oldest dropped. A secret read again in place (a
  /// describe, a reload's page) updates them as it updates `filtered`; a secret added or
  /// removed drops them.
  var earlierRows: [(filter: SecretFilter, rows: SecretFilter.Rows)] = []
  static let earlierRowsLimit = 16
  public internal(set) var loading: LoadingState?
  /// With an estate (`config.pairs`), each pair's state in the last or current listing.
  public internal(set) var pairs: [PairProgress]
  /// Pairs whose last listing failed while rows of an earlier one were shown: those rows
  /// (and their marks) are kept as last known, flagged stale, until the pair lists again.
  public internal(set) var stalePairs: Set<SecretOrigin> = []
  /// The same for a single Region: its last listing failed part-way, and the rows it did
  /// not reach are kept as last known.
  public internal(set) var listIsStale = false
  public internal(set) var describes: [Int: DescribeRequest] = [:]
  /// Where the selection was at the last look-ahead, and which way it went (+1 down, -1 up):
  /// the look-ahead reads further in the direction of travel.
  var lookAheadAnchor = 0
  var travel = 1
  public var focus: Pane = .secrets
  public internal(set) var secretCursor = 0
  public internal(set) var secretScroll = 0
  public internal(set) var versionCursor = 0
  public internal(set) var versionScroll = 0
  public var showDeprecated = false
  public internal(set) var filterText = ""
  public internal(set) var filterEditing = false
  public var popup: Popup?
  public var status: StatusMessage?
  public var dryRun: Bool
  public internal(set) var move: LabelMove?
  public internal(set) var history: [CommittedChange] = []
  /// Rotations started in this session: running ones are followed while the user browses.
  /// At most one per secret (a new one replaces a finished one).
  public internal(set) var rotations: [RotationRun] = []
  /// A rotation key's pre-flight read in flight (a later key replaces it).
  public internal(set) var preparing: PreparingRotation?
  /// PutSecretValue and CancelRotateSecret calls in flight, by request id.
  public internal(set) var rotationCalls: [Int: RotationCall] = [:]
  /// Marked secrets, by id (ARN, else name): kept through filtering, refresh and reload; a
  /// secret a completed reload no longer lists drops its mark (a pair that failed to list
  /// keeps its rows, and so their marks).
  public internal(set) var marks: Set<String> = []
  /// The marked secrets' change being sent, or the last one sent (its summary stays until
  /// closed).
  public internal(set) var changeSetRun: ChangeSetRun?
  /// The wait for a primary's replicas after "commit and wait for replicas", running or the
  /// last one (a later one replaces it, and the earlier one's answers are dropped).
  public internal(set) var replication: ReplicationRun?
  /// A plan file being written (a later one replaces it).
  public internal(set) var planWrite: PlanWriteRequest?
  public internal(set) var spinnerFrame = 0
  /// The action the last key or click resolved to, so tests can check dispatch.
  public internal(set) var lastAction: Action?
  var nextRequestID = 1

  public init(config: UIConfig, now: Date, width: Int = 80, height: Int = 24) {
    self.config = config
    self.now = now
    self.width = width
    self.height = height
    self.dryRun = config.dryRun
    self.pairs = config.pairs.map { PairProgress(origin: $0, status: .loading(received: 0)) }
  }

  mutating func makeRequestID() -> Int {
    defer { nextRequestID += 1 }
    return nextRequestID
  }

  /// The secret under the cursor in the secrets pane.
  public var selectedSecret: Secret? {
    guard rows.indices.contains(secretCursor) else { return nil }
    return secrets[rows[secretCursor]]
  }

  /// The selected secret's versions as listed: newest first, deprecated ones only when shown.
  public var visibleVersions: [SecretVersion] {
    guard let secret = selectedSecret else { return [] }
    return showDeprecated ? secret.versions : secret.versions.filter { !$0.isDeprecated }
  }

  public var selectedVersion: SecretVersion? {
    let versions = visibleVersions
    return versions.indices.contains(versionCursor) ? versions[versionCursor] : nil
  }

  /// True while something animates (the spinner): the event loop can tick fast then and
  /// slowly (for relative dates) otherwise.
  public var needsFastTicks: Bool {
    if loading != nil || !describes.isEmpty { return true }
    if case .committing? = popup { return true }
    if changeSetRun?.isRunning ?? false { return true }
    if preparing != nil || !rotationCalls.isEmpty || rotations.contains(where: \.isRunning) { return true }
    if replication?.isRunning ?? false { return true }
    if case .reveal(let reveal)? = popup, reveal.value == nil, reveal.error == nil { return true }
    return false
  }

  public var isTooSmall: Bool { width < Layout.minimumWidth || height < Layout.minimumHeight }

  public var layout: Layout { Layout(width: width, height: height) }

  /// Contexts whose bindings apply now, most specific first.
  public var activeContexts: [KeyContext] { modeContexts + [.anywhere] }

  /// The contexts that would be active with no popup open (the help screen marks what
  /// can't act there).
  public var activeContextsIgnoringPopup: [KeyContext] {
    var copy = self
    copy.popup = nil
    return copy.activeContexts
  }

  private var modeContexts: [KeyContext] {
    switch popup {
    case .help?: return [.help]
    case .reveal?: return [.reveal]
    case .error?: return [.error]
    case .preview?: return [.preview, .labelPreview]
    case .choice?: return [.choice]
    case .labelInput?: return [.labelInput]
    case .history?: return [.history]
    case .committing?: return [.committing]
    case .rotationPreview?: return [.preview]
    case .valueInput?: return [.valueInput]
    case .rotationProgress?: return [.rotation]
    case .changeSetPreview?: return [.preview, .labelPreview]
    case .changeSetProgress?: return [.changeSetProgress]
    case .bulkLabelInput?: return [.bulkLabelInput]
    case .planPathInput?: return [.planPathInput]
    case .pairs?: return [.pairPicker]
    case .replication?: return [.replication]
    case nil: break
    }
    if filterEditing { return [.filter] }
    switch move {
    case .choosing?: return [.pickChip]
    case .carrying?: return [.carrying]
    case .dragging?: return [.carrying]
    case nil: break
    }
    let pane: KeyContext = focus == .secrets ? .secrets : .versions
    return markedCount > 0 ? [pane, .marked, .global] : [pane, .global]
  }
}
