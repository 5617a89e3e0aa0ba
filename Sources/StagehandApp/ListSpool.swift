import Foundation

/// Where `list` keeps its output until the listing is complete: a temporary file with no name
/// (Linux's O_TMPFILE; elsewhere, or where the file system refuses it, mkstemp then unlink), in
/// `TMPDIR` (else /tmp), readable by this user only and gone when the process ends, however it
/// ends. Not `memfd`: that is memory, only not counted as the process's (500,000 secrets are
/// about 480 MB of JSON). Writes keep the first error and drop the rest; `check()` reports it.
public final class ListSpool {
  /// The spool could not be made or written (no space left, TMPDIR not a directory...).
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  private let descriptor: Int32
  /// The directory the file is in, for messages.
  public let directory: String
  private var failure: Failure?
  /// Bytes appended so far.
  public private(set) var count = 0

  /// A new, empty spool in `TMPDIR` from `environment` (else /tmp). `unnamed: false` takes
  /// the portable way (a named file, unlinked at once), as on macOS.
  public init(
    environment: [String: String] = ProcessInfo.processInfo.environment, unnamed: Bool = true
  ) throws(Failure) {
    let base = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    directory = base
    descriptor = try Self.open(in: base, unnamed: unnamed)
  }

  deinit {
    close(descriptor)
  }

  private static func open(in directory: String, unnamed: Bool) throws(Failure) -> Int32 {
    #if os(Linux) && (arch(x86_64) || arch(arm64))
      // O_TMPFILE is __O_TMPFILE | O_DIRECTORY; Glibc's module does not carry the macro.
      let tmpfile: Int32 = 0o2000_0000 | O_DIRECTORY
      let made = unnamed ? Foundation.open(directory, tmpfile | O_RDWR | O_CLOEXEC, 0o600) : -1
      if made >= 0 { return made }
      // Not every file system makes unnamed files (EOPNOTSUPP, EISDIR on old kernels):
      // fall back to a named one, unlinked at once. Other errors are the directory's.
      guard !unnamed || [EOPNOTSUPP, EISDIR, EINVAL].contains(errno) else {
        throw Failure(description: "Can't make a temporary file in \(directory): \(String(cString: strerror(errno))).")
      }
    #endif
    var template =
      Array((directory.hasSuffix("/") ? directory : directory + "/").utf8) + Array("stagehand-list-XXXXXX".utf8)
    template.append(0)
    let named = template.withUnsafeMutableBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { mkstemp($0.baseAddress!) }
    }
    guard named >= 0 else {
      throw Failure(description: "Can't make a temporary file in \(directory): \(String(cString: strerror(errno))).")
    }
    unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
    _ = fcntl(named, F_SETFD, FD_CLOEXEC)
    return named
  }

  /// Appends `raw`, all of it, unless an earlier write failed.
  public func append(_ raw: UnsafeRawBufferPointer) {
    guard failure == nil else { return }
    var offset = 0
    while offset < raw.count {
      let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
      if written < 0 {
        if errno == EINTR { continue }
        failure = Failure(
          description:
            "Can't write the listing to a temporary file in \(directory): \(String(cString: strerror(errno))).")
        return
      }
      offset += written
    }
    count += raw.count
  }

  /// Throws the first write error, if there was one.
  public func check() throws(Failure) {
    if let failure { throw failure }
  }

  /// Reads the spool from its start, a block of at most `blockSize` bytes at a time, each
  /// handed to `body` (the block's memory is reused; the last block may be short).
  public func read(blockSize: Int = 256 * 1_024, _ body: (UnsafeRawBufferPointer) -> Void) throws(Failure) {
    try read([0..<count], blockSize: blockSize, body)
  }

  /// Reads the bytes in `ranges`, one range after the other in the order given, a block of
  /// at most `blockSize` bytes at a time (a block never spans two ranges), each handed to
  /// `body`: how `Sections` reads interleaved listings back listing by listing.
  public func read(
    _ ranges: some Sequence<Range<Int>>, blockSize: Int = 256 * 1_024, _ body: (UnsafeRawBufferPointer) -> Void
  ) throws(Failure) {
    try check()
    let block = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 16)
    defer { block.deallocate() }
    for range in ranges {
      guard range.upperBound <= count else {
        throw Failure(description: "The temporary file in \(directory) holding the listing was cut short.")
      }
      try read(range, into: block, body)
    }
  }

  private func read(
    _ range: Range<Int>, into block: UnsafeMutableRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void
  ) throws(Failure) {
    let blockSize = block.count
    var offset = range.lowerBound
    while offset < range.upperBound {
      let got = pread(descriptor, block.baseAddress!, min(blockSize, range.upperBound - offset), off_t(offset))
      if got < 0 {
        if errno == EINTR { continue }
        throw Failure(
          description:
            "Can't read the listing back from a temporary file in \(directory): \(String(cString: strerror(errno))).")
      }
      if got == 0 {
        throw Failure(description: "The temporary file in \(directory) holding the listing was cut short.")
      }
      body(UnsafeRawBufferPointer(rebasing: block[0..<got]))
      offset += got
    }
  }
}

extension ListSpool {
  /// Where in one spool each of several listings is, when their pages arrive interleaved
  /// (`stagehand list` over several profile and Region pairs, `EstateList`) but are printed
  /// listing by listing: each page's bytes are appended as the page arrives and noted here
  /// under its listing, and `ranges` gives them back listing by listing, in arrival order
  /// within each. One file for every listing, not one each: an estate of a few hundred pairs
  /// would otherwise hold as many descriptors open (macOS allows 256 by default). What is
  /// kept in memory is a range for each run of pages a listing had in a row: some bytes a
  /// page of up to 100 secrets, not the secrets.
  public struct Sections {
    private var sections: [[Range<Int>]]

    /// `count` listings, numbered from 0 in the order they are to be read.
    public init(count: Int) {
      sections = Array(repeating: [], count: count)
    }

    /// Notes that the spool's bytes in `range` belong to listing `section`, after the
    /// bytes noted for it so far.
    public mutating func note(_ range: Range<Int>, in section: Int) {
      guard !range.isEmpty else { return }
      if let last = sections[section].last, last.upperBound == range.lowerBound {
        sections[section][sections[section].count - 1] = last.lowerBound..<range.upperBound
      } else {
        sections[section].append(range)
      }
    }

    /// Every range noted, listing by listing.
    public var ranges: some Sequence<Range<Int>> { sections.joined() }
  }
}
