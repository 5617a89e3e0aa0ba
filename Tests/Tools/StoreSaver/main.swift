// Test-only: moves one label back and forth between two versions of one secret in a store
// file, forever, through LocalStoreBackend (the real lock, load, atomic temp file, fsync and
// rename). StoreRobustnessTests SIGKILLs it at random moments and checks the file.
//
// Usage: store-saver <store> <secret> <label> <version> <version>
// Before each save it writes "start <target version>" to stdout, after it "done <target
// version>", each with one write(2), so a test reading the output knows whether a kill
// landed inside a save. It exits 1 with a message on stderr if a save fails.

import Foundation
import SecretsClient
import StagingModel

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

func say(_ line: String, to fd: Int32 = 1) {
  let bytes = Array((line + "\n").utf8)
  _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}

let arguments = CommandLine.arguments
guard arguments.count == 6 else {
  say("usage: store-saver <store> <secret> <label> <version> <version>", to: 2)
  exit(2)
}
let (secretId, label, versions) = (arguments[2], arguments[3], [arguments[4], arguments[5]])
let store = LocalStoreBackend(path: arguments[1])
do {
  let secret = try await store.describeSecret(secretId, includeDeprecated: true)
  var holder = versions.first { secret.labelMap.labels(on: $0).contains(label) } ?? versions[1]
  while true {
    let target = holder == versions[0] ? versions[1] : versions[0]
    say("start \(target)")
    try await store.updateSecretVersionStage(
      secretId: secretId, step: StageStep(versionStage: label, removeFromVersionId: holder, moveToVersionId: target))
    say("done \(target)")
    holder = target
  }
} catch {
  say("store-saver: \(error)", to: 2)
  exit(1)
}
