import Foundation
import StagingModel

/// `list --json`: `{"SecretList": [...]}` with the API's field names, pretty-printed with
/// sorted keys. Written straight to bytes with `JSONTextWriter` (the same text JSONEncoder
/// gave, at a fraction of the cost for 10,000 secrets): the secrets are read in place (never
/// copied), dates go to the buffer without a String between, and versions, labels and tags
/// are sorted only when there are two or more, in scratch arrays kept across secrets. A
/// differential test holds the bytes to the writer calls this replaced. `list` writes the
/// text out in chunks as it goes (`write(pages:chunkSize:to:)`) rather than whole.
public enum SecretListJSON {
  public static func document(_ secrets: [Secret]) -> [UInt8] {
    document(pages: [secrets])
  }

  /// The same for secrets as they came, page by page (no copy into one array).
  public static func document(pages: [[Secret]]) -> [UInt8] {
    // About 950 bytes a secret at 10,000 bench secrets.
    var writer = JSONTextWriter(reservingCapacity: pages.reduce(0) { $0 + $1.count } * 1_000)
    generate(pages, &writer) { _ in }
    return writer.bytes
  }

  /// The bytes of `document(pages:)`, handed to `output` in order, a chunk of at least
  /// `chunkSize` bytes (or the rest) at a time, each ending after a whole secret. One
  /// chunk-sized buffer is reused throughout: at 10,000 secrets the whole 9.5 MB document cost
  /// 9.5 MB of memory and a page fault for every 4 KB of it.
  public static func write(
    pages: [[Secret]], chunkSize: Int = 256 * 1_024, to output: (UnsafeRawBufferPointer) -> Void
  ) {
    // Room for the chunk and the secret that crosses its end (most are under 1 KB).
    var writer = JSONTextWriter(reservingCapacity: chunkSize + 16 * 1_024)
    generate(pages, &writer) { writer in
      if writer.bytes.count >= chunkSize { writer.flush(to: output) }
    }
    writer.flush(to: output)
  }

  /// The document into `writer`, with `afterEntry` called after each secret.
  private static func generate(
    _ pages: [[Secret]], _ writer: inout JSONTextWriter, afterEntry: (inout JSONTextWriter) -> Void
  ) {
    var scratch = Scratch()
    let names = Names()
    writer.beginObject()
    writer.key("SecretList")
    writer.beginArray()
    for page in pages {
      page.withUnsafeBufferPointer { secrets in
        for index in secrets.indices {
          entry(secrets.baseAddress! + index, names, &writer, &scratch)
          afterEntry(&writer)
        }
      }
    }
    writer.endArray()
    writer.endObject()
    writer.newline()
  }

  /// The member names, quoted once for the whole list.
  private struct Names {
    let arn = JSONTextWriter.MemberName("ARN")
    let createdDate = JSONTextWriter.MemberName("CreatedDate")
    let deletedDate = JSONTextWriter.MemberName("DeletedDate")
    let description = JSONTextWriter.MemberName("Description")
    let lastChangedDate = JSONTextWriter.MemberName("LastChangedDate")
    let lastRotatedDate = JSONTextWriter.MemberName("LastRotatedDate")
    let name = JSONTextWriter.MemberName("Name")
    let nextRotationDate = JSONTextWriter.MemberName("NextRotationDate")
    let owningService = JSONTextWriter.MemberName("OwningService")
    let rotationEnabled = JSONTextWriter.MemberName("RotationEnabled")
    let secretVersionsToStages = JSONTextWriter.MemberName("SecretVersionsToStages")
    let tags = JSONTextWriter.MemberName("Tags")
    let key = JSONTextWriter.MemberName("Key")
    let value = JSONTextWriter.MemberName("Value")
  }

  /// Sorting space reused from one secret to the next.
  private struct Scratch {
    var versions: [Int] = []
    var labels: [String] = []
    var tags: [(key: String, value: String)] = []
  }

  /// The members in sorted order; absent optionals are left out, as JSONEncoder does. The
  /// secret is read where it is (a pointer into its page: passing it copied every field).
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
