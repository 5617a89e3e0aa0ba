import Foundation
import StagingModel

/// `list --json`: `{"SecretList": [...]}` with ListSecrets' field names, pretty-printed with
/// sorted keys. The document is `SecretListJSON.Document`, a Codable shape like every other
/// `--json` output; this is its fast path, for 10,000 secrets and more: written straight to
/// bytes with `JSONTextWriter` (the writer `JSONOutput` uses), the secrets read in place
/// (never copied), dates going to the buffer without a String between, and versions, labels
/// and tags sorted only when there are two or more, in scratch arrays kept across secrets. The
/// member names are the shape's coding keys, and differential tests hold the bytes to
/// `JSONOutput.bytes(Document(...))` over random secrets and to the writer calls this
/// replaced. `list` writes each page as it arrives, in chunks, to a spool it prints once the
/// listing is complete (`spool(_:into:)`), so that memory does not grow with the account.
public enum SecretListJSON {
  public static func document(_ secrets: [Secret]) -> [UInt8] {
    document(pages: [secrets])
  }

  /// The same for secrets as they came, page by page (no copy into one array).
  public static func document(pages: [[Secret]]) -> [UInt8] {
    // About 950 bytes a secret at 10,000 bench secrets.
    var stream = Stream(chunkSize: .max, reservingCapacity: pages.reduce(0) { $0 + $1.count } * 1_000)
    for page in pages { stream.append(page) { _ in } }
    return stream.finish()
  }

  /// The bytes of `document(pages:)`, handed to `output` in order, a chunk of at least
  /// `chunkSize` bytes (or the rest) at a time, each ending after a whole secret. One
  /// chunk-sized buffer is reused throughout: at 10,000 secrets the whole 9.5 MB document cost
  /// 9.5 MB of memory and a page fault for every 4 KB of it.
  public static func write(
    pages: [[Secret]], chunkSize: Int = 256 * 1_024, to output: (UnsafeRawBufferPointer) -> Void
  ) {
    var stream = Stream(chunkSize: chunkSize)
    for page in pages { stream.append(page, to: output) }
    stream.finish(to: output)
  }

  /// `list --json` for `pages` as they arrive, into `spool`: each page is written (in
  /// chunks) as it comes and can then be let go, so memory stays one page and one chunk
  /// whatever the account's size. Throws what the listing throws, or the spool's error; the
  /// spool then holds part of a document and must not be printed.
  public static func spool<Pages: AsyncSequence>(
    _ pages: Pages, into spool: ListSpool, chunkSize: Int = 256 * 1_024
  ) async throws where Pages.Element == [Secret] {
    var stream = Stream(chunkSize: chunkSize)
    for try await page in pages {
      stream.append(page, to: spool.append)
      try spool.check()
    }
    stream.finish(to: spool.append)
    try spool.check()
  }

  /// The document written a page at a time: `append(_:to:)` each page in order, then
  /// `finish(to:)`. Bytes go to `output` a chunk of at least `chunkSize` at a time, each
  /// ending after a whole secret (or the document's end).
  public struct Stream {
    private var writer: JSONTextWriter
    private var scratch = Scratch()
    private let names = Names()
    private let chunkSize: Int

    public init(chunkSize: Int = 256 * 1_024) {
      // Room for the chunk and the secret that crosses its end (most are under 1 KB).
      self.init(chunkSize: chunkSize, reservingCapacity: chunkSize + 16 * 1_024)
    }

    init(chunkSize: Int, reservingCapacity capacity: Int) {
      self.chunkSize = chunkSize
      writer = JSONTextWriter(reservingCapacity: capacity)
      writer.beginObject()
      writer.key(Document.CodingKeys.secretList.rawValue)
      writer.beginArray()
    }

    public mutating func append(_ page: [Secret], to output: (UnsafeRawBufferPointer) -> Void) {
      let names = self.names
      let chunkSize = self.chunkSize
      page.withUnsafeBufferPointer { secrets in
        for index in secrets.indices {
          SecretListJSON.entry(secrets.baseAddress! + index, names, &writer, &scratch)
          if writer.bytes.count >= chunkSize { writer.flush(to: output) }
        }
      }
    }

    /// Hands over what is written so far, short of a chunk or not.
    fileprivate mutating func flush(to output: (UnsafeRawBufferPointer) -> Void) {
      writer.flush(to: output)
    }

    /// Every secret from here on is written as one after another: a comma first.
    fileprivate mutating func continueAfterMember() {
      writer.continueAfterMember()
    }

    /// Ends the document and hands over the rest.
    public consuming func finish(to output: (UnsafeRawBufferPointer) -> Void) {
      end()
      writer.flush(to: output)
    }

    /// Ends the document and returns what was not handed over yet.
    consuming func finish() -> [UInt8] {
      end()
      return writer.bytes
    }

    private mutating func end() {
      writer.endArray()
      writer.endObject()
      writer.newline()
    }
  }

  /// The shape's member names, quoted once for the whole list.
  private struct Names {
    typealias Member = Entry.CodingKeys
    let arn = JSONTextWriter.MemberName(Member.arn.rawValue)
    let createdDate = JSONTextWriter.MemberName(Member.createdDate.rawValue)
    let deletedDate = JSONTextWriter.MemberName(Member.deletedDate.rawValue)
    let description = JSONTextWriter.MemberName(Member.description.rawValue)
    let lastChangedDate = JSONTextWriter.MemberName(Member.lastChangedDate.rawValue)
    let lastRotatedDate = JSONTextWriter.MemberName(Member.lastRotatedDate.rawValue)
    let name = JSONTextWriter.MemberName(Member.name.rawValue)
    let nextRotationDate = JSONTextWriter.MemberName(Member.nextRotationDate.rawValue)
    let owningService = JSONTextWriter.MemberName(Member.owningService.rawValue)
    let primaryRegion = JSONTextWriter.MemberName(Member.primaryRegion.rawValue)
    let profile = JSONTextWriter.MemberName(Member.profile.rawValue)
    let region = JSONTextWriter.MemberName(Member.region.rawValue)
    let rotationEnabled = JSONTextWriter.MemberName(Member.rotationEnabled.rawValue)
    let secretVersionsToStages = JSONTextWriter.MemberName(Member.secretVersionsToStages.rawValue)
    let tags = JSONTextWriter.MemberName(Member.tags.rawValue)
    let key = JSONTextWriter.MemberName(Tag.CodingKeys.key.rawValue)
    let value = JSONTextWriter.MemberName(Tag.CodingKeys.value.rawValue)
  }

  /// Sorting space reused from one secret to the next.
  private struct Scratch {
    var versions: [Int] = []
    var labels: [String] = []
    var tags: [(key: String, value: String)] = []
  }

  /// The members in sorted order (`JSONKeyOrder.utf8`); absent optionals are left out, as
  /// `JSONOutput` does. The secret is read where it is (a pointer into its page: passing it
  /// copied every field).
  private static func entry(
    _ pointer: UnsafePointer<Secret>, _ names: borrowing Names, _ writer: inout JSONTextWriter,
    _ scratch: inout Scratch
  ) {
    writer.beginObject()
    writer.member(names.arn, pointer.pointee.arn)
    writer.member(names.createdDate, date: pointer.pointee.createdDate)
    writer.member(names.deletedDate, date: pointer.pointee.deletedDate)
    writer.member(names.description, pointer.pointee.description)
    writer.member(names.lastChangedDate, date: pointer.pointee.lastChangedDate)
    writer.member(names.lastRotatedDate, date: pointer.pointee.lastRotatedDate)
    writer.member(names.name, pointer.pointee.name)
    writer.member(names.nextRotationDate, date: pointer.pointee.nextRotationDate)
    writer.member(names.owningService, pointer.pointee.owningService)
    writer.member(names.primaryRegion, pointer.pointee.primaryRegion)
    if let origin = pointer.pointee.origin {
      writer.member(names.profile, origin.profile)
      writer.member(names.region, origin.region)
    }
    writer.key(names.rotationEnabled)
    writer.bool(pointer.pointee.rotationEnabled)
    writer.key(names.secretVersionsToStages)
    writer.beginObject()
    // Labelled versions by id (byte order, as JSONEncoder sorts keys; a repeated id keeps
    // the order it came in).
    scratch.versions.removeAll(keepingCapacity: true)
    pointer.pointee.versions.withUnsafeBufferPointer { versions in
      for index in versions.indices where !versions[index].labels.isEmpty { scratch.versions.append(index) }
      if scratch.versions.count > 1 {
        scratch.versions.sort { JSONTextWriter.keyPrecedes(versions[$0].versionId, versions[$1].versionId) }
      }
      for index in scratch.versions {
        writer.key(versions[index].versionId)
        writer.beginArray()
        let labels = versions[index].labels
        if labels.count == 1 {
          writer.string(labels.first!)
        } else {
          scratch.labels.removeAll(keepingCapacity: true)
          scratch.labels.append(contentsOf: labels)
          scratch.labels.sort(by: StandardLabel.displayOrder)
          for label in scratch.labels { writer.string(label) }
        }
        writer.endArray()
      }
    }
    writer.endObject()
    if !pointer.pointee.tags.isEmpty {
      writer.key(names.tags)
      writer.beginArray()
      scratch.tags.removeAll(keepingCapacity: true)
      scratch.tags.append(contentsOf: pointer.pointee.tags)
      if scratch.tags.count > 1 { scratch.tags.sort { JSONTextWriter.keyPrecedes($0.key, $1.key) } }
      for (key, value) in scratch.tags {
        writer.beginObject()
        writer.member(names.key, key)
        writer.member(names.value, value)
        writer.endObject()
      }
      writer.endArray()
    }
    writer.endObject()
  }
}

extension SecretListJSON {
  /// `list --json` for pages that arrive interleaved from several listings (the profile and
  /// Region pairs of `EstateList`) but are printed listing by listing, in memory that does not
  /// grow with the account: each page is written to `spool` as it arrives, noted under its
  /// listing (`ListSpool.Sections`), and `write(to:)` reads the spool back listing by listing:
  /// the bytes of `document(pages:)` over the pages in that order.
  ///
  /// The secrets are spooled as `Stream` writes every secret but the document's first: a
  /// comma, then the newline, indent and object (`JSONTextWriter.continueAfterMember()`).
  /// Which secret comes first is known only once every page is in, so `write` drops the first
  /// byte read back, that secret's comma, and what is left is the document's array as is.
  public struct Sections {
    public let spool: ListSpool
    private var sections: ListSpool.Sections
    private var elements: Stream
    private let chunkSize: Int
    /// Secrets spooled.
    public private(set) var count = 0

    /// For `count` listings, numbered from 0 in the order they are printed.
    public init(count: Int, spool: ListSpool, chunkSize: Int = 256 * 1_024) {
      self.spool = spool
      self.chunkSize = chunkSize
      sections = ListSpool.Sections(count: count)
      elements = Stream(chunkSize: chunkSize)
      elements.flush { _ in }  // The document's start: `write` writes its own.
      elements.continueAfterMember()
    }

    /// Writes `page`, all of it (the next page may be another listing's), to the spool for
    /// listing `section`.
    public mutating func append(_ page: [Secret], to section: Int) {
      let start = spool.count
      elements.append(page, to: spool.append)
      elements.flush(to: spool.append)
      sections.note(start..<spool.count, in: section)
      count += page.count
    }

    /// The document, handed to `output` in pieces (the spool read `blockSize` bytes at a
    /// time). Throws the spool's error.
    public func write(blockSize: Int = 256 * 1_024, to output: (UnsafeRawBufferPointer) -> Void)
      throws(ListSpool.Failure)
    {
      var document = Stream(chunkSize: chunkSize)
      guard count > 0 else { return document.finish(to: output) }
      document.continueAfterMember()
      document.flush(to: output)
      var first: UInt8?
      try spool.read(sections.ranges, blockSize: blockSize) { block in
        if first == nil {
          first = block.first
          output(UnsafeRawBufferPointer(rebasing: block.dropFirst()))
        } else {
          output(block)
        }
      }
      guard first == UInt8(ascii: ",") else {
        throw ListSpool.Failure(
          description: "The temporary file in \(spool.directory) holding the listing does not hold \(count) secrets.")
      }
      document.finish(to: output)
    }
  }
}

extension SecretListJSON {
  /// `list --json` as a Codable value: the shape the fast path writes, member names included.
  struct Document: JSONDocument {
    static let keyOrder = JSONKeyOrder.utf8

    var secretList: [Entry]

    enum CodingKeys: String, CodingKey {
      case secretList = "SecretList"
    }

    init(pages: [[Secret]]) {
      secretList = pages.flatMap { $0.map(Entry.init) }
    }
  }

  /// One secret as ListSecrets returns it, with the fields `list --json` prints: a replica's
  /// "PrimaryRegion" as the API has it, and, for a secret listed from several profiles or
  /// Regions (`Secret.origin`), the "Region" it was read in and the "Profile" (when one was
  /// named) it was read with.
  struct Entry: Encodable {
    var arn: String?
    var createdDate: Date?
    var deletedDate: Date?
    var description: String?
    var lastChangedDate: Date?
    var lastRotatedDate: Date?
    var name: String
    var nextRotationDate: Date?
    var owningService: String?
    var primaryRegion: String?
    var profile: String?
    var region: String?
    var rotationEnabled: Bool
    var secretVersionsToStages: VersionStages
    /// Left out when the secret has none; sorted by key.
    var tags: [Tag]?

    enum CodingKeys: String, CodingKey {
      case arn = "ARN"
      case createdDate = "CreatedDate"
      case deletedDate = "DeletedDate"
      case description = "Description"
      case lastChangedDate = "LastChangedDate"
      case lastRotatedDate = "LastRotatedDate"
      case name = "Name"
      case nextRotationDate = "NextRotationDate"
      case owningService = "OwningService"
      case primaryRegion = "PrimaryRegion"
      case profile = "Profile"
      case region = "Region"
      case rotationEnabled = "RotationEnabled"
      case secretVersionsToStages = "SecretVersionsToStages"
      case tags = "Tags"
    }

    init(_ secret: Secret) {
      arn = secret.arn
      createdDate = secret.createdDate
      deletedDate = secret.deletedDate
      description = secret.description
      lastChangedDate = secret.lastChangedDate
      lastRotatedDate = secret.lastRotatedDate
      name = secret.name
      nextRotationDate = secret.nextRotationDate
      owningService = secret.owningService
      primaryRegion = secret.primaryRegion
      profile = secret.origin?.profile
      region = secret.origin?.region
      rotationEnabled = secret.rotationEnabled
      secretVersionsToStages = VersionStages(
        secret.versions.filter { !$0.labels.isEmpty }.map {
          ($0.versionId, $0.labels.sorted(by: StandardLabel.displayOrder))
        })
      tags =
        secret.tags.isEmpty
        ? nil
        : secret.tags.sorted { JSONTextWriter.keyPrecedes($0.key, $1.key) }.map { Tag(key: $0.key, value: $0.value) }
    }
  }

  /// The labelled versions: id to labels (in display order). Not a dictionary: a version id
  /// that comes twice is written twice, as it came.
  struct VersionStages: Encodable {
    var versions: [(id: VersionID, labels: [String])]

    init(_ versions: [(id: VersionID, labels: [String])]) {
      self.versions = versions
    }

    private struct Key: CodingKey {
      var stringValue: String
      var intValue: Int? { nil }
      init(stringValue: String) { self.stringValue = stringValue }
      init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: Key.self)
      for version in versions { try container.encode(version.labels, forKey: Key(stringValue: version.id)) }
    }
  }

  struct Tag: Encodable {
    var key: String
    var value: String

    enum CodingKeys: String, CodingKey {
      case key = "Key"
      case value = "Value"
    }
  }
}
