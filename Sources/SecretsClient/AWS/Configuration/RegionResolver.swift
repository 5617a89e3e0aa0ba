import Foundation
import StagingModel

/// The region, in the aws CLI's order: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, the
/// profile's `region`.
public enum RegionResolver {
  public static func resolve(
    explicit: String?, environment: AWSEnvironment, profile: INIFile.Section, profileName: String
  ) throws(SecretsError) -> String {
    let candidates: [(setting: String, value: String?)] = [
      ("--region", explicit), ("AWS_REGION", environment["AWS_REGION"]),
      ("AWS_DEFAULT_REGION", environment["AWS_DEFAULT_REGION"]),
      ("region in profile \(profileName)", profile["region"]),
    ]
    let found = candidates.lazy.compactMap { candidate in
      candidate.value.map { (candidate.setting, $0.trimmingCharacters(in: .whitespaces)) }
    }.first { !$0.1.isEmpty }
    guard let (setting, region) = found else {
      throw .configuration(
        """
        No AWS region is configured. Set one of: --region, AWS_REGION, AWS_DEFAULT_REGION, \
        or region in profile \(profileName) (aws configure set region us-east-1 --profile \(profileName)).
        """)
    }
    return try validated(region, setting: setting)
  }

  /// `region` if it is a valid region name, else an error naming `setting`. Every region goes
  /// through here before it is used, because it becomes part of a host name: `x@host:443#`
  /// would send the request, credentials and all, to `host`.
  public static func validated(_ region: String, setting: String) throws(SecretsError) -> String {
    guard isValid(region) else {
      throw .configuration(
        "The region \"\(DisplayText.sanitized(region))\" from \(setting) is not a valid AWS region name: a region "
          + "is one DNS label of letters, digits and hyphens, for example us-east-1. Fix \(setting).")
    }
    return region
  }

  /// botocore's check: a region becomes part of a host name, so it must be one DNS label.
  static func isValid(_ region: String) -> Bool {
    let characters = Array(region.utf8)
    guard (1...63).contains(characters.count) else { return false }
    func alphanumeric(_ c: UInt8) -> Bool {
      (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
    }
    return alphanumeric(characters.first!) && alphanumeric(characters.last!)
      && characters.allSatisfy { alphanumeric($0) || $0 == 45 }
  }
}
