import Foundation
import StagingModel

/// Secrets Manager through the JSON 1.1 client.
public struct AWSSecretsBackend: SecretsBackend {
  public let client: AWSJSONClient
  public let displayName: String
  /// The profile the credentials came from, when one was named.
  public let profile: String?
  /// ListSecrets chains run at once for an unfiltered listing of a large account
  /// (`PartitionedListing`); 1 lists with one chain of NextTokens. With a page taking
  /// 120 ms, 16 chains could send 133 requests a second: enough to keep the pace below busy.
  public var listConcurrency = 16
  /// ListSecrets requests a second across those chains. AWS's quota for ListSecrets is 100 a
  /// second per account and Region (raised from 50 in November 2022); 80 leaves a fifth of it
  /// to whatever else lists in the account, as `BulkExecutor` does for changes, and the
  /// client's adaptive limiter slows down if AWS throttles all the same. It bounds a large
  /// listing: 500,000 secrets are 5,000 pages, at least 62.5 s at 80 a second.
  public var listRequestsPerSecond = 80.0
  /// When the listing splits its chains (tests force deep splits on small accounts).
  var listTuning = PartitionedListing.Tuning()

  public var isReadOnly: Bool { client.isReadOnly }

  /// `profile` and `customEndpoint` only shape `displayName`: the client is already built
  /// from them.
  public init(client: AWSJSONClient, profile: String? = nil, customEndpoint: URL? = nil) {
    self.client = client
    self.profile = profile.flatMap { $0.isEmpty ? nil : $0 }
    self.displayName = Self.displayName(region: client.region, profile: profile, endpoint: customEndpoint)
  }

  /// The profile is left out when it is "default", the one used when none is named: a plan
  /// applied elsewhere then uses that machine's default credentials, as the aws CLI would.
  public var location: BackendLocation {
    BackendLocation(
      profile: profile == "default" ? nil : profile, region: client.region, endpoint: client.endpoint.absoluteString)
  }

  /// "AWS us-east-1 (profile prod) http://127.0.0.1:5000".
  public static func displayName(region: String, profile: String?, endpoint: URL?) -> String {
    var parts = ["AWS", region]
    if let profile, !profile.isEmpty { parts.append("(profile \(profile))") }
    if let endpoint {
      var text = endpoint.absoluteString
      while text.hasSuffix("/") { text.removeLast() }
      parts.append(text)
    }
    return parts.joined(separator: " ")
  }

  typealias Shapes = SecretsManagerShapes

  // MARK: - ListSecrets

  /// Pages of up to 100 until NextToken is absent (a short or empty page is not the end).
  ///
  /// Each page is scanned once: `ListSecretsPage.decode` both builds the secrets and, by
  /// checking every byte, serves as the client's completeness check, so a cut-off or
  /// damaged page is asked again (as a reset would be) and never half-decoded. Decoding one
  /// page still overlaps fetching the next: as soon as a body arrives, its NextToken is read
  /// from its last bytes (`ListSecretsPage.trailingNextToken`, which AWS's member order makes
  /// work) and the next request starts, then the page is decoded. The decoded token has the
  /// last word: should it differ (only a damaged body can make them differ), the early
  /// request is cancelled and the right one sent.
  public func listSecrets(filters: [ListFilter]) -> AsyncThrowingStream<[Secret], any Error> {
    guard filters.isEmpty, listConcurrency > 1 else { return serialListing(filters: filters) }
    return PartitionedListing(
      client: client, concurrency: listConcurrency, requestsPerSecond: listRequestsPerSecond, tuning: listTuning,
      serial: { serialListing(filters: []) }
    ).run()
  }

  /// One chain of pages, each request sent as soon as the previous page's NextToken is known.
  func serialListing(filters: [ListFilter]) -> AsyncThrowingStream<[Secret], any Error> {
    let client = self.client
    let apiFilters = filters.isEmpty ? nil : filters.map { Shapes.Filter(Key: $0.key, Values: $0.values) }
    @Sendable func fetch(_ token: String?) -> PageRequest {
      let (earlyToken, announce) = AsyncStream.makeStream(of: String.self)
      let page = Task {
        defer { announce.finish() }
        var decoded: Result<ListSecretsPage.Decoded, SecretsError>?
        _ = try await client.call(
          operation: "ListSecrets",
          input: Shapes.ListSecretsInput(MaxResults: 100, NextToken: token, Filters: apiFilters),
          acceptingRead: { body in
            if let token = ListSecretsPage.trailingNextToken(body) {
              announce.yield(token)
              announce.finish()
            }
            decoded = Result { () throws(SecretsError) in try ListSecretsPage.decode(body) }
            if case .failure = decoded {
              // Complete JSON of the wrong shape is an answer, reported as such; anything
              // else was damaged on the way, and the client asks again.
              return AWSJSONClient.isCompleteJSON(body)
            }
            return true
          })
        guard let decoded else { throw SecretsError.malformedResponse("ListSecrets: no page was decoded") }
        return try decoded.get()
      }
      return PageRequest(earlyToken: earlyToken, page: page)
    }
    return BoundedPages.stream { send in
      var pending: PageRequest? = fetch(nil)
      var next: (token: String, request: PageRequest)?
      do {
        while let current = pending {
          try Task.checkCancellation()
          if let token = await current.earlyToken.first(where: { _ in true }) {
            try Task.checkCancellation()
            next = (token, fetch(token))
          }
          let page = try await withTaskCancellationHandler {
            try await current.page.value
          } onCancel: {
            current.page.cancel()
          }
          if page.nextToken != next?.token {
            next?.request.page.cancel()
            next = nil
            try Task.checkCancellation()
            next = page.nextToken.map { ($0, fetch($0)) }
          }
          pending = next?.request
          next = nil
          // Waits while the reader is behind (the next page is on its way meanwhile).
          try await send(page.secrets)
        }
      } catch {
        pending?.page.cancel()
        next?.request.page.cancel()
        throw error
      }
    }
  }

  /// One ListSecrets request: the NextToken read from the end of its body as soon as it
  /// arrives (nothing when it cannot be read there), and the decoded page.
  private struct PageRequest: Sendable {
    var earlyToken: AsyncStream<String>
    var page: Task<ListSecretsPage.Decoded, any Error>
  }

  // MARK: - DescribeSecret + ListSecretVersionIds

  public func describeSecret(_ secretId: String, includeDeprecated: Bool) async throws -> Secret {
    async let described = client.call(
      "DescribeSecret", Shapes.SecretIdInput(SecretId: secretId), as: Shapes.SecretEntry.self)
    async let listed = versionEntries(secretId, includeDeprecated: includeDeprecated)
    let entry = try await described
    let versions = try await listed

    var secret = entry.secret(fallbackName: secretId)
    let describedLabels = entry.VersionIdsToStages ?? [:]
    var merged: [VersionID: SecretVersion] = [:]
    for version in versions {
      guard let id = version.VersionId else { continue }
      merged[id] = SecretVersion(
        versionId: id, labels: Set(version.VersionStages ?? []), createdDate: version.CreatedDate,
        lastAccessedDate: version.LastAccessedDate)
    }
    // A version labelled between the two reads is still shown, without dates.
    for (id, labels) in describedLabels where merged[id] == nil && !(labels ?? []).isEmpty {
      merged[id] = SecretVersion(versionId: id, labels: Set(labels ?? []))
    }
    secret.versions = merged.values.filter { includeDeprecated || !$0.isDeprecated }
    secret.versionsComplete = true
    secret.includesDeprecated = includeDeprecated
    secret.sortVersionsNewestFirst()
    return secret
  }

  private func versionEntries(_ secretId: String, includeDeprecated: Bool) async throws -> [Shapes.VersionEntry] {
    var entries: [Shapes.VersionEntry] = []
    var token: String?
    repeat {
      let page = try await client.call(
        "ListSecretVersionIds",
        Shapes.ListSecretVersionIdsInput(
          SecretId: secretId, MaxResults: 100, NextToken: token, IncludeDeprecated: includeDeprecated),
        as: Shapes.ListSecretVersionIdsOutput.self)
      entries += page.Versions ?? []
      token = (page.NextToken?.isEmpty ?? true) ? nil : page.NextToken
    } while token != nil
    return entries
  }

  // MARK: - UpdateSecretVersionStage

  public func updateSecretVersionStage(secretId: String, step: StageStep) async throws {
    _ = try await updateSecretVersionStageReportingOutcome(secretId: secretId, step: step)
  }

  /// One step. An ambiguous failure is settled by re-reading the labels (`StepRecovery`)
  /// rather than by resending blindly: a resent move could undo or double a change another
  /// writer made meanwhile.
  public func updateSecretVersionStageReportingOutcome(secretId: String, step: StageStep) async throws
    -> StageUpdateOutcome
  {
    let input = Shapes.UpdateSecretVersionStageInput(secretId: secretId, step: step)
    let firstFailure: AmbiguousWriteFailure
    do {
      _ = try await client.call(operation: "UpdateSecretVersionStage", input: input)
      return .applied
    } catch let failure as AmbiguousWriteFailure {
      firstFailure = failure
    }

    let settled = await StepRecovery.settle(
      step, reread: { try await currentLabels(secretId) }, labels: { $0 },
      resend: { _ = try await client.call(operation: "UpdateSecretVersionStage", input: input) })
    switch settled {
    case .inPlace:
      note(.appliedAfterAmbiguousFailure)
      return .appliedAfterAmbiguousFailure
    case .resent:
      note(.retriedAfterAmbiguousFailure)
      return .retriedAfterAmbiguousFailure
    case .unread(let error):
      throw SecretsError.transport(
        "UpdateSecretVersionStage \(step.versionStage) on \(secretId): outcome unknown after "
          + "\(firstFailure.underlying.userMessage); re-reading the secret failed too "
          + "(\(AWSJSONClient.describe(error))). Check with: aws secretsmanager list-secret-version-ids "
          + "--secret-id \(shellQuote(secretId))")
    case .resendFailed(let again as AmbiguousWriteFailure, let labels):
      throw unknownOutcome(secretId, step, again.underlying, labels, afterResend: true)
    case .resendFailed(let error, _):
      throw error
    case .notInPlace(let labels):
      throw unknownOutcome(secretId, step, firstFailure.underlying, labels)
    }
  }

  private func unknownOutcome(
    _ secretId: String, _ step: StageStep, _ cause: SecretsError, _ labels: [VersionID: Set<String>],
    afterResend: Bool = false
  ) -> SecretsError {
    let shown = labels.keys.sorted().map { id in
      "\(id): \(labels[id]!.isEmpty ? "(no labels)" : labels[id]!.sorted().joined(separator: ", "))"
    }
    if afterResend {
      return .transport(
        "UpdateSecretVersionStage \(step.versionStage) on \(secretId): the outcome is unknown. The call failed "
          + "ambiguously, the labels read back showed it not applied, and the one resend failed ambiguously "
          + "too (\(cause.userMessage)). Labels before the resend: \(shown.isEmpty ? "none" : shown.joined(separator: "; "))."
      )
    }
    return .transport(
      "UpdateSecretVersionStage \(step.versionStage) on \(secretId): the outcome is unknown. The call failed "
        + "ambiguously (\(cause.userMessage)) and the labels read back match neither the state before "
        + "nor after the step. Labels now: \(shown.isEmpty ? "none" : shown.joined(separator: "; ")).")
  }

  private func note(_ outcome: StageUpdateOutcome) {
    note("UpdateSecretVersionStage", outcome.note)
  }

  private func currentLabels(_ secretId: String) async throws -> [VersionID: Set<String>] {
    let entry = try await client.call(
      "DescribeSecret", Shapes.SecretIdInput(SecretId: secretId), as: Shapes.SecretEntry.self)
    var labels: [VersionID: Set<String>] = [:]
    for (id, stages) in entry.VersionIdsToStages ?? [:] { labels[id] = Set(stages ?? []) }
    return labels
  }

  // MARK: - GetSecretValue

  /// Always by explicit VersionId: without one AWS (and moto, stale) picks AWSCURRENT.
  public func secretValue(secretId: String, versionId: VersionID) async throws -> SecretValue {
    let output = try await client.call(
      "GetSecretValue", Shapes.GetSecretValueInput(SecretId: secretId, VersionId: versionId),
      as: Shapes.GetSecretValueOutput.self)
    return SecretValue(
      versionId: output.VersionId ?? versionId, string: output.SecretString, binary: output.SecretBinary)
  }

  /// The value is received and dropped: only whether there is one matters.
  public func hasValue(secretId: String, versionId: VersionID) async throws -> Bool {
    do {
      _ = try await client.call(
        operation: "GetSecretValue", input: Shapes.GetSecretValueInput(SecretId: secretId, VersionId: versionId))
      return true
    } catch let error as SecretsError where error.code == "ResourceNotFoundException" {
      return false
    }
  }

  // MARK: - Rotation

  public func rotateSecret(secretId: String, request: RotationRequest) async throws {
    let input = Shapes.RotateSecretInput(
      SecretId: secretId, ClientRequestToken: request.token, RotationLambdaARN: request.lambdaARN,
      RotationRules: request.scheduleDays.map { Shapes.RotationRulesShape(AutomaticallyAfterDays: $0) },
      RotateImmediately: request.rotateImmediately)
    // A resend after a lost answer may meet the first call's own rotation ("A previous
    // rotation isn't complete"): the token's version existing says the first was applied.
    try await sendIdempotent("RotateSecret", input) {
      try await describeSecret(secretId, includeDeprecated: true).version(request.token) != nil
    }
  }

  public func putPendingValue(secretId: String, token: VersionID, value: SecretPayload) async throws {
    var input = Shapes.PutSecretValueInput(
      SecretId: secretId, ClientRequestToken: token, VersionStages: [StandardLabel.pending])
    switch value.content {
    case .string(let text): input.SecretString = text
    case .binary(let data): input.SecretBinary = data
    }
    try await sendIdempotent("PutSecretValue", input)
  }

  public func cancelRotation(secretId: String) async throws {
    try await sendIdempotent("CancelRotateSecret", Shapes.SecretIdInput(SecretId: secretId))
  }

  /// Times a call whose token (or nature) makes a resend harmless is sent after an ambiguous
  /// failure: AWS applies the same ClientRequestToken once.
  static let idempotentResends = 2

  /// A call that is safe to send again as it is; its ambiguous failures are resent, and the
  /// last one is reported as an unknown outcome with the way to check it. A resend the
  /// service refuses counts as applied when `applied` (a read) shows the first call's effect.
  private func sendIdempotent(
    _ operation: String, _ input: some Encodable & Sendable, applied: (() async throws -> Bool)? = nil
  ) async throws {
    var failure: AmbiguousWriteFailure?
    for _ in 0...Self.idempotentResends {
      do {
        _ = try await client.call(operation: operation, input: input)
        if failure != nil { note(operation, "applied after an ambiguous failure; resent with the same token") }
        return
      } catch let ambiguous as AmbiguousWriteFailure {
        failure = ambiguous
      } catch let refused as SecretsError where failure != nil && refused.code != nil {
        guard let applied, (try? await applied()) == true else { throw refused }
        note(
          operation,
          "applied after an ambiguous failure; the resend was refused (\(refused.code!)) because the first took effect")
        return
      }
    }
    throw SecretsError.transport(
      "\(operation): the outcome is unknown: the call failed \(Self.idempotentResends + 1) times without an answer "
        + "(\(failure!.underlying.userMessage)). Sending it again is safe; it is applied once.")
  }

  private func note(_ operation: String, _ note: String?) {
    client.log?.record(
      RequestLogEntry(
        time: client.clock(), operation: operation, httpStatus: nil, latency: .zero, requestId: nil, attempt: 0,
        outcome: "resolved", note: note))
  }

  static func decode<T: Decodable>(_ type: T.Type, _ data: Data, _ operation: String) throws -> T {
    do {
      return try AWSJSONClient.decoder.decode(type, from: data.isEmpty ? Data("{}".utf8) : data)
    } catch {
      throw SecretsError.malformedResponse("\(operation): \(AWSJSONClient.describe(error))")
    }
  }
}
