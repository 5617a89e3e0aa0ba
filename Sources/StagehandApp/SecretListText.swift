import StagingModel

/// What `stagehand list` prints: a table of names, version counts and labels (or one line
/// saying there is nothing), written straight to bytes.
///
///     NAME            VERSIONS  LABELS
///     prod/db         2         aaaa1111…:AWSCURRENT bbbb2222…:AWSPREVIOUS,release-1 [rotation on]
///
/// Secrets read from several profiles or Regions (`origin` set) get a REGION column first,
/// and a PROFILE column before it when they come from more than one profile.
///
/// Names, version ids, labels and the owning service go through `DisplayText.sanitized`; cells are padded
/// and cut by Characters. Built for 10,000 secrets: the secrets are read in place (never
/// copied), each name's safe text and length are worked out once, printable ASCII (nearly
/// everything) is copied as bytes without a look at Characters, and labels are sorted only
/// when a version has more than one. A differential test holds the bytes to the String-built
/// table this replaced. `list` spools the rows as the pages arrive and lays the table out at
/// the end (`spool(_:filter:into:)`), so that memory does not grow with the account.
public enum SecretListText {
  /// The name column is as wide as the longest name, at least 4 and at most this; longer
  /// names are cut and end in "…".
  public static let maxNameWidth = 60

  public static func document(_ secrets: [Secret], filter: String?) -> [UInt8] {
    document(pages: [secrets], filter: filter)
  }

  /// The same for secrets as they came, page by page (no copy into one array).
  public static func document(pages: [[Secret]], filter: String?) -> [UInt8] {
    let count = pages.reduce(0) { $0 + $1.count }
    guard count > 0 else {
      let line = filter.map { "No secrets match \"\(DisplayText.sanitized($0))\".\n" } ?? "No secrets.\n"
      return Array(line.utf8)
    }
    // The safe form and length of each name that is not printable ASCII (nil for those that
    // are: they are their own safe form, a Character a byte).
    var names: [SafeText?] = []
    names.reserveCapacity(count)
    var longest = 4
    var origins = OriginColumns()
    for page in pages {
      page.withUnsafeBufferPointer { secrets in
        for secret in secrets.indices {
          origins.fit(secrets[secret].origin)
          let name = secrets[secret].name
          if ByteScan.isPrintableASCII(name) {
            longest = max(longest, name.utf8.count)
            names.append(nil)
          } else {
            let safe = SafeText(name)
            longest = max(longest, safe.count)
            names.append(safe)
          }
        }
      }
    }
    let nameWidth = min(maxNameWidth, longest)

    var out: [UInt8] = []
    out.reserveCapacity(count * (nameWidth + 100))
    origins.appendHeader(to: &out)
    appendCell(SafeText(printableASCII: "NAME"), width: nameWidth, to: &out)
    out.append(contentsOf: "  VERSIONS  LABELS\n".utf8)
    var labels: [String] = []
    var row = 0
    for page in pages {
      page.withUnsafeBufferPointer { secrets in
        for secret in secrets.indices {
          origins.append(secrets[secret].origin, to: &out)
          appendRow(secrets.baseAddress! + secret, name: names[row], nameWidth: nameWidth, labels: &labels, to: &out)
          row += 1
        }
      }
    }
    return out
  }

  /// The secret is read where it is (a pointer into its page: passing it copied every
  /// field); `labels` is scratch space for sorting, kept across rows.
  private static func appendRow(
    _ pointer: UnsafePointer<Secret>, name: SafeText?, nameWidth: Int, labels: inout [String], to out: inout [UInt8]
  ) {
    appendCell(name ?? SafeText(printableASCII: pointer.pointee.name), width: nameWidth, to: &out)
    appendRowTail(pointer, labels: &labels, to: &out)
  }

  /// The row after the name cell: the version count, the versions and flags, and the newline.
  private static func appendRowTail(_ pointer: UnsafePointer<Secret>, labels: inout [String], to out: inout [UInt8]) {
    out.append(contentsOf: "  ".utf8)
    appendCount(pointer.pointee.versions.count, to: &out)
    out.append(contentsOf: "  ".utf8)
    // Each version as `shortid:LABEL,LABEL`, then the flags, all separated by spaces.
    var first = true
    func separate(_ out: inout [UInt8]) {
      if !first { out.append(UInt8(ascii: " ")) }
      first = false
    }
    pointer.pointee.versions.withUnsafeBufferPointer { versions in
      for version in versions.indices {
        separate(&out)
        appendShortID(versions[version].versionId, to: &out)
        out.append(UInt8(ascii: ":"))
        let set = versions[version].labels
        if set.count == 1 {
          appendSafe(set.first!, to: &out)
        } else if set.count > 1 {
          labels.removeAll(keepingCapacity: true)
          labels.append(contentsOf: set)
          labels.sort(by: StandardLabel.displayOrder)
          for (position, label) in labels.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            appendSafe(label, to: &out)
          }
        }
      }
    }
    if let service = pointer.pointee.owningService {
      separate(&out)
      out.append(contentsOf: "[managed by ".utf8)
      appendSafe(service, to: &out)
      out.append(UInt8(ascii: "]"))
    }
    if let primary = pointer.pointee.primaryRegion {
      separate(&out)
      out.append(contentsOf: "[replica of ".utf8)
      appendSafe(primary, to: &out)
      out.append(UInt8(ascii: "]"))
    }
    if pointer.pointee.deletedDate != nil {
      separate(&out)
      out.append(contentsOf: "[scheduled for deletion]".utf8)
    }
    if pointer.pointee.rotationEnabled {
      separate(&out)
      out.append(contentsOf: "[rotation on]".utf8)
    }
    out.append(0x0A)
  }

  /// The PROFILE and REGION columns: as wide as their longest entry; REGION absent (width
  /// 0) when no secret has an origin, PROFILE unless there are several profiles.
  struct OriginColumns {
    private var profiles = Set<String?>()
    private var longestProfile = 7
    var regionWidth = 0
    var profileWidth: Int { profiles.count > 1 ? longestProfile : 0 }

    mutating func fit(_ origin: SecretOrigin?) {
      guard let origin else { return }
      regionWidth = max(regionWidth, 6, DisplayText.sanitized(origin.region).count)
      if profiles.insert(origin.profile).inserted, let profile = origin.profile {
        longestProfile = max(longestProfile, DisplayText.sanitized(profile).count)
      }
    }

    func appendHeader(to out: inout [UInt8]) {
      append(profile: "PROFILE", region: "REGION", to: &out)
    }

    func append(_ origin: SecretOrigin?, to out: inout [UInt8]) {
      append(profile: origin?.profile ?? "-", region: origin?.region ?? "-", to: &out)
    }

    private func append(profile: String, region: String, to out: inout [UInt8]) {
      if profileWidth > 0 {
        SecretListText.appendCell(SafeText(profile), width: profileWidth, to: &out)
        out.append(contentsOf: "  ".utf8)
      }
      if regionWidth > 0 {
        SecretListText.appendCell(SafeText(region), width: regionWidth, to: &out)
        out.append(contentsOf: "  ".utf8)
      }
    }
  }

  /// The VERSIONS cell: the count in decimal, padded to 8 columns (cut like any cell past
  /// that).
  static func appendCount(_ count: Int, to out: inout [UInt8]) {
    guard (0..<10).contains(count) else {
      return appendCell(SafeText(printableASCII: String(count)), width: 8, to: &out)
    }
    out.append(UInt8(ascii: "0") + UInt8(count))
    out.append(contentsOf: "       ".utf8)
  }

  /// Text made terminal-safe, with its length in Characters.
  struct SafeText {
    var text: String
    var count: Int
    /// Printable ASCII: one byte is one Character.
    var isPrintableASCII: Bool

    init(_ raw: String) {
      if ByteScan.isPrintableASCII(raw) {
        self.init(printableASCII: raw)
      } else {
        let safe = DisplayText.sanitized(raw)
        self.init(text: safe, count: safe.count, isPrintableASCII: false)
      }
    }

    init(printableASCII text: String) {
      self.init(text: text, count: text.utf8.count, isPrintableASCII: true)
    }

    fileprivate init(text: String, count: Int, isPrintableASCII: Bool) {
      self.text = text
      self.count = count
      self.isPrintableASCII = isPrintableASCII
    }
  }

  /// `text` padded with spaces to `width` Characters, or cut to `width - 1` and "…".
  static func appendCell(_ text: SafeText, width: Int, to out: inout [UInt8]) {
    if text.count > width {
      let kept = max(0, width - 1)
      if text.isPrintableASCII {
        out.append(contentsOf: text.text.utf8.prefix(kept))
      } else {
        out.append(contentsOf: text.text.prefix(kept).utf8)
      }
      out.append(contentsOf: ellipsis)
    } else {
      out.append(contentsOf: text.text.utf8)
      out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: width - text.count))
    }
  }

  static func appendSafe(_ text: String, to out: inout [UInt8]) {
    if ByteScan.isPrintableASCII(text) {
      out.append(contentsOf: text.utf8)
    } else {
      out.append(contentsOf: DisplayText.sanitized(text).utf8)
    }
  }

  /// `shortID(DisplayText.sanitized(id), length: 8)`, as bytes: a version id comes from the
  /// server like a name, so a control character in it is shown, never sent to the terminal.
  static func appendShortID(_ id: VersionID, to out: inout [UInt8]) {
    guard ByteScan.isPrintableASCII(id) else {
      out.append(contentsOf: shortID(DisplayText.sanitized(id), length: 8).utf8)
      return
    }
    if id.utf8.count <= 8 {
      out.append(contentsOf: id.utf8)
    } else {
      out.append(contentsOf: id.utf8.prefix(8))
      out.append(contentsOf: ellipsis)
    }
  }

  /// "…" in UTF-8.
  static let ellipsis: [UInt8] = [0xE2, 0x80, 0xA6]
}

extension SecretListText {
  /// `list` for `pages` as they arrive, in memory that does not grow with the account. The
  /// name column's width and the origin columns are known only once every secret is in, so
  /// each row goes to `spool` as a record without its padding (`Table`), and `Table.write`
  /// lays the rows out from the spool afterwards: the bytes of `document(pages:filter:)`.
  /// Throws what the listing throws, or the spool's error.
  public static func spool<Pages: AsyncSequence>(
    _ pages: Pages, filter: String?, into spool: ListSpool, chunkSize: Int = 256 * 1_024
  ) async throws -> Table where Pages.Element == [Secret] {
    var table = Table(filter: filter)
    var records: [UInt8] = []
    records.reserveCapacity(chunkSize + 16 * 1_024)
    var labels: [String] = []
    for try await page in pages {
      table.appendRecords(of: page, labels: &labels, to: &records, chunkSize: chunkSize, spool: spool)
      try spool.check()
    }
    records.withUnsafeBytes(spool.append)
    try spool.check()
    return table
  }

  /// A table whose rows are in a spool, one record a row, in order:
  ///
  ///     flags         UInt8: 1 the name is printable ASCII, 2 an origin follows, 4 with a profile
  ///     name          UInt32 length in Characters, UInt32 byte count, the safe text's UTF-8
  ///     profile       UInt32 byte count, UTF-8 (flag 4)
  ///     region        UInt32 byte count, UTF-8 (flag 2)
  ///     tail          UInt32 byte count, the row after the name cell (newline included)
  ///
  /// (UInt32s little-endian.) The origin is kept as it came; its cells are made when the
  /// columns' widths are known, as `document(pages:filter:)` makes them.
  public struct Table {
    let filter: String?
    /// Rows spooled.
    public private(set) var rows = 0
    private var longest = 4
    private var origins = OriginColumns()

    init(filter: String?) {
      self.filter = filter
    }

    /// Appends a record for each of `page`'s secrets to `records`, handing `records` to
    /// `spool` whenever it holds `chunkSize` bytes; the caller hands over the rest.
    fileprivate mutating func appendRecords(
      of page: [Secret], labels: inout [String], to records: inout [UInt8], chunkSize: Int, spool: ListSpool
    ) {
      page.withUnsafeBufferPointer { secrets in
        for index in secrets.indices {
          appendRecord(secrets.baseAddress! + index, labels: &labels, to: &records)
          if records.count >= chunkSize {
            records.withUnsafeBytes(spool.append)
            records.removeAll(keepingCapacity: true)
          }
        }
      }
    }

    fileprivate mutating func appendRecord(
      _ pointer: UnsafePointer<Secret>, labels: inout [String], to out: inout [UInt8]
    ) {
      let origin = pointer.pointee.origin
      origins.fit(origin)
      let name = SafeText(pointer.pointee.name)
      longest = max(longest, name.count)
      var flags: UInt8 = name.isPrintableASCII ? 1 : 0
      if let origin { flags |= origin.profile == nil ? 2 : 6 }
      out.append(flags)
      Self.append(name.count, to: &out)
      Self.append(name.text, to: &out)
      if let origin {
        if let profile = origin.profile { Self.append(profile, to: &out) }
        Self.append(origin.region, to: &out)
      }
      let lengthAt = out.count
      Self.append(0, to: &out)
      SecretListText.appendRowTail(pointer, labels: &labels, to: &out)
      let length = UInt32(out.count - lengthAt - 4)
      for byte in 0..<4 { out[lengthAt + byte] = UInt8(truncatingIfNeeded: length >> (8 * byte)) }
      rows += 1
    }

    private static func append(_ value: Int, to out: inout [UInt8]) {
      let value = UInt32(value)
      for byte in 0..<4 { out.append(UInt8(truncatingIfNeeded: value >> (8 * byte))) }
    }

    private static func append(_ text: String, to out: inout [UInt8]) {
      append(text.utf8.count, to: &out)
      out.append(contentsOf: text.utf8)
    }

    /// The table from the rows in `spool` (read `blockSize` bytes at a time), handed to
    /// `output` a chunk of at least `chunkSize` bytes (or the rest) at a time.
    public func write(
      from spool: ListSpool, blockSize: Int = 256 * 1_024, chunkSize: Int = 256 * 1_024,
      to output: (UnsafeRawBufferPointer) -> Void
    ) throws(ListSpool.Failure) {
      try write(from: spool, ranges: [0..<spool.count], blockSize: blockSize, chunkSize: chunkSize, to: output)
    }

    /// The same for the rows in `ranges` of `spool`, one range after the other (`Sections`).
    func write(
      from spool: ListSpool, ranges: some Sequence<Range<Int>>, blockSize: Int, chunkSize: Int,
      to output: (UnsafeRawBufferPointer) -> Void
    ) throws(ListSpool.Failure) {
      guard rows > 0 else {
        return SecretListText.document(pages: [], filter: filter).withUnsafeBytes(output)
      }
      let nameWidth = min(maxNameWidth, longest)
      var out: [UInt8] = []
      out.reserveCapacity(chunkSize + 16 * 1_024)
      origins.appendHeader(to: &out)
      appendCell(SafeText(printableASCII: "NAME"), width: nameWidth, to: &out)
      out.append(contentsOf: "  VERSIONS  LABELS\n".utf8)
      // Records cross the spool's blocks: what is left of one waits here for the next block.
      var pending: [UInt8] = []
      var written = 0
      try spool.read(ranges, blockSize: blockSize) { block in
        pending.append(contentsOf: block)
        let used = pending.withUnsafeBytes { bytes in
          var reader = Reader(bytes: bytes)
          while let row = reader.row() {
            origins.append(row.origin, to: &out)
            appendCell(row.name, width: nameWidth, to: &out)
            out.append(contentsOf: row.tail)
            written += 1
            if out.count >= chunkSize {
              out.withUnsafeBytes(output)
              out.removeAll(keepingCapacity: true)
            }
          }
          return reader.start
        }
        pending.removeFirst(used)
      }
      guard pending.isEmpty, written == rows else {
        throw ListSpool.Failure(
          description: "The temporary file in \(spool.directory) holding the listing does not hold \(rows) rows.")
      }
      out.withUnsafeBytes(output)
    }
  }

  /// `list` for pages that arrive interleaved from several listings (the profile and Region
  /// pairs of `EstateList`) but are printed listing by listing, in memory that does not grow
  /// with the account: each page's rows go to `spool` as records (`Table`) as the page
  /// arrives, noted under its listing (`ListSpool.Sections`); the table's widths are fitted
  /// over every row, whatever its listing, and `write(to:)` lays the rows out listing by
  /// listing: the bytes of `document(pages:filter:)` over the pages in that order.
  public struct Sections {
    public let spool: ListSpool
    private var sections: ListSpool.Sections
    public private(set) var table: Table
    private let chunkSize: Int
    private var records: [UInt8] = []
    private var labels: [String] = []

    /// For `count` listings, numbered from 0 in the order they are printed.
    public init(count: Int, filter: String?, spool: ListSpool, chunkSize: Int = 256 * 1_024) {
      self.spool = spool
      self.chunkSize = chunkSize
      sections = ListSpool.Sections(count: count)
      table = Table(filter: filter)
    }

    /// Writes `page`'s rows, all of them (the next page may be another listing's), to the
    /// spool for listing `section`.
    public mutating func append(_ page: [Secret], to section: Int) {
      let start = spool.count
      table.appendRecords(of: page, labels: &labels, to: &records, chunkSize: chunkSize, spool: spool)
      records.withUnsafeBytes(spool.append)
      records.removeAll(keepingCapacity: true)
      sections.note(start..<spool.count, in: section)
    }

    /// The table, handed to `output` a chunk of at least `chunkSize` bytes (or the rest) at a
    /// time (the spool read `blockSize` bytes at a time). Throws the spool's error.
    public func write(blockSize: Int = 256 * 1_024, to output: (UnsafeRawBufferPointer) -> Void)
      throws(ListSpool.Failure)
    {
      try table.write(from: spool, ranges: sections.ranges, blockSize: blockSize, chunkSize: chunkSize, to: output)
    }
  }

  /// Reads whole records from `bytes`; `start` is where the first record not read yet begins.
  private struct Reader {
    let bytes: UnsafeRawBufferPointer
    var start = 0

    mutating func row() -> (origin: SecretOrigin?, name: SafeText, tail: UnsafeRawBufferPointer)? {
      var at = start
      guard let flags = byte(&at), let count = integer(&at), let name = text(&at) else { return nil }
      var origin: SecretOrigin?
      if flags & 2 != 0 {
        var profile: String?
        if flags & 4 != 0 {
          guard let named = text(&at) else { return nil }
          profile = named
        }
        guard let region = text(&at) else { return nil }
        origin = SecretOrigin(profile: profile, region: region)
      }
      guard let tail = field(&at) else { return nil }
      start = at
      return (origin, SafeText(text: name, count: count, isPrintableASCII: flags & 1 != 0), tail)
    }

    private func byte(_ at: inout Int) -> UInt8? {
      guard at < bytes.count else { return nil }
      defer { at += 1 }
      return bytes[at]
    }

    private func integer(_ at: inout Int) -> Int? {
      guard at + 4 <= bytes.count else { return nil }
      defer { at += 4 }
      return (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) }
    }

    private func field(_ at: inout Int) -> UnsafeRawBufferPointer? {
      var end = at
      guard let length = integer(&end), end + length <= bytes.count else { return nil }
      at = end + length
      return UnsafeRawBufferPointer(rebasing: bytes[end..<at])
    }

    private func text(_ at: inout Int) -> String? {
      field(&at).map { String(decoding: $0, as: UTF8.self) }
    }
  }
}
