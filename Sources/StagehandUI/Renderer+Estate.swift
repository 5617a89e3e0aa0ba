import StagingModel

/// Where each row was read, as a short column of the secrets pane: the Region, and the
/// profile when several are listed. Full Region names when they fit a quarter of the pane
/// (a third with profiles), else AWS's short codes (`eu-west-1` is `euw1`); the versions pane's title and the pair
/// picker always name the pair in full.
struct OriginColumn: Equatable {
  var width: Int
  var regionWidth: Int
  var profileWidth: Int
  var fullRegions: Bool
  var showsProfile: Bool

  init(origins: [SecretOrigin], innerWidth: Int) {
    let showsProfile = Set(origins.map(\.profile)).count > 1
    // A quarter of the pane for a Region, a third with a profile; names keep the rest.
    let budget = max(6, innerWidth / (showsProfile ? 3 : 4))
    self.showsProfile = showsProfile
    let regions = Set(origins.map(\.region))
    let shortCodes = Set(regions.map(Self.shortRegion))
    let fullWidth = regions.map { displayWidth($0) }.max() ?? 0
    // Codes that two Regions share would make the column lie: full names then.
    let shortWidth = shortCodes.count == regions.count ? shortCodes.map { displayWidth($0) }.max() ?? 0 : fullWidth
    let profileNatural = showsProfile ? origins.compactMap { $0.profile.map { displayWidth($0) } }.max() ?? 1 : 0
    func total(_ region: Int, _ profile: Int) -> Int { region + (showsProfile ? 1 + profile : 0) }
    if total(fullWidth, profileNatural) <= budget {
      (fullRegions, regionWidth, profileWidth) = (true, fullWidth, profileNatural)
    } else if total(shortWidth, profileNatural) <= budget {
      (fullRegions, regionWidth, profileWidth) = (shortWidth == fullWidth, shortWidth, profileNatural)
    } else {
      let room = max(3, budget - shortWidth - 1)
      (fullRegions, regionWidth, profileWidth) = (shortWidth == fullWidth, shortWidth, min(profileNatural, room))
    }
    width = total(regionWidth, profileWidth)
  }

  /// "euw1", or "euw1 prod" with several profiles, padded to the column's width.
  func text(_ origin: SecretOrigin, theme: Theme) -> String {
    let region = fullRegions ? origin.region : Self.shortRegion(origin.region)
    var text = theme.truncate(sanitizeForDisplay(region, asciiOnly: theme.asciiOnly), to: regionWidth)
    text += String(repeating: " ", count: max(0, regionWidth - displayWidth(text)))
    if showsProfile {
      let profile = sanitizeForDisplay(origin.profile ?? "default", asciiOnly: theme.asciiOnly)
      text += " " + theme.truncate(profile, to: profileWidth)
    }
    return text + String(repeating: " ", count: max(0, width - displayWidth(text)))
  }

  /// AWS's short form of a Region name: the country, the initials of the direction, the
  /// number (`us-east-1` → `use1`, `ap-southeast-2` → `apse2`, `us-gov-west-1` → `usgw1`).
  /// Anything else is kept as it is.
  static func shortRegion(_ region: String) -> String {
    let parts = region.lowercased().split(separator: "-").map(String.init)
    guard parts.count >= 3, let number = parts.last, !number.isEmpty, number.allSatisfy(\.isNumber) else {
      return region
    }
    let directions = [
      "north": "n", "south": "s", "east": "e", "west": "w", "central": "c", "northeast": "ne", "southeast": "se",
      "northwest": "nw", "southwest": "sw",
    ]
    return parts[0] + parts.dropFirst().dropLast().map { directions[$0] ?? String($0.prefix(1)) }.joined() + number
  }
}

extension Renderer {
  /// The origin column for this frame, or nil when rows carry no origin (one profile in one
  /// Region, or a store): then the pane is as it always was.
  var originColumn: OriginColumn? {
    var origins = state.config.pairs
    if origins.isEmpty {
      // Secrets that carry origins without a configured estate (a test, a plan's reader).
      let visible = state.rows.dropFirst(state.secretScroll).prefix(layout.secretRowCount)
      origins = visible.compactMap { state.secrets[$0].origin }
    }
    guard !origins.isEmpty else { return nil }
    return OriginColumn(origins: origins, innerWidth: layout.secretsInnerWidth)
  }

  /// The versions pane's title: the secret's name, and where it was read in an estate (the
  /// name is cut first, so the pair always shows).
  func versionsTitle(_ secret: Secret) -> String {
    let name = sanitizeForDisplay(secret.name, asciiOnly: theme.asciiOnly)
    guard let origin = secret.origin else { return "Versions of " + name }
    let place = theme.separator + sanitizeForDisplay(origin.description, asciiOnly: theme.asciiOnly)
    let room = layout.rightWidth - 6 - displayWidth("Versions of ") - displayWidth(place)
    return "Versions of " + theme.truncate(name, to: max(4, room)) + place
  }

  /// The right end of the header while an estate lists, and after, when pairs failed.
  var estateHeaderRight: String? {
    guard state.config.isEstate else { return nil }
    let frames = theme.spinnerFrames
    if state.loading != nil {
      return "\(frames[state.spinnerFrame % frames.count]) \(state.pairProgressText)"
    }
    let failed = state.failedPairCount
    guard failed > 0 else { return nil }
    let count = state.filterText.isEmpty ? "\(state.secrets.count)" : "\(state.rows.count) of \(state.secrets.count)"
    return "\(count) secrets\(theme.separator)\(failed) pair\(failed == 1 ? "" : "s") failed"
  }

  func pairPickerTitle() -> String {
    let title = state.listsSeveralProfiles ? "Profiles and Regions" : "Regions"
    return state.loading != nil ? "\(title) (\(state.pairProgressText))" : title
  }

  /// The picker's rows: "every pair", then each pair and its state; under a failed pair at the
  /// cursor, its whole message. Returns the lines and the cursor's line.
  func pairPickerLines(_ picker: PairPickerState, width: Int) -> (lines: [StyledLine], cursorLine: Int) {
    let names = state.pairs.map { sanitizeForDisplay($0.origin.description, asciiOnly: theme.asciiOnly) }
    let nameWidth = min(max(10, names.map { displayWidth($0) }.max() ?? 0), max(10, width / 2))
    var lines: [StyledLine] = []
    var cursorLine = 0
    func row(_ index: Int, _ name: String, _ info: String, _ style: CellStyle) {
      let selected = index == picker.cursor
      if selected { cursorLine = lines.count }
      let marker = selected ? theme.cursorMarker + " " : "  "
      var padded = theme.truncate(name, to: nameWidth)
      padded += String(repeating: " ", count: max(0, nameWidth - displayWidth(padded))) + "  "
      lines.append([
        (marker, selected ? theme.hintKey : .plain), (padded, selected ? theme.cursor : CellStyle(bold: true)),
        (theme.truncate(info, to: max(4, width - 2 - nameWidth - 2)), style),
      ])
    }
    let listed = state.pairs.filter { if case .listed = $0.status { return true } else { return false } }.count
    row(
      0, state.listsSeveralProfiles ? "all pairs" : "all Regions",
      "\(state.secrets.count) secrets from \(listed) of \(state.pairs.count)", theme.dimmed)
    for (index, pair) in state.pairs.enumerated() {
      let (text, style) = pairStateText(pair.status)
      row(index + 1, names[index], text, style)
      if index + 1 == picker.cursor, case .failed(let message) = pair.status {
        let safe = sanitizeForDisplay(message, asciiOnly: theme.asciiOnly)
        for line in safe.split(separator: "\n").flatMap({ wrap(String($0), width: max(10, width - 4)) }) {
          lines.append([("    ", .plain), (line, theme.status(.error))])
        }
      }
    }
    lines.append([])
    lines.append([("enter: show only this one   esc: close", theme.dimmed)])
    return (lines, cursorLine)
  }

  /// A pair's state in a few words, and its style.
  func pairStateText(_ status: PairStatus) -> (String, CellStyle) {
    switch status {
    case .loading(let received):
      let frames = theme.spinnerFrames
      let spinner = frames[state.spinnerFrame % frames.count]
      return ("\(spinner) loading\(received > 0 ? ": \(received) so far" : theme.ellipsis)", theme.hintKey)
    case .listed(let count):
      return ("listed: \(count == 1 ? "1 secret" : "\(count) secrets")", .plain)
    case .failed(let message):
      let oneLine = message.split(separator: "\n").joined(separator: " ")
      return ("failed: " + sanitizeForDisplay(oneLine, asciiOnly: theme.asciiOnly), theme.status(.error))
    case .notEnabled:
      return ("Region not enabled: skipped", theme.dimmed)
    case .stopped(let received):
      return ("stopped after \(received) secrets (R reloads)", theme.status(.warning))
    }
  }

  mutating func drawPairPicker(_ picker: PairPickerState, maxWidth: Int) {
    let width = min(maxWidth, 84)
    let (lines, cursorLine) = pairPickerLines(picker, width: width - 4)
    let body = layout.height - 6
    // The cursor's row, and a failed pair's message under it, in view.
    var scroll = max(0, cursorLine - body + 1)
    let detail = lines.dropFirst(cursorLine + 1).prefix { $0.first?.text == "    " }.count
    if cursorLine + detail >= scroll + body { scroll = min(cursorLine, cursorLine + detail - body + 1) }
    drawModal(title: pairPickerTitle(), lines: lines, scroll: scroll, width: width, linesAreSafe: true)
  }
}
