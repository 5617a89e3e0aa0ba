import Foundation
import StagingModel

/// The whole behaviour of the UI: a fact comes in, the state changes, and the effects to
/// run come out. Pure and total: no I/O, no clock, no crash on any input, so every path is
/// a unit test.
public func update(_ state: inout AppState, _ message: Message) -> [Effect] {
  switch message {
  case .started:
    return state.startLoad()
  case .terminal(.resize(let width, let height)):
    state.width = max(0, width)
    state.height = max(0, height)
    state.keepCursorsInView()
    return []
  case .terminal(.key(let key)):
    return state.handle(key: key)
  case .terminal(.mouse(let event)):
    return state.handle(mouse: event)
  case .tick(let now):
    state.now = now
    state.spinnerFrame = (state.spinnerFrame + 1) % 1000
    return []
  case .secretsPageLoaded(let requestID, let page, let isLastPage):
    return state.receivePage(requestID: requestID, page: page, isLastPage: isLastPage)
  case .pairEvent(let requestID, let origin, let event):
    return state.receivePairEvent(requestID: requestID, origin: origin, event: event)
  case .estateListed(let requestID):
    return state.finishEstate(requestID: requestID)
  case .secretsLoadFailed(let requestID, let text):
    guard let load = state.loading, load.requestID == requestID else { return [] }
    state.loading = nil
    // Rows this listing did not reach stay, as last known.
    let kept = state.rowsByPair[nil, default: 0] - load.listedByPair[nil, default: 0]
    state.listIsStale = kept > 0
    let keptText = kept > 0 ? "; \(state.counted(kept, "secret")) not reached are kept as last listed (stale)" : ""
    state.status = StatusMessage("Loading secrets failed: \(text)\(keptText)", kind: .error)
    state.popup = state.popup ?? .error(title: "Loading secrets failed", message: text + "\n\nPress R to try again.")
    return []
  case .signInExpired(let text):
    // Whatever the user was doing stays; R (here or after closing) tries again.
    state.popup = state.popup ?? .error(title: "Sign-in expired", message: text + "\n\nPress R to try again.")
    return []
  case .secretDescribed(let requestID, let secret):
    return state.receiveDescribe(requestID: requestID, secret: secret)
  case .describeFailed(let requestID, let text):
    guard let request = state.describes.removeValue(forKey: requestID) else { return [] }
    state.status = StatusMessage("Reading \(request.secretName) failed: \(text)", kind: .error)
    return []
  case .valueRevealed(let requestID, let value):
    guard case .reveal(var reveal)? = state.popup, reveal.requestID == requestID else { return [] }
    reveal.value = value
    state.popup = .reveal(reveal)
    return []
  case .revealFailed(let requestID, let text):
    guard case .reveal(var reveal)? = state.popup, reveal.requestID == requestID else { return [] }
    reveal.error = text
    state.popup = .reveal(reveal)
    return []
  case .commitProgress(let requestID, let step, let total):
    guard case .committing(var commit)? = state.popup, commit.requestID == requestID else { return [] }
    commit.step = step
    commit.of = total
    state.popup = .committing(commit)
    return []
  case .commitFinished(let requestID, let outcome):
    return state.finishCommit(requestID: requestID, outcome: outcome)
  case .rotationPrepared(let requestID, let secret, let token, let editedValue):
    return state.receivePrepared(requestID: requestID, secret: secret, token: token, editedValue: editedValue)
  case .rotationPrepareFailed(let requestID, let text):
    return state.receivePrepareFailed(requestID: requestID, message: text)
  case .rotationAccepted(let requestID):
    return state.receiveRotationAccepted(requestID: requestID)
  case .rotationObserved(let requestID, let stage, let secret):
    return state.receiveRotationObserved(requestID: requestID, stage: stage, secret: secret)
  case .rotationEnded(let requestID, let end):
    return state.receiveRotationEnded(requestID: requestID, end: end)
  case .rotationCallFinished(let requestID, let result):
    return state.receiveRotationCallFinished(requestID: requestID, result: result)
  case .changeSetSecretFinished(let requestID, let index, let outcome):
    return state.receiveChangeSetSecret(requestID: requestID, index: index, outcome: outcome)
  case .changeSetFinished(let requestID):
    return state.finishChangeSet(requestID: requestID)
  case .planFileWritten(let requestID, let path):
    return state.receivePlanFileWritten(requestID: requestID, path: path)
  case .planFileFailed(let requestID, let text):
    return state.receivePlanFileFailed(requestID: requestID, message: text)
  case .replicaOutcome(let requestID, let region, let outcome):
    return state.receiveReplicaOutcome(requestID: requestID, region: region, outcome: outcome)
  }
}

extension AppState {
  mutating func startLoad() -> [Effect] {
    var effects: [Effect] = []
    if loading != nil { effects.append(.cancelLoading) }
    let id = makeRequestID()
    loading = LoadingState(requestID: id, received: 0, listed: Array(repeating: false, count: secrets.count))
    if config.isEstate { return effects + startEstateLoad(requestID: id) }
    effects.append(.loadSecrets(requestID: id))
    return effects
  }

  mutating func receivePage(requestID: Int, page: [Secret], isLastPage: Bool) -> [Effect] {
    guard var load = loading, load.requestID == requestID else { return [] }
    // `load` alone holds `listed` while the page marks it, so it is not copied.
    loading = nil
    let selectedKey = self.selectedKey
    let firstAdded = secrets.count
    var replacedListed: [Int] = []
    for secret in page {
      let key = Self.key(of: secret)
      if let position = index.position(of: key) {
        secrets[position] = secret
        index.setID(secret.id, at: position)
        if position < firstAdded { replacedListed.append(position) }
        if load.listed.indices.contains(position), !load.listed[position] {
          load.listed[position] = true
          load.listedByPair[secret.origin, default: 0] += 1
        }
      } else {
        index.append(secret.name, key: key, id: secret.id)
        secrets.append(secret)
        rowsByPair[secret.origin, default: 0] += 1
        load.listed.append(true)
        load.listedByPair[secret.origin, default: 0] += 1
      }
    }
    load.received += page.count
    if secrets.count > firstAdded { earlierRows.removeAll() } else { updateEarlierRows(at: replacedListed) }
    // A single Region's listing is complete: the rows it did not list are gone.
    var dropped = false
    if isLastPage && !config.isEstate { dropped = dropRowsNotListed(in: nil, by: &load, keeping: selectedKey) }
    loading = isLastPage ? nil : load
    if isLastPage {
      if !config.isEstate { listIsStale = false }
      status = StatusMessage(secrets.count == 1 ? "1 secret loaded" : "\(secrets.count) secrets loaded")
      pruneMarks()
    }
    // (Rows dropped were made afresh with the rest.)
    let filter = SecretFilter(filterText)
    if !dropped && filter == rowsFilter {
      // Only the page's own secrets are read; the rows already shown stay in place, and a
      // row listed again (a reload) moves only if its match changed.
      for position in replacedListed { filter.update(position, of: secrets, index: index, in: &filtered) }
      filter.add(firstAdded..<secrets.count, of: secrets, index: index, to: &filtered)
      reselect(keeping: selectedKey)
    } else if !dropped {
      recomputeRows(keeping: selectedKey)
    }
    return prefetch()
  }

  mutating func receiveDescribe(requestID: Int, secret: Secret) -> [Effect] {
    guard describes.removeValue(forKey: requestID) != nil else { return [] }
    replace(secret)
    return []
  }

  /// Puts a secret read again in place of the listed one, newest version first, keeping the
  /// selected secret and, when it is the one replaced, the selected version.
  mutating func replace(_ secret: Secret) {
    guard let position = index.position(of: Self.key(of: secret)) else { return }
    let selectedVersionID = Self.key(of: secrets[position]) == selectedKey ? selectedVersion?.versionId : nil
    var fresh = secret
    fresh.sortVersionsNewestFirst()
    // A mark follows the secret when its id changes (an ARN learnt on a second read).
    if fresh.id != secrets[position].id, marks.remove(secrets[position].id) != nil { marks.insert(fresh.id) }
    let keep = selectedKey
    secrets[position] = fresh
    index.setID(fresh.id, at: position)
    updateEarlierRows(at: [position])
    let filter = SecretFilter(filterText)
    if filter == rowsFilter {
      filter.update(position, of: secrets, index: index, in: &filtered)
      reselect(keeping: keep)
    } else {
      recomputeRows(keeping: keep)
    }
    if let id = selectedVersionID, let position = visibleVersions.firstIndex(where: { $0.versionId == id }) {
      versionCursor = position
    }
    keepCursorsInView()
  }

  /// Brings `earlierRows` up to date for the secrets at `positions`, read again in place: a
  /// describe answers while the user types, and dropping the rows then would make the next
  /// backspace read every secret again.
  mutating func updateEarlierRows(at positions: [Int]) {
    guard !positions.isEmpty else { return }
    for earlier in earlierRows.indices {
      let filter = earlierRows[earlier].filter
      for position in positions { filter.update(position, of: secrets, index: index, in: &earlierRows[earlier].rows) }
    }
  }

  /// How far the look-ahead reads in the direction of travel, and the most look-ahead reads
  /// in flight at once (DescribeSecret's quota is far above this).
  static let lookAhead = 3
  static let lookAheadInFlight = 6

  /// Describe requests for the selected secret and the rows near it whose versions are not
  /// complete: the next `lookAhead` rows the way the selection is moving and one behind, so a
  /// user moving through the list finds each secret read; never a request per secret. Reads
  /// ahead that the selection has left are cancelled.
  mutating func prefetch() -> [Effect] {
    if secretCursor != lookAheadAnchor { travel = secretCursor > lookAheadAnchor ? 1 : -1 }
    lookAheadAnchor = secretCursor
    let offsets = [0] + (1...Self.lookAhead).map { $0 * travel } + [-travel]
    let window = Set(
      offsets.compactMap {
        rows.indices.contains(secretCursor + $0) ? Self.address(of: secrets[rows[secretCursor + $0]]) : nil
      })
    var effects: [Effect] = []
    for (id, request) in describes where request.isLookAhead && !window.contains(request.secretId) {
      describes[id] = nil
      effects.append(.cancelDescribe(requestID: id))
    }
    for offset in offsets {
      let position = secretCursor + offset
      guard rows.indices.contains(position) else { continue }
      let secret = secrets[rows[position]]
      let wantDeprecated = showDeprecated && offset == 0
      if secret.versionsComplete && (!wantDeprecated || secret.includesDeprecated) { continue }
      let address = Self.address(of: secret)
      let inFlight = describes.values.contains {
        $0.secretId == address && ($0.includeDeprecated || !wantDeprecated)
      }
      if inFlight { continue }
      if offset != 0 && describes.values.filter(\.isLookAhead).count >= Self.lookAheadInFlight { continue }
      effects.append(describe(secret, includeDeprecated: wantDeprecated, lookAhead: offset != 0))
    }
    return effects
  }

  /// A DescribeSecret of `secret`, by its name or, listed from several pairs, its ARN.
  mutating func describe(_ secret: Secret, includeDeprecated: Bool, lookAhead: Bool = false) -> Effect {
    let id = makeRequestID()
    let address = Self.address(of: secret)
    describes[id] = DescribeRequest(
      secretName: secret.name, secretId: address, includeDeprecated: includeDeprecated, isLookAhead: lookAhead)
    return .describe(secretId: address, includeDeprecated: includeDeprecated, requestID: id)
  }

  /// Re-applies the filter, keeping the secret with this key (`AppState.key(of:)`) selected
  /// when it is still shown. A filter typed further reads only the rows shown (`filtered`
  /// is always `rowsFilter`'s rows of `secrets` as they are), and keeps those in
  /// `earlierRows`; a filter taken back to one it was typed on from takes its rows from
  /// there; the same filter again (the secrets changed, or a space was typed) and any other
  /// filter read every secret.
  mutating func recomputeRows(keeping key: String?) {
    let filter = SecretFilter(filterText)
    if filter != rowsFilter && filter.narrows(rowsFilter) {
      if !rowsFilter.isEmpty {
        earlierRows.append((rowsFilter, filtered))
        if earlierRows.count > Self.earlierRowsLimit { earlierRows.removeFirst() }
      }
      filtered = filter.rows(of: secrets, index: index, narrowing: filtered)
    } else if filter != rowsFilter, let earlier = earlierRows.lastIndex(where: { $0.filter == filter }) {
      filtered = earlierRows[earlier].rows
      earlierRows.removeSubrange(earlier...)
    } else {
      if filter != rowsFilter { earlierRows.removeAll() }
      filtered = filter.rows(of: secrets, index: index)
    }
    rowsFilter = filter
    reselect(keeping: key)
  }

  /// Keeps the secret with this key selected when it is still shown, else goes to the top.
  private mutating func reselect(keeping key: String?) {
    if let key, let listed = index.position(of: key), let position = filtered.row(of: listed) {
      if position != secretCursor {
        secretCursor = position
      }
    } else if key != nil {
      secretCursor = 0
      versionCursor = 0
      versionScroll = 0
    }
    keepCursorsInView()
  }

  /// Clamps cursors to their lists and scrolls so each cursor is on screen.
  mutating func keepCursorsInView() {
    let layout = self.layout
    secretCursor = clamp(secretCursor, count: rows.count)
    secretScroll = scrolled(secretScroll, cursor: secretCursor, visible: layout.secretRowCount, count: rows.count)
    let versionCount = visibleVersions.count
    versionCursor = clamp(versionCursor, count: versionCount)
    versionScroll = scrolled(versionScroll, cursor: versionCursor, visible: layout.versionRowCount, count: versionCount)
  }

  private func clamp(_ value: Int, count: Int) -> Int {
    count == 0 ? 0 : min(max(0, value), count - 1)
  }

  private func scrolled(_ scroll: Int, cursor: Int, visible: Int, count: Int) -> Int {
    guard visible > 0, count > 0 else { return 0 }
    var top = min(max(0, scroll), max(0, count - visible))
    if cursor < top { top = cursor }
    if cursor >= top + visible { top = cursor - visible + 1 }
    return max(0, top)
  }

  mutating func selectSecret(at position: Int) -> [Effect] {
    guard !rows.isEmpty else { return [] }
    let target = clamp(position, count: rows.count)
    if target != secretCursor {
      secretCursor = target
      versionCursor = 0
      versionScroll = 0
    }
    keepCursorsInView()
    return prefetch()
  }

  mutating func selectVersion(at position: Int) {
    versionCursor = position
    keepCursorsInView()
  }
}
