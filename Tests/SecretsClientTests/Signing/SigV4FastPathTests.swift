import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

/// The signer's shortcuts against what they replace: arithmetic dates against a Calendar,
/// the canonical request and string to sign built as bytes against the documented steps.
@Suite(.ownThreads)
struct SigV4FastPathTests {
  static func calendarStamp(_ date: Date) -> (amzDate: String, dateStamp: String) {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    let day = String(format: "%04ld%02ld%02ld", c.year!, c.month!, c.day!)
    return (day + String(format: "T%02ld%02ld%02ldZ", c.hour!, c.minute!, c.second!), day)
  }

  @Test func timestampsAgreeWithTheCalendar() {
    var rng = SplitMix64(seed: 8_601)
    var seconds: [Double] = [
      0, 59.999_999, 86_399.999_999_9, 951_782_400, 951_868_799.999_999_9, 1_700_000_000.999_999_9, 4_102_444_800,
      253_402_300_799.5, -1, -0.5, -86_400 * 365.25 * 500, 253_402_300_800, 1e12,
    ]
    for _ in 0..<20_000 {
      let whole = Double(Int.random(in: -2_000_000_000...253_402_300_799, using: &rng))
      seconds.append(
        whole + [0, 0.5, 0.999, 0.999_999_9, 1e-7, Double.random(in: 0..<1, using: &rng)].randomElement(using: &rng)!)
    }
    for value in seconds {
      let date = Date(timeIntervalSince1970: value)
      let stamp = SigV4Timestamp(date)
      let expected = Self.calendarStamp(date)
      #expect(stamp.amzDate == expected.amzDate && stamp.dateStamp == expected.dateStamp, "\(value)")
    }
  }

  /// `signed` agrees with steps 1 to 4 taken one by one, for credentials, days, regions and
  /// services that share all but one part.
  @Test func signedAgreesWithTheStepsOneByOne() {
    var rng = SplitMix64(seed: 4_444)
    let request = HTTPRequest(
      method: "POST", url: URL(string: "https://secretsmanager.us-east-1.amazonaws.com/")!,
      headers: [("X-Amz-Target", "secretsmanager.ListSecrets")], body: Data("{}".utf8))
    for _ in 0..<400 {
      let signer = SigV4Signer(
        credentials: AWSCredentials(
          accessKeyId: "AKID", secretAccessKey: ["s1", "s2", "s3"].randomElement(using: &rng)!),
        region: ["us-east-1", "eu-west-1"].randomElement(using: &rng)!,
        service: ["secretsmanager", "sts"].randomElement(using: &rng)!)
      let date = Date(timeIntervalSince1970: 1_700_000_000 + Double(Int.random(in: 0...3, using: &rng)) * 86_400)
      let signed = signer.signed(request, at: date)
      var unsigned = signed
      unsigned.headers.removeAll { $0.name == "Authorization" }
      let toSign = signer.stringToSign(canonicalRequest: signer.canonicalRequest(unsigned).text, at: date)
      let key = signer.signingKey(dateStamp: String(signer.credentialScope(at: date).prefix(8)))
      let signature = signer.signature(signingKey: key, stringToSign: toSign)
      #expect(signed.header("Authorization")?.hasSuffix("Signature=\(signature)") == true)
    }
  }
}
