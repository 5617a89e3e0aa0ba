import Foundation
import StagingModel

/// ListSecrets pages decoded in one pass with `JSONScanner`, straight into `Secret`s. It
/// accepts exactly what `SecretsManagerShapes.ListSecretsOutput` accepts through
/// JSONDecoder and builds the same secrets (a differential test holds both to that), at a
/// fraction of the cost: at 10,000 secrets Codable decoding was most of a listing's CPU.
/// One difference, on input AWS never sends: of repeated members it keeps the last, as
/// JSONSerialization and the aws CLI's json do, where JSONDecoder keeps the first.
enum ListSecretsPage {
  /// A page's secrets, in the order listed, and its NextToken (nil when absent, null or empty).
  struct Decoded: Sendable {
    var secrets: [Secret]
    var nextToken: String?
  }

  /// The whole page. Every byte is checked on the way (`JSONScanner` skips nothing
  /// unchecked), so a page this accepts is complete JSON: one scan both decodes a read and
  /// proves it was not cut off or damaged.
  static func decode(_ data: Data) throws(SecretsError) -> Decoded {
    try scan(data) { scanner in
      var page = Decoded(secrets: [], nextToken: nil)
      var labelLists = LabelLists()
      try scanner.forEachMember { scanner, key in
        switch key {
        case "SecretList":
          page.secrets = []
          if try scanner.skipNull() { return }
          try scanner.forEachElement { scanner in
            page.secrets.append(try entry(&scanner, &labelLists))
          }
        case "NextToken":
          page.nextToken = try scanner.readOptionalString()
        default:
          try scanner.skipValue()
        }
      }
      if page.nextToken?.isEmpty == true { page.nextToken = nil }
      return page
    }
  }

  /// The page's secrets, in the order listed.
  static func secrets(_ data: Data) throws(SecretsError) -> [Secret] {
    try decode(data).secrets
  }

  /// The page's NextToken (nil when absent, null or empty), found by skipping the entries
  /// unbuilt but checked: the reference `trailingNextToken` is tested against.
  static func nextToken(_ data: Data) throws(SecretsError) -> String? {
    try scan(data) { scanner in
      var token: String?
      try scanner.forEachMember { scanner, key in
        if case "NextToken" = key {
          token = try scanner.readOptionalString()
        } else {
          try scanner.skipValue()
        }
      }
      return (token?.isEmpty ?? true) ? nil : token
    }
  }

  /// The NextToken of a page that ends `,"NextToken":"<token>"}` (whitespace allowed between
  /// the tokens), read backwards from the end without scanning the rest: AWS, moto and the
  /// replay server all put NextToken last. nil for any other ending, for an empty token, and
  /// for a token with anything but printable ASCII other than `"` and `\`.
  ///
  /// On a page `decode` accepts, a token this returns is the one `decode` returns:
  /// - The last byte that is not whitespace is `}`, so the top-level value is an object and
  ///   this brace closes it; the value of the object's last member ends right before it.
  /// - That value ends with `"`, so it is a string. Going back from there, the token bytes
  ///   hold no quote, and the quote before them follows (whitespace aside) a `:`, not a
  ///   backslash, so it is unescaped: it opens the value, whose text is the token bytes as
  ///   they are, having no backslash.
  /// - Before the `:` (whitespace aside) stand exactly `"NextToken"`, after `,` or `{`
  ///   (whitespace aside): that opening quote is unescaped too, so this string is the member's
  ///   name, and the member is the object's last NextToken. `decode` keeps the last of
  ///   repeated members, as JSONDecoder does.
  ///
  /// On a damaged page it can return anything; the listing only uses it to start the next
  /// request before this page is decoded, and checks it against the decoded page.
  static func trailingNextToken(_ data: Data) -> String? {
    data.withUnsafeBytes { bytes -> String? in
      var end = bytes.count
      func skipWhitespace() {
        while end > 0, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[end - 1]) { end -= 1 }
      }
      func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard end > 0, bytes[end - 1] == byte else { return false }
        end -= 1
        return true
      }
      guard consume(UInt8(ascii: "}")), consume(UInt8(ascii: "\"")) else { return nil }
      let tokenEnd = end
      while end > 0, (0x20...0x7E).contains(bytes[end - 1]), bytes[end - 1] != UInt8(ascii: "\""),
        bytes[end - 1] != UInt8(ascii: "\\")
      {
        end -= 1
      }
      let tokenStart = end
      guard tokenStart < tokenEnd, end > 0, bytes[end - 1] == UInt8(ascii: "\"") else { return nil }
      end -= 1
      guard consume(UInt8(ascii: ":")) else { return nil }
      skipWhitespace()
      let name = #""NextToken""#.utf8
      guard end >= name.count, bytes[(end - name.count)..<end].elementsEqual(name) else { return nil }
      end -= name.count
      skipWhitespace()
      guard end > 0, bytes[end - 1] == UInt8(ascii: ",") || bytes[end - 1] == UInt8(ascii: "{") else { return nil }
      return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[tokenStart..<tokenEnd]), as: UTF8.self)
    }
  }

  private static func scan<T>(_ data: Data, _ body: (inout JSONScanner) throws -> T) throws(SecretsError) -> T {
    let input = data.isEmpty ? Data("{}".utf8) : data
    let result: Result<T, any Error> = input.withUnsafeBytes { raw in
      var scanner = JSONScanner(raw)
      return Result {
        let value = try body(&scanner)
        try scanner.expectEnd()
        return value
      }
    }
    do {
      return try result.get()
    } catch {
      throw .malformedResponse("ListSecrets: \(error)")
    }
  }

  /// One SecretList entry: the fields `SecretsManagerShapes.SecretEntry` reads, built into a
  /// secret as `SecretEntry.secret(fallbackName:)` does.
  private static func entry(_ scanner: inout JSONScanner, _ labelLists: inout LabelLists) throws -> Secret {
    if try scanner.skipNull() { throw scanner.failure("expected an object, found null") }
    var secret = Secret(name: "")
    var name: String?
    var listedVersions: [SecretVersion]?
    var describedVersions: [SecretVersion]?
    try scanner.forEachMember { scanner, key in
      switch key {
      case "ARN": secret.arn = try scanner.readOptionalString()
      case "Name": name = try scanner.readOptionalString()
      case "Description": secret.description = try scanner.readOptionalString()
      case "RotationEnabled": secret.rotationEnabled = try scanner.readOptionalBool() ?? false
      case "LastChangedDate": secret.lastChangedDate = try scanner.readOptionalDate()
      case "LastAccessedDate": secret.lastAccessedDate = try scanner.readOptionalDate()
      case "Tags": secret.tags = try tags(&scanner)
      case "SecretVersionsToStages": listedVersions = try versions(&scanner, &labelLists)
      case "CreatedDate": secret.createdDate = try scanner.readOptionalDate()
      case "RotationLambdaARN": secret.rotationLambdaARN = try scanner.readOptionalString()
      case "RotationRules": secret.rotationRules = try rotationRules(&scanner)
      case "LastRotatedDate": secret.lastRotatedDate = try scanner.readOptionalDate()
      case "NextRotationDate": secret.nextRotationDate = try scanner.readOptionalDate()
      case "DeletedDate": secret.deletedDate = try scanner.readOptionalDate()
      case "OwningService": secret.owningService = try scanner.readOptionalString()
      case "PrimaryRegion": secret.primaryRegion = try scanner.readOptionalString()
      case "VersionIdsToStages": describedVersions = try versions(&scanner, &labelLists)
      default: try scanner.skipValue()
      }
    }
    secret.name = name ?? secret.arn ?? ""
    secret.versions = listedVersions ?? describedVersions ?? []
    return secret
  }

  private static func rotationRules(_ scanner: inout JSONScanner) throws -> RotationRules? {
    if try scanner.skipNull() { return nil }
    var rules = RotationRules()
    try scanner.forEachMember { scanner, key in
      switch key {
      case "AutomaticallyAfterDays": rules.automaticallyAfterDays = try scanner.readOptionalInt()
      case "Duration": rules.duration = try scanner.readOptionalString()
      case "ScheduleExpression": rules.scheduleExpression = try scanner.readOptionalString()
      default: try scanner.skipValue()
      }
    }
    return rules
  }

  /// `[{"Key": k, "Value": v}]`; entries without a key are dropped, a missing value is "".
  private static func tags(_ scanner: inout JSONScanner) throws -> [String: String] {
    var tags: [String: String] = [:]
    if try scanner.skipNull() { return tags }
    try scanner.forEachElement { scanner in
      if try scanner.skipNull() { throw scanner.failure("expected a tag object, found null") }
      var key: String?
      var value: String?
      try scanner.forEachMember { scanner, member in
        switch member {
        case "Key": key = try scanner.readOptionalString()
        case "Value": value = try scanner.readOptionalString()
        default: try scanner.skipValue()
        }
      }
      guard let key else { return }
      // One allocation for the usual few tags instead of growing from one.
      if tags.isEmpty { tags = Dictionary(minimumCapacity: 4) }
      tags[key] = value ?? ""
    }
    return tags
  }

  /// A map of version id to labels (a null list counts as none) as the labelled versions
  /// `SecretEntry.secret(fallbackName:)` builds from it; nil for `null`. A repeated id keeps
  /// its first spelling and its last labels, as the dictionary it decoded into did, and the
  /// order is `sortVersionsNewestFirst`'s, which for versions without dates (ListSecrets
  /// gives none) is by id alone.
  private static func versions(_ scanner: inout JSONScanner, _ labelLists: inout LabelLists) throws
    -> [SecretVersion]?
  {
    if try scanner.skipNull() { return nil }
    var versions: [SecretVersion] = []
    // Repeats are looked for one by one among a few versions, through this index past them.
    let linearLimit = 8
    var index: [VersionID: Int] = [:]
    try scanner.forEachMember { scanner, key in
      let labels = try labelLists.read(&scanner)
      let id = key.string
      let existing: Int?
      if versions.count <= linearLimit {
        existing = versions.firstIndex { $0.versionId == id }
      } else {
        if index.isEmpty {
          for (position, version) in versions.enumerated() { index[version.versionId] = position }
        }
        existing = index[id]
      }
      if let existing {
        versions[existing].labels = labels
      } else {
        if !index.isEmpty { index[id] = versions.count }
        versions.append(SecretVersion(versionId: id, labels: labels))
      }
    }
    versions.removeAll { $0.labels.isEmpty }
    if versions.count > 1 { versions.sort { $0.versionId < $1.versionId } }
    return versions
  }

  /// The label lists already read on a page, by where their text is. Most versions carry one
  /// of a few lists (`["AWSCURRENT"]`, `["AWSPREVIOUS"]`), and the same bytes again are the
  /// same list, so a repeat is matched and its set shared instead of decoded, hashed and
  /// allocated again. Every label list of a page sits at the same depth.
  private struct LabelLists {
    private var known: [(text: Range<Int>, labels: Set<String>)] = []
    /// Enough for the lists AWS sets; a page of other lists costs at most this many
    /// failed comparisons per list.
    private static let capacity = 8

    /// A list of labels; `null` counts as none.
    mutating func read(_ scanner: inout JSONScanner) throws -> Set<String> {
      if try scanner.skipNull() { return [] }
      for list in known where scanner.skipRepeat(of: list.text) { return list.labels }
      let start = scanner.offset
      var labels = Set<String>()
      try scanner.forEachElement { scanner in
        labels.insert(try scanner.readString())
      }
      if known.count < Self.capacity { known.append((start..<scanner.offset, labels)) }
      return labels
    }
  }
}
