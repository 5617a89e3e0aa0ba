import Foundation
import StagingModel

// Merge step only: the rotation commands' [String: Any] documents through JSONSerialization,
// as main wrote them, until they are Codable documents through JSONOutput (the next commit
// removes this file).
extension Output {
  static func json(_ value: Any) {
    let data =
      (try? JSONSerialization.data(
        withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
      ?? Data("{}".utf8)
    write(Array(data) + [UInt8(ascii: "\n")])
  }
}
