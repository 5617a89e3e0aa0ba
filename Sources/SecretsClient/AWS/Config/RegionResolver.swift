import Foundation

/// The region, in the aws CLI's order: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, the
/// profile's `region`.
public enum RegionResolver {
  public static func resolve(
    explicit: String?, environment: AWSEnvironment, profile: INIFile.Section, profileName: String
  ) throws(SecretsError) -> String {
    let candidates: [String?] = [
      explicit, environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"], profile["region"],
    ]
    guard let region = candidates.compactMap({ $0?.trimmingCharacters(in: .whitespaces) }).first(where: { !$0.isEmpty })
    else {
      throw .configuration(
        """
        No AWS region is configured. Set one of: --region, AWS_REGION, AWS_DEFAULT_REGION, \
        or region in profile \(profileName) (aws configure set region us-east-1 --profile \(profileName)).
        """)
    }
    guard isValid(region) else {
      throw .configuration("\"\(region)\" is not a valid AWS region name (for example us-east-1).")
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
