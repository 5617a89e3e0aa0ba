import Foundation
import StagehandTestSupport
import StagehandUI
import StagingModel
import Testing

/// Several profiles and Regions listed at once: where each row was read, the listing's
/// progress pair by pair, and the pair picker.
@Suite(.ownThreads) struct EstateTests {
  static let east = SecretOrigin(profile: nil, region: "us-east-1")
  static let west = SecretOrigin(profile: nil, region: "eu-west-1")
  static let south = SecretOrigin(profile: nil, region: "me-south-1")

  /// Named as `EstateBackend.displayName` names it.
  static func config(_ pairs: [SecretOrigin]) -> UIConfig {
    let profiles = Set(pairs.map(\.profile)).count
    let regions = Set(pairs.map(\.region))
    let name =
      (profiles > 1 ? "\(profiles) profiles × " : "")
      + (regions.count == 1 ? regions.first! : "\(regions.count) Regions")
    return UIConfig(
      backendName: "AWS " + name, colorMode: .sixteen, timeZone: TimeZone(identifier: "UTC")!, pairs: pairs)
  }

  /// `secret` as read in `origin`, with an ARN of that Region.
  static func located(_ secret: Secret, _ origin: SecretOrigin, account: String = "123456789012") -> Secret {
    var copy = secret
    copy.arn = "arn:aws:secretsmanager:\(origin.region):\(account):secret:\(secret.name)-AbCdEf"
    copy.origin = origin
    return copy
  }

  /// The same database secret in both Regions, and the API key in the west only.
  static var eastPage: [Secret] { [located(Fixture.database, east)] }
  static var westPage: [Secret] { [located(Fixture.database, west), located(Fixture.apiKey, west)] }

  /// An estate of `pairs` after `.started`, and the load's request id.
  static func started(_ pairs: [SecretOrigin], width: Int = 80, height: Int = 24) -> (AppState, Int) {
    var state = AppState(config: config(pairs), now: Fixture.now, width: width, height: height)
    guard case .loadEstate(let id)? = send(&state, .started).first else {
      Issue.record("an estate starts with loadEstate")
      return (state, 0)
    }
    return (state, id)
  }

  /// Two Regions listed completely, each pair's secrets described.
  static func listed(width: Int = 80, height: Int = 24) -> AppState {
    var (state, id) = started([east, west], width: width, height: height)
    var effects = send(&state, .pairEvent(requestID: id, origin: east, event: .page(eastPage)))
    effects += send(&state, .pairEvent(requestID: id, origin: west, event: .page(westPage)))
    send(&state, .pairEvent(requestID: id, origin: east, event: .finished(count: 1)))
    send(&state, .pairEvent(requestID: id, origin: west, event: .finished(count: 2)))
    effects += send(&state, .estateListed(requestID: id))
    for (address, _, requestID) in describeRequests(effects) {
      guard var secret = (eastPage + westPage).first(where: { $0.id == address }) else { continue }
      secret.versionsComplete = true
      send(&state, .secretDescribed(requestID: requestID, secret: secret))
    }
    return state
  }

  func rowTexts(_ state: AppState) -> [String] {
    let grid = render(state)
    let layout = state.layout
    return (0..<state.rows.count).map { row in
      (0..<layout.leftWidth).map { grid[$0, layout.secretRowsTop + row].text }.joined()
    }
  }

  // MARK: Columns

  @Test func theSameNameInTwoRegionsIsTwoRowsEachShowingItsRegion() {
    let state = Self.listed()
    #expect(state.secrets.map(\.name) == ["prod/db/password", "prod/db/password", "staging/api-key"])
    #expect(state.secrets.map { $0.origin?.region } == ["us-east-1", "eu-west-1", "eu-west-1"])
    let rows = rowTexts(state)
    #expect(rows[0].contains("use1"), "\(rows[0])")
    #expect(rows[1].contains("euw1"), "\(rows[1])")
    #expect(rows[2].contains("euw1"), "\(rows[2])")
    // Wider, the Regions are named in full.
    let wide = rowTexts(Self.listed(width: 120, height: 40))
    #expect(wide[0].contains("us-east-1") && wide[1].contains("eu-west-1"), "\(wide)")
    // The versions pane names the pair of the selected secret in full.
    var moved = state
    press(&moved, .down)
    #expect(render(moved).text.contains("Versions of prod/db/password · eu-west-1"))
  }

  @Test func withoutOriginsTheRowsHaveNoRegionColumn() {
    let grid = render(Fixture.loaded()).text
    for code in ["use1", "us-east-1", "euw1"] { #expect(!grid.contains(code)) }
    // Origins alone (no configured pairs) are enough to show the column.
    var state = AppState(config: Fixture.config(), now: Fixture.now)
    send(&state, .started)
    send(&state, .secretsPageLoaded(requestID: 1, secrets: Self.westPage, isLastPage: true))
    #expect(rowTexts(state)[0].contains("euw1"))
  }

  @Test func severalProfilesShowTheProfileToo() {
    let a = SecretOrigin(profile: "prod", region: "us-east-1")
    let b = SecretOrigin(profile: "dev", region: "us-east-1")
    var (state, id) = Self.started([a, b])
    send(&state, .pairEvent(requestID: id, origin: a, event: .page([Self.located(Fixture.database, a)])))
    send(
      &state,
      .pairEvent(requestID: id, origin: b, event: .page([Self.located(Fixture.database, b, account: "111111111111")])))
    let rows = rowTexts(state)
    #expect(rows[0].contains("use1 prod"), "\(rows)")
    #expect(rows[1].contains("use1 dev "), "\(rows)")
  }

  @Test(arguments: [
    ("us-east-1", "use1"), ("eu-west-1", "euw1"), ("ap-southeast-2", "apse2"), ("us-gov-west-1", "usgw1"),
    ("eu-central-1", "euc1"), ("?", "?"), ("local", "local"),
  ])
  func regionsHaveAWSShortCodes(region: String, code: String) {
    var state = AppState(config: Self.config([SecretOrigin(profile: nil, region: region)]), now: Fixture.now)
    let id = send(&state, .started).first.flatMap { effect -> Int? in
      if case .loadEstate(let id) = effect { return id }
      return nil
    }
    let origin = SecretOrigin(profile: nil, region: region)
    send(&state, .pairEvent(requestID: id ?? 0, origin: origin, event: .page([Self.located(Fixture.apiKey, origin)])))
    // One Region too long for a quarter of the pane is shortened; a short one is kept whole.
    let expected = displayWidth(region) <= 7 ? region : code
    #expect(rowTexts(state).first?.contains(" \(expected) ") == true, "\(rowTexts(state))")
  }

  /// A change previewed on the second of two same-named secrets is planned for that one (its
  /// ARN), and reading it again goes to its own Region.
  @Test func actionsOnADuplicateNameAddressItsOwnPair() throws {
    var state = Self.listed()
    press(&state, .down)
    #expect(state.selectedSecret?.origin == Self.west)
    let refresh = press(&state, .char("r"))
    #expect(describeRequests(refresh).map(\.name) == [Self.located(Fixture.database, Self.west).arn!])
    press(&state, .enter, .down, .char("c"))
    guard case .preview(let preview)? = state.popup else {
      Issue.record("no preview: \(String(describing: state.status))")
      return
    }
    #expect(preview.plan.secretId == Self.located(Fixture.database, Self.west).arn)
    // A describe answered for the west copy changes only the west row.
    var described = Self.located(Fixture.database, Self.west)
    described.description = "west copy"
    described.versionsComplete = true
    let id = try #require(describeRequests(refresh).first?.id)
    send(&state, .secretDescribed(requestID: id, secret: described))
    #expect(state.secrets.map(\.description) == ["Primary Postgres password", "west copy", nil])
  }

  /// The rotation keys on the second of two same-named secrets read it, and send, by its own
  /// ARN (by name the estate would refuse the name as ambiguous), and only its row rotates.
  @Test func rotationKeysOnADuplicateNameAddressItsOwnPairAndOnlyItsRowRotates() throws {
    var state = Self.listed(width: 120, height: 40)
    press(&state, .down)
    let west = Self.located(Fixture.database, Self.west)
    #expect(state.selectedSecret?.id == west.arn)
    for key: Character in ["o", "e", "O"] {
      guard case .prepareRotation(let secretId, _, _)? = press(&state, .char(key)).first else {
        Issue.record("\(key) reads the secret first: \(String(describing: state.status))")
        continue
      }
      #expect(secretId == west.arn, "\(key)")
      press(&state, .escape)
    }
    // The typed value's pre-flight too.
    press(&state, .char("s"))
    _ = type(&state, "v")
    guard case .prepareRotation(let typedId, _, _)? = press(&state, .enter).first else {
      Issue.record("enter reads the secret first")
      return
    }
    #expect(typedId == west.arn)
    press(&state, .escape)

    // Rotating the west copy: RotateSecret goes to its ARN, and only the west row is rotating.
    guard case .prepareRotation(_, _, let id)? = press(&state, .char("o")).first else {
      Issue.record("o reads the secret first")
      return
    }
    var described = west
    described.rotationLambdaARN = "arn:aws:lambda:eu-west-1:123456789012:function:rotate-db"
    described.versionsComplete = true
    send(&state, .rotationPrepared(requestID: id, secret: described, token: "token-1", editedValue: nil))
    guard case .rotate(let secretId, _, _, _)? = press(&state, .char("y")).first else {
      Issue.record("y sends RotateSecret: \(String(describing: state.popup))")
      return
    }
    #expect(secretId == west.arn)
    press(&state, .escape)
    let rows = rowTexts(state)
    #expect(rows[1].contains("[rotating"), "\(rows)")
    #expect(!rows[0].contains("[rotating"), "the us-east-1 copy is not rotating: \(rows)")
    #expect(state.runningRotation(of: state.secrets[0]) == nil)
    // o on the east copy starts its own pre-flight instead of showing the west's progress.
    press(&state, .up)
    guard case .prepareRotation(let eastId, _, _)? = press(&state, .char("o")).first else {
      Issue.record("o on the other copy reads it: \(String(describing: state.popup))")
      return
    }
    #expect(eastId == Self.located(Fixture.database, Self.east).arn)
  }

  // MARK: Progress

  @Test func progressCountsPairsAsTheyEndAndAFailureIsNamedAtOnce() {
    var (state, id) = Self.started([Self.east, Self.west, Self.south])
    #expect(state.pairs.map(\.status) == Array(repeating: .loading(received: 0), count: 3))
    func header() -> String { String(render(state).text.split(separator: "\n")[0]) }
    #expect(header().contains("listing 0/3 pairs"), "\(header())")

    send(&state, .pairEvent(requestID: id, origin: Self.east, event: .page(Self.eastPage)))
    #expect(state.secrets.count == 1, "a pair's page is in the list as it arrives")
    #expect(state.pairs[0].status == .loading(received: 1))
    send(&state, .pairEvent(requestID: id, origin: Self.east, event: .finished(count: 1)))
    #expect(header().contains("listing 1/3 pairs"), "\(header())")

    send(
      &state,
      .pairEvent(
        requestID: id, origin: Self.west,
        event: .failed(message: "AccessDeniedException: not authorized to perform ListSecrets")))
    #expect(header().contains("listing 2/3 pairs · 1 failed"), "\(header())")
    #expect(state.status?.kind == .error)
    #expect(state.status?.text.hasPrefix("eu-west-1 could not be listed: AccessDeniedException") == true)
    #expect(state.loading != nil, "the other pairs still load")

    send(&state, .pairEvent(requestID: id, origin: Self.south, event: .notEnabled))
    #expect(header().contains("listing 3/3 pairs · 1 failed"), "not enabled is done, not failed: \(header())")
    send(&state, .estateListed(requestID: id))
    #expect(state.loading == nil)
    #expect(
      state.pairs.map(\.status) == [
        .listed(count: 1), .failed(message: "AccessDeniedException: not authorized to perform ListSecrets"),
        .notEnabled,
      ])
    let summary = state.status?.text ?? ""
    #expect(summary.hasPrefix("1 secret loaded from 1 pair"), "\(summary)")
    #expect(summary.contains("1 pair failed: eu-west-1 (A says why)"), "\(summary)")
    #expect(summary.contains("not enabled, skipped: me-south-1"), "\(summary)")
    #expect(summary.components(separatedBy: "me-south-1").count == 2, "the skipped Region is said once")
    #expect(header().contains("1 secrets · 1 pair failed"), "\(header())")
  }

  @Test func staleAndStoppedListingsAreDropped() {
    var (state, id) = Self.started([Self.east, Self.west])
    let reload = press(&state, .char("R"))
    #expect(reload.first == .cancelLoading)
    guard case .loadEstate(let fresh)? = reload.last else {
      Issue.record("R lists the estate again: \(reload)")
      return
    }
    #expect(fresh != id)
    send(&state, .pairEvent(requestID: id, origin: Self.east, event: .page(Self.eastPage)))
    send(&state, .pairEvent(requestID: id, origin: Self.east, event: .failed(message: "late")))
    send(&state, .estateListed(requestID: id))
    #expect(state.secrets.isEmpty)
    #expect(state.pairs.map(\.status) == [.loading(received: 0), .loading(received: 0)])
    #expect(state.loading?.requestID == fresh)

    send(&state, .pairEvent(requestID: fresh, origin: Self.west, event: .page(Self.westPage)))
    press(&state, .escape)
    #expect(state.loading == nil)
    #expect(state.pairs.map(\.status) == [.stopped(received: 0), .stopped(received: 2)])
    send(&state, .pairEvent(requestID: fresh, origin: Self.east, event: .page(Self.eastPage)))
    send(&state, .estateListed(requestID: fresh))
    #expect(state.secrets.count == 2, "nothing arrives after esc")
  }

  /// A pair that fails on reload keeps its rows as last listed, flagged stale, and their
  /// marks; once it lists again its rows are replaced and only a secret gone drops its mark.
  @Test func aPairThatFailsOnReloadKeepsItsRowsAndMarksAsStale() {
    var state = Self.listed(width: 120, height: 40)
    press(&state, .down, .char(" "), .char(" "))
    #expect(state.markedCount == 2)
    guard case .loadEstate(let id)? = press(&state, .char("R")).last else {
      Issue.record("R lists the estate again")
      return
    }
    send(&state, .pairEvent(requestID: id, origin: Self.east, event: .page(Self.eastPage)))
    send(&state, .pairEvent(requestID: id, origin: Self.east, event: .finished(count: 1)))
    send(&state, .pairEvent(requestID: id, origin: Self.west, event: .failed(message: "RequestTimeout")))
    send(&state, .estateListed(requestID: id))
    #expect(state.secrets.count == 3, "the west rows stay")
    #expect(state.markedCount == 2, "and so do their marks")
    #expect(state.stalePairs == [Self.west])
    let rows = rowTexts(state)
    #expect(!rows[0].contains("[stale]") && rows[1].contains("[stale]") && rows[2].contains("[stale]"), "\(rows)")
    let summary = state.status?.text ?? ""
    #expect(summary.hasPrefix("1 secret loaded from 1 pair"), "\(summary)")
    #expect(summary.contains("2 secrets kept as last listed (stale)"), "\(summary)")
    press(&state, .down)
    #expect(render(state).text.contains("stale: last listing failed"))

    // The west lists again, without the API key: its row and mark go, the rest are fresh.
    guard case .loadEstate(let again)? = press(&state, .char("R")).last else {
      Issue.record("R lists the estate again")
      return
    }
    send(&state, .pairEvent(requestID: again, origin: Self.west, event: .page([Self.westPage[0]])))
    #expect(state.secrets.count == 3, "rows not listed yet stay until the pair has listed")
    send(&state, .pairEvent(requestID: again, origin: Self.west, event: .finished(count: 1)))
    send(&state, .pairEvent(requestID: again, origin: Self.east, event: .failed(message: "RequestTimeout")))
    send(&state, .estateListed(requestID: again))
    #expect(state.secrets.map(\.id) == [Self.eastPage[0].id, Self.westPage[0].id])
    #expect(state.stalePairs == [Self.east])
    #expect(state.marks == [Self.westPage[0].id], "the API key is gone, and its mark with it")
    #expect(FuzzTests.checkInvariants(state) == nil)
  }

  /// A pair that fails on its first listing has nothing to keep: nothing is stale.
  @Test func aPairThatFailsOnItsFirstListingIsNotStale() {
    var (state, id) = Self.started([Self.east, Self.west])
    send(&state, .pairEvent(requestID: id, origin: Self.west, event: .failed(message: "AccessDenied")))
    send(&state, .estateListed(requestID: id))
    #expect(state.stalePairs.isEmpty)
    #expect(!(state.status?.text.contains("stale") ?? true))
  }

  /// Reload after reload with random outcomes per pair (listed, failed part-way, not
  /// enabled), pages of random subsets of a small set of names in random order across
  /// pairs: each pair's rows are what a plain model says (a listed pair holds exactly what
  /// it listed, a failed one what it held plus what arrived), the stale pairs and the
  /// summary's counts agree with it, and the invariants hold (the rows shown among them:
  /// with a filter typed, a row listed again with other labels is let through or not as the
  /// filter run afresh says).
  @Test(arguments: 0..<48) func reloadsKeepExactlyWhatEachPairLastListed(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let pairs = [Self.east, Self.west, Self.south]
    let names = (0..<10).map { "app/\($0)" }
    var (state, id) = Self.started(pairs)
    let query = ["", "app/1", "label:blue", "3"][Int(seed % 4)]
    press(&state, .char("/"))
    _ = type(&state, query)
    press(&state, .enter)
    #expect(state.filterText == query && !state.filterEditing)
    var model: [SecretOrigin: Set<String>] = [:]
    var stale: Set<SecretOrigin> = []
    for round in 0..<6 {
      if round > 0 {
        guard case .loadEstate(let fresh)? = press(&state, .char("R")).last else {
          Issue.record("R lists the estate again")
          return
        }
        id = fresh
      }
      // Each pair's events in order; the pairs' events interleaved at random.
      var queues: [[(SecretOrigin, PairEvent)]] = []
      var listedBy: [SecretOrigin: Set<String>] = [:]
      for origin in pairs {
        let listed = names.filter { _ in Bool.random(using: &rng) }.shuffled(using: &rng)
        let kind = Int.random(in: 0..<4, using: &rng)
        listedBy[origin] = Set(listed)
        var events: [(SecretOrigin, PairEvent)] = []
        var rest = listed[...]
        while !rest.isEmpty {
          let size = Int.random(in: 1...rest.count, using: &rng)
          let page = rest.prefix(size).map { name in
            let labels: Set<String> = Bool.random(using: &rng) ? ["AWSCURRENT", "blue"] : ["AWSCURRENT"]
            let version = SecretVersion(versionId: "v-\(name)", labels: labels)
            return Self.located(Secret(name: name, versions: [version]), origin)
          }
          events.append((origin, .page(page)))
          rest = rest.dropFirst(size)
        }
        switch kind {
        case 0:
          let kept = Int.random(in: 0...events.count, using: &rng)
          events = Array(events.prefix(kept)) + [(origin, .failed(message: "RequestTimeout"))]
        case 1: events = [(origin, .notEnabled)]
        default: events.append((origin, .finished(count: listed.count)))
        }
        queues.append(events)
      }
      while let pick = queues.indices.filter({ !queues[$0].isEmpty }).randomElement(using: &rng) {
        let (origin, event) = queues[pick].removeFirst()
        send(&state, .pairEvent(requestID: id, origin: origin, event: event))
        switch event {
        case .page(let page): model[origin, default: []].formUnion(page.map(\.name))
        case .finished:
          model[origin] = listedBy[origin]
          stale.remove(origin)
        case .notEnabled:
          model[origin] = []
          stale.remove(origin)
        case .failed: if !(model[origin] ?? []).isEmpty { stale.insert(origin) }
        }
      }
      send(&state, .estateListed(requestID: id))
      for origin in pairs {
        let rows = state.secrets.filter { $0.origin == origin }.map(\.name)
        #expect(rows.count == Set(rows).count, "seed \(seed) round \(round): \(origin) has a name twice")
        #expect(Set(rows) == model[origin] ?? [], "seed \(seed) round \(round): rows of \(origin)")
      }
      #expect(state.stalePairs == stale, "seed \(seed) round \(round)")
      func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
      let staleRows = stale.reduce(0) { $0 + (model[$1]?.count ?? 0) }
      let listedPairs = state.pairs.filter { if case .listed = $0.status { true } else { false } }.count
      let summary = state.status?.text ?? ""
      let loaded = counted(state.secrets.count - staleRows, "secret") + " loaded from " + counted(listedPairs, "pair")
      #expect(summary.hasPrefix(loaded), "seed \(seed) round \(round): \(summary)")
      #expect(
        summary.contains(counted(staleRows, "secret") + " kept as last listed (stale)") == (staleRows > 0),
        "seed \(seed) round \(round): \(summary)")
      #expect(FuzzTests.checkInvariants(state) == nil, "seed \(seed) round \(round)")
    }
  }

  // MARK: The pair picker

  @Test func thePickerListsEachPairWithItsStateAndNarrowsToOne() {
    var (state, id) = Self.started([Self.east, Self.west, Self.south], width: 120, height: 40)
    send(&state, .pairEvent(requestID: id, origin: Self.west, event: .page(Self.westPage)))
    send(&state, .pairEvent(requestID: id, origin: Self.west, event: .finished(count: 2)))
    send(
      &state, .pairEvent(requestID: id, origin: Self.east, event: .failed(message: "No credentials: run aws sso login"))
    )
    press(&state, .char("A"))
    #expect(state.popup == .pairs(PairPickerState(cursor: 0)))
    var screen = render(state).text
    #expect(screen.contains("Regions (listing 2/3 pairs · 1 failed)"), "\(screen)")
    #expect(screen.contains("us-east-1") && screen.contains("failed: No credentials: run aws sso login"))
    #expect(screen.contains("listed: 2 secrets"))
    #expect(screen.contains("loading"), "me-south-1 has not answered yet")
    send(&state, .pairEvent(requestID: id, origin: Self.south, event: .notEnabled))
    send(&state, .estateListed(requestID: id))
    screen = render(state).text
    #expect(screen.contains("Region not enabled: skipped"))

    // The second pair (eu-west-1): only its rows.
    press(&state, .down, .down, .enter)
    #expect(state.popup == nil)
    #expect(state.filterText == "region:eu-west-1")
    #expect(state.rows.count == 2)
    #expect(state.rows.allSatisfy { state.secrets[$0].origin == Self.west })
    #expect(
      state.status?.text.hasPrefix("showing eu-west-1 only: 2 secrets") == true, "\(String(describing: state.status))")
    // Reopened, the picker is on the pair shown; the first row shows every pair again.
    press(&state, .char("A"))
    #expect(state.popup == .pairs(PairPickerState(cursor: 2)))
    press(&state, .char("k"), .char("k"), .enter)
    #expect(state.filterText.isEmpty)
    #expect(state.rows.count == state.secrets.count)

    // The wheel moves the picker's cursor, not the rows behind it.
    press(&state, .char("A"))
    let cursor = state.secretCursor
    send(&state, .terminal(.mouse(MouseEvent(.wheelDown, x: 60, y: 20))))
    #expect(state.popup == .pairs(PairPickerState(cursor: 1)))
    send(&state, .terminal(.mouse(MouseEvent(.wheelUp, x: 60, y: 20))))
    #expect(state.popup == .pairs(PairPickerState(cursor: 0)))
    #expect(state.secretCursor == cursor)
    press(&state, .escape)
    #expect(state.popup == nil)

    // A failed pair picked says why.
    press(&state, .char("A"), .down, .enter)
    #expect(state.filterText == "region:us-east-1")
    #expect(state.rows.isEmpty)
    #expect(state.status?.text == "us-east-1 could not be listed: No credentials: run aws sso login")
  }

  @Test func pickingKeepsOtherFilterWordsAndNamesProfilesExactlyWhereOneStartsAnother() {
    let prod = SecretOrigin(profile: "prod", region: "us-east-1")
    let prodEU = SecretOrigin(profile: "prod-eu", region: "us-east-1")
    var (state, id) = Self.started([prod, prodEU])
    send(&state, .pairEvent(requestID: id, origin: prod, event: .page([Self.located(Fixture.database, prod)])))
    send(
      &state,
      .pairEvent(
        requestID: id, origin: prodEU, event: .page([Self.located(Fixture.database, prodEU, account: "111111111111")])))
    press(&state, .char("/"))
    _ = type(&state, "db region:eu")
    press(&state, .enter, .char("A"), .down, .enter)
    #expect(state.filterText == "db region:us-east-1 profile:=prod")
    #expect(state.rows.map { state.secrets[$0].origin } == [prod])
    press(&state, .char("A"))
    #expect(state.popup == .pairs(PairPickerState(cursor: 1)))
    press(&state, .down, .enter)
    #expect(state.filterText == "db region:us-east-1 profile:prod-eu")
    #expect(state.rows.map { state.secrets[$0].origin } == [prodEU])
  }

  @Test func thePickerIsOnlyForAnEstate() {
    var state = Fixture.loaded()
    let bar = String(render(state).text.split(separator: "\n").last ?? "")
    #expect(!bar.contains("A pairs"))
    #expect(press(&state, .char("A")).isEmpty)
    #expect(state.popup == nil)
    #expect(state.status?.text == "A (pairs): only with --regions or --profiles")

    let estate = Self.listed()
    #expect(String(render(estate).text.split(separator: "\n").last ?? "").contains("A pairs"))
  }

  // MARK: Snapshots

  @Test func estateLayoutAt80x24() {
    var state = Self.listed()
    press(&state, .down)
    assertSnapshot(render(state), named: "estate-80x24")
  }

  @Test func estateLayoutAt120x40WithAFailedPairAndThePicker() {
    let prod = SecretOrigin(profile: "prod", region: "us-east-1")
    let prodWest = SecretOrigin(profile: "prod", region: "eu-west-1")
    let dev = SecretOrigin(profile: "dev", region: "us-east-1")
    let devWest = SecretOrigin(profile: "dev", region: "eu-west-1")
    var (state, id) = Self.started([prod, prodWest, dev, devWest], width: 120, height: 40)
    send(&state, .pairEvent(requestID: id, origin: prod, event: .page([Self.located(Fixture.database, prod)])))
    var replica = Self.located(Fixture.apiKey, prodWest)
    replica.primaryRegion = "us-east-1"
    send(
      &state,
      .pairEvent(requestID: id, origin: prodWest, event: .page([Self.located(Fixture.database, prodWest), replica])))
    send(&state, .pairEvent(requestID: id, origin: prod, event: .finished(count: 1)))
    send(&state, .pairEvent(requestID: id, origin: prodWest, event: .finished(count: 2)))
    send(
      &state,
      .pairEvent(
        requestID: id, origin: dev,
        event: .failed(
          message:
            "The profile \"dev\" could not get credentials: the SSO session has expired; run aws sso login --profile dev"
        )))
    assertSnapshot(render(state), named: "estate-loading-120x40")
    send(&state, .pairEvent(requestID: id, origin: devWest, event: .notEnabled))
    send(&state, .estateListed(requestID: id))
    press(&state, .char("A"), .down, .down, .down)
    assertSnapshot(render(state), named: "estate-picker-120x40")
  }
}
