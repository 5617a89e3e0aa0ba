import Foundation
import StagingModel

extension Renderer {
  mutating func drawSecretsPane() {
    let focused = state.focus == .secrets && state.popup == nil && state.move == nil
    var counts: [String] = []
    let marked = state.markedCount
    if marked > 0 { counts.append("\(marked) marked") }
    if !state.filterText.isEmpty { counts.append("\(state.rows.count)/\(state.secrets.count)") }
    let title = counts.isEmpty ? "Secrets" : "Secrets (\(counts.joined(separator: theme.separator)))"
    drawBox(
      x: 0, y: layout.paneTop, width: layout.leftWidth, height: layout.paneBottom - layout.paneTop + 1,
      title: title, focused: focused)
    let innerX = layout.secretsInnerX
    let innerWidth = layout.secretsInnerWidth
    let origins = originColumn
    if state.rows.isEmpty {
      let text: String
      if state.loading != nil && state.secrets.isEmpty {
        text = "loading secrets\(theme.ellipsis)"
      } else if state.secrets.isEmpty {
        text = "no secrets"
      } else {
        text = "no secret matches the filter"
      }
      put(theme.truncate(text, to: innerWidth - 2), x: innerX + 1, y: layout.secretRowsTop, style: theme.dimmed)
      return
    }
    for row in 0..<layout.secretRowCount {
      let position = state.secretScroll + row
      guard state.rows.indices.contains(position) else { break }
      let secret = state.secrets[state.rows[position]]
      let y = layout.secretRowsTop + row
      drawSecretRow(secret, y: y, x: innerX, width: innerWidth, origins: origins)
      if position == state.secretCursor {
        let top = focused ? theme.cursor : theme.inactiveCursor
        grid.restyle(x: innerX, y: y, width: innerWidth) { style in
          style.bold = style.bold || top.bold
          style.underline = style.underline || top.underline
          style.reverse = style.reverse || top.reverse
        }
      }
    }
  }

  /// One row: mark, name, badges, where it was read (with `origins`), label summary.
  mutating func drawSecretRow(_ secret: Secret, y: Int, x: Int, width: Int, origins: OriginColumn? = nil) {
    let labels = secret.labelMap.allLabels
    var summary: [(String, CellStyle)] = []
    // An absent mark is a plain blank, so the cursor's reverse video shows no coloured gaps.
    func mark(_ present: Bool, _ text: String, _ style: CellStyle) -> (String, CellStyle) {
      present ? (text, style) : (String(repeating: " ", count: text.count), .plain)
    }
    summary.append(mark(labels.contains(StandardLabel.current), "C", theme.chip(StandardLabel.current)))
    summary.append((" ", .plain))
    summary.append(mark(labels.contains(StandardLabel.previous), "P", theme.chip(StandardLabel.previous)))
    summary.append((" ", .plain))
    summary.append(mark(labels.contains(StandardLabel.pending), theme.pendingMark, theme.chip(StandardLabel.pending)))
    let custom = labels.subtracting(StandardLabel.all).count
    summary.append(
      mark(custom > 0, "+\(min(custom, 99))".padding(toLength: 3, withPad: " ", startingAt: 0), theme.chip("custom")))
    summary.append(mark(secret.rotationEnabled, theme.rotationMark, theme.hintKey))
    let summaryWidth = 10
    var badges: [(String, CellStyle)] = []
    if let service = secret.owningService {
      badges.append(
        (
          "[" + theme.truncate(sanitizeForDisplay(service, asciiOnly: theme.asciiOnly), to: 10) + "]",
          theme.serviceBadge
        ))
    }
    if secret.isScheduledForDeletion { badges.append(("[del]", theme.deletionBadge)) }
    // A replica is read-only: the details name its primary's Region.
    if secret.isReplica { badges.append(("[rep]", theme.serviceBadge)) }
    // Its pair failed to list again: the row is as last listed.
    if state.isStale(secret) { badges.append(("[stale]", theme.deletionBadge)) }
    if state.runningRotation(of: secret) != nil {
      badges.append(("[rotating\(theme.ellipsis)]", theme.hintKey))
    } else if secret.isRotationStuck {
      badges.append(("[stuck]", theme.deletionBadge))
    }
    let badgeWidth = badges.reduce(0) { $0 + displayWidth($1.0) + 1 }
    let originWidth = origins.map { $0.width + 1 } ?? 0
    let nameWidth = max(4, width - summaryWidth - badgeWidth - originWidth - 2)
    let name = theme.truncate(sanitizeForDisplay(secret.name, asciiOnly: theme.asciiOnly), to: nameWidth)
    grid.fill(x: x, y: y, width: width, height: 1)
    if state.isMarked(secret) { put(theme.markGlyph, x: x, y: y, style: theme.marked) }
    put(name, x: x + 1, y: y, style: secret.isScheduledForDeletion ? theme.dimmed : .plain)
    var bx = x + 1 + nameWidth + 1
    for (text, style) in badges {
      bx += put(text, x: bx, y: y, style: style) + 1
    }
    if let origins, let origin = secret.origin {
      put(
        safe: origins.text(origin, theme: theme), x: x + width - summaryWidth - origins.width - 1, y: y,
        style: theme.dimmed)
    }
    var sx = x + width - summaryWidth
    for (text, style) in summary {
      sx += put(text, x: sx, y: y, style: style, maxWidth: x + width - sx)
    }
  }

  mutating func drawVersionsPane() {
    let focused = state.focus == .versions && state.popup == nil
    let secret = state.selectedSecret
    var title = "Versions"
    if let secret {
      title = versionsTitle(secret)
    }
    drawBox(
      x: layout.rightX, y: layout.paneTop, width: layout.rightWidth, height: layout.paneBottom - layout.paneTop + 1,
      title: title, focused: focused)
    let x = layout.versionsInnerX
    let width = layout.versionsInnerWidth
    guard let secret else {
      put("no secret selected", x: x + 1, y: layout.detailsTop, style: theme.dimmed)
      return
    }
    drawDetails(secret, x: x, width: width)
    let columns = VersionColumns(x: x, width: width, asciiOnly: theme.asciiOnly)
    drawVersionHeader(columns, labelCount: secret.labelMap.labelCount)
    let versions = state.visibleVersions
    let hiddenDeprecated = state.showDeprecated ? 0 : secret.versions.count - versions.count
    if versions.isEmpty {
      let text =
        secret.versions.isEmpty && !secret.versionsComplete ? "loading versions\(theme.ellipsis)" : "no versions"
      put(text, x: x + 1, y: layout.versionRowsTop, style: theme.dimmed)
    }
    for row in 0..<layout.versionRowCount {
      let position = state.versionScroll + row
      guard versions.indices.contains(position) else { break }
      drawVersionRow(
        versions[position], position: position, y: layout.versionRowsTop + row, columns: columns, focused: focused)
    }
    drawVersionDetail(secret, hiddenDeprecated: hiddenDeprecated, x: x, width: width)
  }

  mutating func drawDetails(_ secret: Secret, x: Int, width: Int) {
    let y = layout.detailsTop
    var col = x + 1
    if let service = secret.owningService {
      col +=
        put(
          "managed by " + sanitizeForDisplay(service, asciiOnly: theme.asciiOnly), x: col, y: y,
          style: theme.serviceBadge, maxWidth: width / 2) + 2
    }
    if let deleted = secret.deletedDate {
      col +=
        put(
          "scheduled for deletion " + dates.day(deleted), x: col, y: y, style: theme.deletionBadge, maxWidth: width / 2)
        + 2
    }
    if let primary = secret.primaryRegion {
      let text = "replica of " + sanitizeForDisplay(primary, asciiOnly: theme.asciiOnly) + ": read-only"
      col += put(text, x: col, y: y, style: theme.serviceBadge, maxWidth: width / 2) + 2
    }
    if state.isStale(secret) {
      col += put("stale: last listing failed", x: col, y: y, style: theme.deletionBadge, maxWidth: width / 2) + 2
    }
    if state.runningRotation(of: secret) != nil {
      let key = Keymap.standard.keyName(for: .rotateNow).map { " (\($0) shows it)" } ?? ""
      col += put("rotating\(theme.ellipsis)\(key)", x: col, y: y, style: theme.hintKey, maxWidth: width / 2) + 2
    } else if secret.isRotationStuck {
      // The version rows below show where; the rotation preview names the version.
      let text = width >= 60 ? "stuck: AWSPENDING off AWSCURRENT" : "rotation stuck"
      col += put(text, x: col, y: y, style: theme.deletionBadge) + 2
    }
    if let description = secret.description, !description.isEmpty {
      let text = sanitizeForDisplay(description, asciiOnly: theme.asciiOnly)
      put(theme.truncate(text, to: x + width - col - 1), x: col, y: y)
    } else if col == x + 1 {
      put("no description", x: col, y: y, style: theme.dimmed)
    }
    let wide = width >= 76
    var parts: [String] = []
    if secret.rotationEnabled {
      var rotation = "rotation on"
      if let schedule = scheduleText(secret), wide { rotation += " " + schedule }
      parts.append(rotation)
    } else {
      parts.append("rotation off")
    }
    if let last = secret.lastRotatedDate {
      let relative = dates.relative(last, now: state.now)
      parts.append(wide ? "last \(dates.day(last)) (\(relative))" : "last \(relative)")
    }
    if let next = secret.nextRotationDate {
      let relative = dates.relative(next, now: state.now)
      parts.append(wide ? "next \(dates.day(next)) (\(relative))" : "next \(relative)")
    }
    // What rotates it comes second: the whole ARN when everything fits (it names the logs to
    // read), else the function's name.
    switch secret.rotationFunction {
    case .lambda(let arn)?:
      var full = parts
      full.insert("by " + arn, at: 1)
      let fits = displayWidth(full.joined(separator: theme.separator)) <= width - 2
      parts.insert("by " + (fits ? arn : functionName(arn)), at: 1)
    case .managed(let service)?:
      parts.insert("by \(service) (managed)", at: 1)
    case nil:
      break
    }
    put(
      theme.truncate(parts.joined(separator: theme.separator), to: width - 2), x: x + 1, y: y + 1, style: theme.dimmed)
  }

  mutating func drawVersionHeader(_ columns: VersionColumns, labelCount: Int) {
    let y = layout.versionHeaderRow
    let style = theme.columnHeader
    put("VERSION", x: columns.idX, y: y, style: style)
    put("CREATED", x: columns.relativeX, y: y, style: style)
    if columns.isWide {
      put("ACCESSED", x: columns.accessedX, y: y, style: style, maxWidth: columns.accessedWidth)
    }
    put("LABELS \(labelCount)/\(StandardLabel.quota)", x: columns.labelsX, y: y, style: style)
  }

  mutating func drawVersionRow(_ version: SecretVersion, position: Int, y: Int, columns: VersionColumns, focused: Bool)
  {
    let isCursor = position == state.versionCursor
    var carried: String?
    if case .carrying(let label, let from)? = state.move, isCursor, from != version.versionId {
      carried = "\(theme.arrow)[\(sanitizeForDisplay(label, asciiOnly: theme.asciiOnly))]"
    }
    var columns = columns
    columns.reserved = carried.map { displayWidth($0) + 1 } ?? 0
    let base: CellStyle = version.isDeprecated ? theme.dimmed : .plain
    if isCursor { put(theme.cursorMarker, x: columns.markerX, y: y, style: focused ? theme.hintKey : base) }
    if state.config.colorMode == .none && version.labels.contains(StandardLabel.current) {
      put("*", x: columns.markerX + 1, y: y, style: CellStyle(bold: true))
    }
    let id = String(sanitizeForDisplay(version.versionId, asciiOnly: true).prefix(8))
    put(id, x: columns.idX, y: y, style: base)
    if let created = version.createdDate {
      let relative = dates.relative(created, now: state.now)
      put(relative, x: columns.relativeX, y: y, style: base, maxWidth: columns.relativeWidth)
      var absolute = dates.absolute(created)
      if !columns.isWide { absolute = String(absolute.dropFirst(5)) }
      put(absolute, x: columns.absoluteX, y: y, style: theme.dimmed)
    } else {
      put("-", x: columns.relativeX, y: y, style: theme.dimmed)
    }
    if columns.isWide {
      let accessed = version.lastAccessedDate.map { dates.day($0) } ?? "-"
      put(accessed, x: columns.accessedX, y: y, style: theme.dimmed, maxWidth: columns.accessedWidth)
    }
    if version.isDeprecated {
      put("(deprecated)", x: columns.labelsX, y: y, style: theme.dimmed, maxWidth: columns.end - columns.labelsX)
    } else {
      let (spans, hidden) = columns.chips(orderedLabels(version.labels))
      for span in spans {
        var style = theme.chip(span.label)
        if chipIsChosen(version: version.versionId, label: span.label) {
          style.reverse.toggle()
          style.underline = true
        }
        put(span.text, x: span.x, y: y, style: style)
      }
      if hidden > 0 {
        let x = spans.last.map { $0.x + $0.width + 1 } ?? columns.labelsX
        put("+\(hidden)", x: x, y: y, style: theme.dimmed, maxWidth: columns.end - x)
      }
    }
    if let carried {
      let after = version.isDeprecated ? columns.labelsX + 13 : columns.afterChips(orderedLabels(version.labels))
      let x = max(columns.labelsX, min(after, columns.x + columns.width - displayWidth(carried)))
      put(carried, x: x, y: y, style: theme.dropTarget)
    }
    if isCursor && focused {
      grid.restyle(x: columns.idX, y: y, width: columns.relativeWidth + 9) { $0.reverse = true }
    }
  }

  private func chipIsChosen(version: VersionID, label: String) -> Bool {
    switch state.move {
    case .choosing(let id, let labels, let index)?:
      return id == version && labels.indices.contains(index) && labels[index] == label
    case .carrying(let carried, let from)?, .dragging(let carried, let from, _, _)?:
      return from == version && carried == label
    case nil:
      return false
    }
  }

  mutating func drawVersionDetail(_ secret: Secret, hiddenDeprecated: Int, x: Int, width: Int) {
    let y = layout.versionDetailRow
    var parts: [String] = []
    if let version = state.selectedVersion {
      parts.append(
        width >= 76 ? sanitizeForDisplay(version.versionId, asciiOnly: true) : shortDisplayID(version.versionId))
      if let created = version.createdDate, width >= 76 { parts.append("created \(dates.absolute(created))") }
      if let accessed = version.lastAccessedDate {
        let relative = dates.relative(accessed, now: state.now)
        parts.append(width >= 76 ? "accessed \(dates.day(accessed)) (\(relative))" : "accessed \(relative)")
      }
    }
    if !secret.versionsComplete {
      parts.append("dates loading\(theme.ellipsis)")
    } else if hiddenDeprecated > 0 {
      parts.append("\(hiddenDeprecated) deprecated hidden")
    } else if !state.showDeprecated || !secret.includesDeprecated {
      parts.append(state.showDeprecated ? "deprecated loading\(theme.ellipsis)" : "deprecated not shown")
    }
    put(
      theme.truncate(parts.joined(separator: theme.separator), to: width - 2), x: x + 1, y: y, style: theme.dimmed)
  }

  /// The chip under the pointer while a label is dragged, and the row beneath highlighted.
  mutating func drawDragged() {
    guard case .dragging(let label, let from, let px, let py)? = state.move else { return }
    if let row = layout.versionRow(atX: px, y: py) {
      let position = state.versionScroll + row
      let versions = state.visibleVersions
      if versions.indices.contains(position) && versions[position].versionId != from {
        let target = theme.dropTarget
        grid.restyle(x: layout.versionsInnerX, y: py, width: layout.versionsInnerWidth) { $0 = target }
      }
    }
    let text = "[" + sanitizeForDisplay(label, asciiOnly: theme.asciiOnly) + "]"
    var style = theme.chip(label)
    style.reverse = true
    let x = min(px, layout.width - displayWidth(text))
    grid.clearSplitWideCharacters(x: x, y: py, width: displayWidth(text), height: 1)
    put(text, x: x, y: py, style: style)
  }
}
