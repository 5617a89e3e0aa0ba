import Foundation

/// Where a service's requests go, in the aws CLI's order: `--endpoint-url`, the
/// service-specific variable (`AWS_ENDPOINT_URL_SECRETS_MANAGER`), `AWS_ENDPOINT_URL`, the
/// profile's `services` section, the profile's `endpoint_url`, else the regional endpoint of the
/// region's partition. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (or the profile's
/// `ignore_configured_endpoint_urls`) turns off every source but `--endpoint-url`.
///
/// https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
public enum EndpointResolver {
  /// The names one service goes by in the endpoint settings.
  public struct Service: Sendable, Equatable {
    /// Suffix of `AWS_ENDPOINT_URL_<ID>`.
    public var environmentID: String
    /// Key inside a `[services name]` section.
    public var configKey: String
    /// The labels of the AWS host name before the region.
    public var hostPrefix: String
    /// Whether `<hostPrefix>-fips` exists.
    public var hasFIPS: Bool = true

    public static let secretsManager = Service(
      environmentID: "SECRETS_MANAGER", configKey: "secretsmanager", hostPrefix: "secretsmanager")
    public static let sts = Service(environmentID: "STS", configKey: "sts", hostPrefix: "sts")
    /// The IAM Identity Center portal that trades an `aws sso login` token for role credentials.
    public static let sso = Service(environmentID: "SSO", configKey: "sso", hostPrefix: "portal.sso", hasFIPS: false)
  }

  public static func resolve(
    service: Service, explicit: String?, region: String?, environment: AWSEnvironment, profile: INIFile.Section,
    configuration: SharedConfiguration
  ) throws(SecretsError) -> URL {
    // Callers check the region where they can name its setting; this catches any other way in.
    if let region { _ = try RegionResolver.validated(region, setting: "the region setting") }
    if let explicit, !explicit.isEmpty { return try ConfiguredURL.parse(explicit, setting: "--endpoint-url") }
    let ignoreConfigured =
      environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"].map { $0.lowercased() == "true" }
      ?? (profile["ignore_configured_endpoint_urls"]?.lowercased() == "true")
    if !ignoreConfigured {
      let variable = "AWS_ENDPOINT_URL_\(service.environmentID)"
      if let url = environment[variable] { return try ConfiguredURL.parse(url, setting: variable) }
      if let url = environment["AWS_ENDPOINT_URL"] { return try ConfiguredURL.parse(url, setting: "AWS_ENDPOINT_URL") }
      if let servicesName = profile["services"],
        let url = configuration.services[servicesName]?.nested(
          service.configKey)?["endpoint_url"]
      {
        return try ConfiguredURL.parse(url, setting: "[services \(servicesName)] \(service.configKey) endpoint_url")
      }
      if let url = profile["endpoint_url"] {
        return try ConfiguredURL.parse(url, setting: "endpoint_url in profile \(profile.name)")
      }
    }
    let fips =
      environment["AWS_USE_FIPS_ENDPOINT"].map { $0.lowercased() == "true" }
      ?? (profile["use_fips_endpoint"]?.lowercased() == "true")
    return defaultEndpoint(service: service, region: region, fips: fips)
  }

  /// `https://<service>[-fips].<region>.<partition suffix>`; with no region (STS only) the
  /// global endpoint.
  public static func defaultEndpoint(service: Service, region: String?, fips: Bool) -> URL {
    guard let region else { return URL(string: "https://\(service.hostPrefix).amazonaws.com")! }
    let prefix = fips && service.hasFIPS ? "\(service.hostPrefix)-fips" : service.hostPrefix
    return URL(string: "https://\(prefix).\(region).\(dnsSuffix(region))")!
  }

  /// The partition's DNS suffix, as botocore's endpoints ruleset derives it from the region.
  static func dnsSuffix(_ region: String) -> String {
    if region.hasPrefix("cn-") { return "amazonaws.com.cn" }
    if region.hasPrefix("us-isob-") { return "sc2s.sgov.gov" }
    if region.hasPrefix("us-isof-") { return "csp.hci.ic.gov" }
    if region.hasPrefix("us-iso-") { return "c2s.ic.gov" }
    if region.hasPrefix("eu-isoe-") { return "cloud.adc-e.uk" }
    return "amazonaws.com"
  }
}
