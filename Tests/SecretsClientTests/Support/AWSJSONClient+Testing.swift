import Foundation

@testable import SecretsClient

extension AWSJSONClient {
  /// A client on a mock transport that records sleeps instead of waiting.
  static func testing(
    _ transport: MockTransport, recorder: Recorder = Recorder(), maxAttempts: Int = 3, readOnly: Bool = false,
    random: @escaping @Sendable () -> Double = { 0.5 }, sessionToken: String? = nil, log: (any RequestLog)? = nil
  ) -> AWSJSONClient {
    AWSJSONClient(
      endpoint: URL(string: "https://secretsmanager.us-east-1.amazonaws.com")!, region: "us-east-1",
      credentials: FixedCredentialProvider(
        value: AWSCredentials(
          accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
          sessionToken: sessionToken)),
      transport: transport, clock: { Date(timeIntervalSince1970: 1_800_000_000) },
      retryPolicy: RetryPolicy(maxAttempts: maxAttempts), sleep: { recorder.sleep($0) }, random: random,
      log: log ?? recorder, isReadOnly: readOnly)
  }
}
