import Foundation
import SecretsClient

/// An environment and file system made of dictionaries, so configuration tests never read the
/// process environment or the real `~/.aws`.
enum FakeAWSEnvironment {
  static let home = "/home/tester"

  static func make(
    _ variables: [String: String] = [:], config: String? = nil, credentials: String? = nil,
    files: [String: String] = [:]
  ) -> AWSEnvironment {
    var all = files
    if let config { all[home + "/.aws/config"] = config }
    if let credentials { all[home + "/.aws/credentials"] = credentials }
    let snapshot = all
    return AWSEnvironment(variables: variables, homeDirectory: home) { snapshot[$0] }
  }
}

/// Stands in for SigV4 where a test checks what is sent, not the signature.
let markerSigning: STSClient.Signing = { request, credentials, region, service, _ in
  var signed = request
  signed.setHeader("Authorization", "test-signature \(credentials.accessKeyId) \(region) \(service)")
  return signed
}
