import Foundation

/// The Regions `--regions all` means: every Region of the partition the profile's own Region
/// is in, as botocore's endpoints data lists them for Secrets Manager (December 2026). Opt-in
/// Regions an account has not enabled are found when listed, and skipped.
public enum PartitionRegions {
  static let commercial = [
    "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
    "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
    "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
    "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
  ]
  static let china = ["cn-north-1", "cn-northwest-1"]
  static let govCloud = ["us-gov-east-1", "us-gov-west-1"]

  /// Every Region of `region`'s partition; just `region` for a partition not listed here.
  public static func all(besides region: String) -> [String] {
    for partition in [commercial, china, govCloud] where partition.contains(region) { return partition }
    if region.hasPrefix("cn-") { return china }
    if region.hasPrefix("us-gov-") { return govCloud }
    if EndpointResolver.dnsSuffix(region) == "amazonaws.com" { return commercial }
    return [region]
  }
}
