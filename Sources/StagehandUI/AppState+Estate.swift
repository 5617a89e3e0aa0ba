import StagingModel

/// Where one profile × Region pair of an estate listing stands.
public enum PairStatus: Equatable, Sendable {
  /// Listing; `received` secrets so far.
  case loading(received: Int)
  /// Listed completely: `count` secrets.
  case listed(count: Int)
  /// Could not be listed: why, as the backend said it.
  case failed(message: String)
  /// The Region is not enabled for the account: skipped.
  case notEnabled
  /// The load was stopped (esc) after `received` secrets.
  case stopped(received: Int)

  /// True once the pair has nothing more to say in this load.
  public var isDone: Bool {
    switch self {
    case .loading: return false
    case .listed, .failed, .notEnabled, .stopped: return true
    }
  }

  public var isFailed: Bool {
    if case .failed = self { return true }
    return false
  }
}

/// One pair and its state in the last (or current) listing.
public struct PairProgress: Equatable, Sendable {
  public var origin: SecretOrigin
  public var status: PairStatus

  public init(origin: SecretOrigin, status: PairStatus) {
    self.origin = origin
    self.status = status
  }
}

/// The pair picker: row 0 is "every pair", row `i + 1` is `pairs[i]`.
public struct PairPickerState: Equatable, Sendable {
  public var cursor: Int

  public init(cursor: Int) {
    self.cursor = cursor
  }
}

extension AppState {
  /// A secret's key in `index`: its name, or where several pairs are listed, its name and
  /// where it was read (the same name can be in two Regions).
  static func key(of secret: Secret) -> String {
    key(name: secret.name, origin: secret.origin)
  }

  static func key(name: String, origin: SecretOrigin?) -> String {
    guard let origin else { return name }
    return name + "\u{0}" + (origin.profile ?? "") + "\u{0}" + origin.region
  }

  /// The key of the selected secret, for keeping it selected as the rows change.
  var selectedKey: String? { selectedSecret.map(Self.key(of:)) }

  /// What calls name a secret by: its name, or for a secret of several pairs its ARN, which
  /// picks the pair (the name may be in more than one).
  static func address(of secret: Secret) -> String {
    secret.origin == nil ? secret.name : secret.id
  }

  /// More than one profile is listed: rows and the picker name the profile too.
  public var listsSeveralProfiles: Bool {
    guard let first = config.pairs.first else { return false }
    return config.pairs.contains { $0.profile != first.profile }
  }

  /// "listing 5/8 pairs · 1 failed" while an estate loads.
  public var pairProgressText: String {
    let done = pairs.filter(\.status.isDone).count
    var text = "listing \(done)/\(pairs.count) pairs"
    let failed = pairs.filter(\.status.isFailed).count
    if failed > 0 { text += separator + "\(failed) failed" }
    return text
  }

  var failedPairCount: Int { pairs.filter(\.status.isFailed).count }

  /// Between the parts of a message, as the theme draws it.
  private var separator: String { config.asciiOnly ? " | " : " · " }

  mutating func startEstateLoad(requestID: Int) -> [Effect] {
    pairs = config.pairs.map { PairProgress(origin: $0, status: .loading(received: 0)) }
    return [.loadEstate(requestID: requestID)]
  }

  mutating func receivePairEvent(requestID: Int, origin: SecretOrigin, event: PairEvent) -> [Effect] {
    guard let load = loading, load.requestID == requestID else { return [] }
    let position: Int
    if let found = pairs.firstIndex(where: { $0.origin == origin }) {
      position = found
    } else {
      pairs.append(PairProgress(origin: origin, status: .loading(received: 0)))
      position = pairs.count - 1
    }
    switch event {
    case .page(var page):
      if case .loading(let received) = pairs[position].status {
        pairs[position].status = .loading(received: received + page.count)
      }
      // Each row needs its pair, whether or not the backend set it.
      for index in page.indices where page[index].origin == nil { page[index].origin = origin }
      return receivePage(requestID: requestID, page: page, isLastPage: false)
    case .finished(let count):
      pairs[position].status = .listed(count: count)
      dropRowsNotListed(in: origin)
    case .notEnabled:
      pairs[position].status = .notEnabled
      dropRowsNotListed(in: origin)
    case .failed(let message):
      pairs[position].status = .failed(message: message)
      // Rows of an earlier listing stay, as last known, and keep their marks.
      if rowsByPair[origin, default: 0] > 0 { stalePairs.insert(origin) }
      let key = Keymap.standard.keyName(for: .pickPair).map { " (\($0): every pair)" } ?? ""
      status = StatusMessage("\(origin) could not be listed: \(message)\(key)", kind: .error)
    }
    return []
  }

  /// A pair has listed completely (or has nothing to list): its rows of an earlier listing
  /// that this one did not list are dropped, and it is no longer stale.
  mutating func dropRowsNotListed(in origin: SecretOrigin) {
    stalePairs.remove(origin)
    guard var load = loading else { return }
    loading = nil
    dropRowsNotListed(in: origin, by: &load, keeping: selectedKey)
    loading = load
  }

  /// Drops the rows of `origin` (nil: a single Region's) that `load` has not listed, and
  /// makes the rows afresh keeping `selected`; false, and nothing read, when there are none.
  @discardableResult
  mutating func dropRowsNotListed(in origin: SecretOrigin?, by load: inout LoadingState, keeping selected: String?)
    -> Bool
  {
    let listedRows = load.listedByPair[origin, default: 0]
    guard rowsByPair[origin, default: 0] > listedRows else { return false }
    var kept = SecretList()
    var keptIndex = SecretIndex()
    var keptListed: [Bool] = []
    for position in secrets.indices {
      // (Every row has its flag; one without would be kept, as listed.)
      let isListed = position >= load.listed.count || load.listed[position]
      let secret = secrets[position]
      guard isListed || secret.origin != origin else { continue }
      kept.append(secret)
      keptIndex.append(secret.name, key: Self.key(of: secret), id: secret.id)
      keptListed.append(isListed)
    }
    secrets = kept
    index = keptIndex
    earlierRows.removeAll()
    load.listed = keptListed
    rowsByPair[origin] = listedRows
    recomputeRows(keeping: selected)
    return true
  }

  /// True when `secret` is a row of a pair (or a single Region) whose last listing failed:
  /// shown as last known.
  public func isStale(_ secret: Secret) -> Bool {
    guard let origin = secret.origin else { return listIsStale }
    return !stalePairs.isEmpty && stalePairs.contains(origin)
  }

  mutating func finishEstate(requestID: Int) -> [Effect] {
    guard loading?.requestID == requestID else { return [] }
    for index in pairs.indices {
      if case .loading(let received) = pairs[index].status { pairs[index].status = .stopped(received: received) }
    }
    let effects = receivePage(requestID: requestID, page: [], isLastPage: true)
    status = estateSummary
    return effects
  }

  /// The status once every pair has answered: how many secrets from how many pairs, each
  /// failed pair, and the Regions skipped as not enabled (said once, here).
  var estateSummary: StatusMessage {
    let listed = pairs.filter { if case .listed = $0.status { return true } else { return false } }.count
    let stale = stalePairs.reduce(0) { $0 + rowsByPair[$1, default: 0] }
    var parts = [counted(secrets.count - stale, "secret") + " loaded from " + counted(listed, "pair")]
    let failed = pairs.filter(\.status.isFailed)
    if !failed.isEmpty {
      let key = Keymap.standard.keyName(for: .pickPair).map { " (\($0) says why)" } ?? ""
      parts.append(
        counted(failed.count, "pair") + " failed: " + failed.map(\.origin.description).joined(separator: ", ") + key)
    }
    if stale > 0 {
      parts.append(counted(stale, "secret") + " kept as last listed (stale), marks too")
    }
    let skipped = pairs.filter { $0.status == .notEnabled }
    if !skipped.isEmpty {
      parts.append("not enabled, skipped: " + skipped.map(\.origin.description).joined(separator: ", "))
    }
    return StatusMessage(parts.joined(separator: separator), kind: failed.isEmpty ? .info : .error)
  }

  func counted(_ count: Int, _ noun: String) -> String {
    count == 1 ? "1 \(noun)" : "\(count) \(noun)s"
  }

  /// Esc while an estate loads: the pairs still listing are stopped.
  mutating func stopPairs() {
    for index in pairs.indices {
      if case .loading(let received) = pairs[index].status { pairs[index].status = .stopped(received: received) }
    }
  }

  // MARK: The pair picker

  mutating func performPairPicker(_ action: Action) -> [Effect] {
    switch action {
    case .pickPair:
      popup = .pairs(PairPickerState(cursor: pickerRowOfFilter))
      return []
    case .choiceUp, .choiceDown:
      guard case .pairs(var picker)? = popup else { return [] }
      let count = pairs.count + 1
      picker.cursor = (picker.cursor + (action == .choiceDown ? 1 : count - 1)) % count
      popup = .pairs(picker)
      return []
    case .choose:
      guard case .pairs(let picker)? = popup else { return [] }
      popup = nil
      return narrow(to: pairs.indices.contains(picker.cursor - 1) ? pairs[picker.cursor - 1] : nil)
    default:
      return []
    }
  }

  /// The picker row the filter narrows to now: the pair its region: and profile: terms name
  /// exactly, else "every pair".
  var pickerRowOfFilter: Int {
    let terms = Set(filterText.split(separator: " ").map { $0.lowercased() }.filter(Self.isPairTerm))
    guard !terms.isEmpty else { return 0 }
    return (pairs.firstIndex { Set(pairTerms(for: $0.origin)) == terms } ?? -1) + 1
  }

  static func isPairTerm(_ word: String) -> Bool {
    let lower = word.lowercased()
    return lower.hasPrefix("region:") || lower.hasPrefix("profile:")
  }

  /// The filter terms for one pair: its Region, and its profile when several are listed;
  /// `=` (the whole name) where another pair's name starts with this one.
  func pairTerms(for origin: SecretOrigin) -> [String] {
    func term(_ name: String, _ kind: String, among all: Set<String>) -> String {
      let lower = name.lowercased()
      let exact = all.contains { $0 != lower && $0.hasPrefix(lower) }
      return "\(kind):\(exact ? "=" : "")\(lower)"
    }
    var terms = [term(origin.region, "region", among: Set(config.pairs.map { $0.region.lowercased() }))]
    if listsSeveralProfiles, let profile = origin.profile {
      terms.append(term(profile, "profile", among: Set(config.pairs.compactMap { $0.profile?.lowercased() })))
    }
    return terms
  }

  /// Narrows the rows to one pair (its terms replace any region: and profile: terms in the
  /// filter, the other words stay), or with nil, to every pair.
  mutating func narrow(to pair: PairProgress?) -> [Effect] {
    var words = filterText.split(separator: " ").map { String($0) }.filter { !Self.isPairTerm($0) }
    if let pair { words += pairTerms(for: pair.origin) }
    filterText = words.joined(separator: " ")
    filterEditing = false
    recomputeRows(keeping: selectedKey)
    if let pair {
      let shown = rows.count == 1 ? "1 secret" : "\(rows.count) secrets"
      switch pair.status {
      case .failed(let message):
        status = StatusMessage("\(pair.origin) could not be listed: \(message)", kind: .error)
      case .notEnabled:
        status = StatusMessage("\(pair.origin): the Region is not enabled for this account; skipped", kind: .warning)
      default:
        let back = Keymap.standard.keyName(for: .pickPair).map { "; \($0) then enter on all shows every pair" } ?? ""
        status = StatusMessage("showing \(pair.origin) only: \(shown)\(back)")
      }
    } else {
      status = StatusMessage("showing every pair")
    }
    return prefetch()
  }
}
