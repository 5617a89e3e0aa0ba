import Foundation
import SecretsClient
import StagingModel

/// JSON as `--json` was written before `JSONOutput` (`[String: Any]` through JSONSerialization,
/// Output.json kept as it was): the reference the differential tests hold the encoder to.
/// Only the test target uses it.
enum JSONOutputReference {
  static func json(_ value: Any) -> [UInt8] {
    let data =
      (try? JSONSerialization.data(
        withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
      ?? Data("{}".utf8)
    return Array(data + Data("\n".utf8))
  }
}
