import Foundation
import StagehandTestSupport

@testable import SecretsClient

extension MotoServer {
  /// A backend on this server, signing with moto's test credentials.
  func backend(log: (any RequestLog)? = nil) -> AWSSecretsBackend {
    let client = AWSJSONClient(
      endpoint: endpoint, region: "us-east-1",
      credentials: FixedCredentialProvider(value: AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing")),
      log: log)
    return AWSSecretsBackend(client: client, customEndpoint: endpoint)
  }
}
