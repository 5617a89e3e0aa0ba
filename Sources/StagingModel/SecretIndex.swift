/// What the filter and the page merge need of the loaded secrets, kept beside them so a
/// keystroke at 10,000 secrets never copies a `Secret`: each name's position, and the
/// lower-cased bytes of the ASCII names in one contiguous buffer.
///
/// `AppState` appends a name whenever it appends a secret and resets both together;
/// replacing a secret in place keeps its name, so the index stays valid.
public struct SecretIndex: Sendable {
  /// Position in `secrets` by key (the first, should a list repeat a key): the name, or
  /// where one list holds several profiles or Regions, the name and where it was read.
  public private(set) var positions: [String: Int] = [:]
  /// Lower-cased bytes of every ASCII name, one after another.
  private var lowered: [UInt8] = []
  /// Per secret, where its name starts in `lowered`.
  private var starts: [Int] = []
  /// Per secret, where its name ends in `lowered`, or -1 when the name is not ASCII.
  private var ends: [Int] = []

  public init() {}

  public init(_ secrets: [Secret]) {
    for secret in secrets { append(secret.name) }
  }

  public var count: Int { ends.count }

  public mutating func append(_ name: String) {
    append(name, key: name)
  }

  /// Appends a secret found again by `key` rather than by its name.
  public mutating func append(_ name: String, key: String) {
    if positions[key] == nil { positions[key] = ends.count }
    starts.append(lowered.count)
    guard name.utf8.allSatisfy({ $0 < 0x80 }) else {
      ends.append(-1)
      return
    }
    for byte in name.utf8 { lowered.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte) }
    ends.append(lowered.count)
  }

  /// Calls `body` with a function giving each secret's lower-cased ASCII name (nil when the
  /// name is not ASCII), valid only inside `body`.
  public func withLoweredNames<Result>(_ body: ((Int) -> UnsafeBufferPointer<UInt8>?) -> Result) -> Result {
    lowered.withUnsafeBufferPointer { all in
      body { position in
        let end = ends[position]
        return end < 0 ? nil : UnsafeBufferPointer(rebasing: all[starts[position]..<end])
      }
    }
  }
}
