/// Loaded secrets in chunks of 4,096: appending never moves the secrets before. One array of
/// 500,000 `Secret`s (304 bytes each, inline) doubled at 262,144 by copying 80 MB, a page's
/// apply stalled for 58 ms; here a full chunk is left as it is and a new one begun.
public struct SecretList: RandomAccessCollection, MutableCollection, Equatable, Sendable {
  public typealias Index = Int
  public typealias Indices = Range<Int>

  private static let shift = 12
  private static let chunkSize = 1 << shift

  /// Full chunks, then the last one, filling.
  private var chunks: [[Secret]] = []
  public private(set) var count = 0

  public init() {}

  public init<Secrets: Sequence<Secret>>(_ secrets: Secrets) {
    for secret in secrets { append(secret) }
  }

  public var startIndex: Int { 0 }
  public var endIndex: Int { count }
  public var indices: Range<Int> { 0..<count }

  public subscript(position: Int) -> Secret {
    get { chunks[position >> Self.shift][position & (Self.chunkSize - 1)] }
    _modify { yield &chunks[position >> Self.shift][position & (Self.chunkSize - 1)] }
  }

  public mutating func append(_ secret: Secret) {
    if count & (Self.chunkSize - 1) == 0 {
      var chunk: [Secret] = []
      chunk.reserveCapacity(Self.chunkSize)
      chunks.append(chunk)
    }
    chunks[chunks.count - 1].append(secret)
    count += 1
  }
}
