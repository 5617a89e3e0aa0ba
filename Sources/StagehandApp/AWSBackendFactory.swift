import Foundation
import SecretsClient
import StagingModel

/// Resolves credentials, region and endpoint the aws CLI's way and builds the AWS backend.
/// Credentials are fetched on the first request, so listing starts without a round trip.
enum AWSBackendFactory {
  static func make(_ options: GlobalSettings, environment aws: AWSEnvironment) async throws -> any SecretsBackend {
    if options.regions != nil || options.profiles != nil { return try estate(options, environment: aws) }
    return try single(options, environment: aws, log: try log(options))
  }

  /// Every profile × Region pair that `--profiles` and `--regions` name, each with its own
  /// backend; a pair whose backend can't be made (a profile that does not exist) is listed as
  /// failed, beside the rest.
  static func estate(_ options: GlobalSettings, environment aws: AWSEnvironment) throws -> EstateBackend {
    let profiles: [String?] = try options.profiles.map { try list($0, "--profiles") } ?? [options.profile]
    let regionList = try options.regions.map { try list($0, "--regions") }.map { listed in
      listed == ["all"] ? listed : try listed.map { try RegionResolver.validated($0, setting: "--regions") }
    }
    if options.region != nil && regionList != nil {
      throw CLIError.refusal("--region and --regions both name Regions: pass one of them.")
    }
    if options.profile != nil && options.profiles != nil {
      throw CLIError.refusal("--profile and --profiles both name profiles: pass one of them.")
    }
    let files = try SharedConfiguration.load(from: aws)
    let log = try log(options)
    var members: [EstateMember] = []
    var seen = Set<SecretOrigin>()
    for profile in profiles {
      let regions: [String]
      do {
        regions = try self.regions(regionList, profile: profile, options: options, environment: aws, files: files)
      } catch {
        members.append(EstateMember(origin: SecretOrigin(profile: profile, region: "?"), backend: .failure(error)))
        continue
      }
      for region in regions {
        let origin = SecretOrigin(profile: profile, region: region)
        guard seen.insert(origin).inserted else { continue }
        var pair = options
        pair.profile = profile
        pair.region = region
        pair.regions = nil
        pair.profiles = nil
        members.append(
          EstateMember(origin: origin, backend: Result { try single(pair, environment: aws, log: log) }))
      }
    }
    return EstateBackend(members: members, isReadOnly: options.readOnly)
  }

  /// The Regions for one profile: those listed (each validated), every Region of the
  /// profile's partition for "all", or the profile's own.
  private static func regions(
    _ listed: [String]?, profile: String?, options: GlobalSettings, environment aws: AWSEnvironment,
    files: SharedConfiguration
  ) throws -> [String] {
    if let listed, listed != ["all"] { return listed }
    let name = SharedConfiguration.selectedProfileName(explicit: profile, environment: aws)
    let own = try RegionResolver.resolve(
      explicit: options.region, environment: aws, profile: try files.profile(named: name), profileName: name)
    return listed == ["all"] ? PartitionRegions.all(besides: own) : [own]
  }

  /// A comma-separated list, without empty entries.
  private static func list(_ text: String, _ option: String) throws -> [String] {
    let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard !items.isEmpty else { throw CLIError.refusal("\(option) needs at least one name, comma-separated.") }
    return items
  }

  private static func log(_ options: GlobalSettings) throws -> (any RequestLog)? {
    try options.logFile.map { try FileRequestLog(path: BackendFactory.absolute($0)) }
  }

  /// One profile in one Region.
  static func single(_ options: GlobalSettings, environment aws: AWSEnvironment, log: (any RequestLog)?) throws
    -> any SecretsBackend
  {
    // The shared files are read once, for the CA bundle the transport needs and for the rest.
    let files = try SharedConfiguration.load(from: aws)
    let caBundle = try AWSConfiguration.caBundle(profile: options.profile, environment: aws, files: files)
    let transport = AsyncHTTPTransport(proxy: try ProxySettings(environment: aws), caBundle: caBundle)
    // botocore never sends the container-credentials request (it carries a token) through a proxy.
    let direct = AsyncHTTPTransport(caBundle: caBundle)
    let configuration = try AWSConfiguration.resolve(
      profile: options.profile, region: options.region, endpointURL: options.endpointURL, environment: aws,
      transport: transport, directTransport: direct, files: files, log: log)
    let client = AWSJSONClient(
      endpoint: configuration.endpoint, region: configuration.region, credentials: configuration.credentials,
      transport: transport,
      retryPolicy: RetryPolicy(maxAttempts: configuration.maxAttempts ?? RetryPolicy.defaultMaxAttempts), log: log,
      isReadOnly: options.readOnly, rateLimiter: AdaptiveRateLimiter())
    return AWSSecretsBackend(
      client: client, profile: configuration.profileName, customEndpoint: configuration.customEndpoint)
  }
}
