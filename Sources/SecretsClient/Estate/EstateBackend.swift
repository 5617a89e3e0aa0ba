import Foundation
import NIOConcurrencyHelpers
import StagingModel

/// One profile and Region of an estate, with its backend or the reason none could be made
/// (a profile that does not exist, no credentials).
public struct EstateMember: Sendable {
  public var origin: SecretOrigin
  public var backend: Result<any SecretsBackend, any Error>

  public init(origin: SecretOrigin, backend: Result<any SecretsBackend, any Error>) {
    self.origin = origin
    self.backend = backend
  }
}

/// What listing an estate reports, pair by pair, as it happens.
public enum EstateEvent: Sendable {
  /// A page of one pair's secrets, each with its `origin` set.
  case page(SecretOrigin, [Secret])
  /// The pair's listing is complete.
  case finished(SecretOrigin, count: Int)
  /// The Region is not enabled for the account (its token is refused there while the same
  /// profile works elsewhere): skipped, not an error.
  case notEnabled(SecretOrigin)
  /// The pair could not be listed.
  case failed(SecretOrigin, any Error)
}

/// Several profile × Region pairs read as one: listing runs the pairs concurrently, a few
/// at a time, and one pair's failure is that pair's alone. A secret is addressed by ARN (its
/// Region and account pick the pair) or by a name found in exactly one pair; the pair that
/// answered is remembered for the later calls of the same process.
///
/// A class: it keeps that memory behind a lock.
public final class EstateBackend: SecretsBackend {
  public let members: [EstateMember]
  public let isReadOnly: Bool
  /// Pairs listed at once.
  public let parallelism: Int
  private let resolved = NIOLockedValueBox<[String: Int]>([:])

  public init(members: [EstateMember], isReadOnly: Bool, parallelism: Int = 8) {
    self.members = members
    self.isReadOnly = isReadOnly
    self.parallelism = max(1, parallelism)
  }

  public var displayName: String {
    let profiles = Set(members.map(\.origin.profile))
    let regions = Set(members.map(\.origin.region))
    var parts: [String] = []
    if profiles.count > 1 { parts.append("\(profiles.count) profiles") }
    parts.append(regions.count == 1 ? regions.first! : "\(regions.count) Regions")
    return "AWS " + parts.joined(separator: " × ")
  }

  // MARK: - Listing

  /// Every pair's pages and end as they arrive: a pair that fails is reported when it fails,
  /// except a refused token, which is reported once every pair is done (it is only known to
  /// mean "Region not enabled" when the profile worked elsewhere).
  public func events(filters: [ListFilter]) -> AsyncStream<EstateEvent> {
    let members = self.members
    let parallelism = self.parallelism
    return AsyncStream { continuation in
      let task = Task {
        let outcomes = await withTaskGroup(of: (Int, (any Error)?).self) { group in
          var next = 0
          var outcomes: [Int: (any Error)?] = [:]
          func start() {
            guard next < members.count else { return }
            let index = next
            next += 1
            group.addTask { (index, await Self.list(members[index], filters: filters, into: continuation)) }
          }
          for _ in 0..<parallelism { start() }
          for await (index, failure) in group {
            outcomes[index] = failure
            if let failure, !Self.isRefusedToken(failure) {
              continuation.yield(.failed(members[index].origin, failure))
            }
            start()
          }
          return outcomes
        }
        let worked = Set(members.indices.filter { outcomes[$0] ?? nil == nil }.map { members[$0].origin.profile })
        for index in members.indices {
          guard let failure = outcomes[index] ?? nil, Self.isRefusedToken(failure) else { continue }
          let origin = members[index].origin
          if Self.isRefusedToken(failure) && worked.contains(origin.profile) {
            continuation.yield(.notEnabled(origin))
          } else {
            continuation.yield(.failed(origin, failure))
          }
        }
        continuation.finish()
      }
      continuation.onTermination = { _ in task.cancel() }
    }
  }

  /// Lists one pair into `continuation`; the failure, if any.
  private static func list(
    _ member: EstateMember, filters: [ListFilter], into continuation: AsyncStream<EstateEvent>.Continuation
  ) async -> (any Error)? {
    do {
      let backend = try member.backend.get()
      var count = 0
      for try await page in backend.listSecrets(filters: filters) {
        count += page.count
        continuation.yield(.page(member.origin, page.map { $0.located(member.origin) }))
      }
      continuation.yield(.finished(member.origin, count: count))
      return nil
    } catch {
      return error
    }
  }

  /// AWS's answer in a Region not enabled for the account: the token is not recognised there.
  static func isRefusedToken(_ error: any Error) -> Bool {
    guard let code = (error as? SecretsError)?.code else { return false }
    return ["UnrecognizedClientException", "InvalidClientTokenId"].contains(code)
  }

  /// The pages of every pair that worked; if any pair failed, the stream ends with an
  /// `EstateListingFailure` naming each.
  public func listSecrets(filters: [ListFilter]) -> AsyncThrowingStream<[Secret], any Error> {
    let events = self.events(filters: filters)
    return AsyncThrowingStream { continuation in
      let task = Task {
        var failures: [(SecretOrigin, any Error)] = []
        for await event in events {
          switch event {
          case .page(_, let page): continuation.yield(page)
          case .failed(let origin, let error): failures.append((origin, error))
          case .finished, .notEnabled: break
          }
        }
        if failures.isEmpty {
          continuation.finish()
        } else {
          // In the order the pairs were given, whichever failed first.
          continuation.finish(throwing: EstateListingFailure(failures: self.inMemberOrder(failures)))
        }
      }
      continuation.onTermination = { _ in task.cancel() }
    }
  }

  /// `failures` sorted by the position of their pair in `members`.
  public func inMemberOrder<T>(_ failures: [(SecretOrigin, T)]) -> [(SecretOrigin, T)] {
    let order = Dictionary(members.enumerated().map { ($1.origin, $0) }, uniquingKeysWith: { first, _ in first })
    return failures.enumerated().sorted {
      (order[$0.element.0] ?? Int.max, $0.offset) < (order[$1.element.0] ?? Int.max, $1.offset)
    }.map(\.element)
  }

  // MARK: - One secret

  public func describeSecret(_ secretId: String, includeDeprecated: Bool) async throws -> Secret {
    let (member, backend) = try await owner(of: secretId)
    return try await backend.describeSecret(secretId, includeDeprecated: includeDeprecated).located(member.origin)
  }

  public func updateSecretVersionStage(secretId: String, step: StageStep) async throws {
    try await owner(of: secretId).1.updateSecretVersionStage(secretId: secretId, step: step)
  }

  public func secretValue(secretId: String, versionId: VersionID) async throws -> SecretValue {
    try await owner(of: secretId).1.secretValue(secretId: secretId, versionId: versionId)
  }

  public func hasValue(secretId: String, versionId: VersionID) async throws -> Bool {
    try await owner(of: secretId).1.hasValue(secretId: secretId, versionId: versionId)
  }

  public func rotateSecret(secretId: String, request: RotationRequest) async throws {
    try await owner(of: secretId).1.rotateSecret(secretId: secretId, request: request)
  }

  public func putPendingValue(secretId: String, token: VersionID, value: SecretPayload) async throws {
    try await owner(of: secretId).1.putPendingValue(secretId: secretId, token: token, value: value)
  }

  public func cancelRotation(secretId: String) async throws {
    try await owner(of: secretId).1.cancelRotation(secretId: secretId)
  }

  /// The one pair holding `secretId`: an ARN's Region narrows the pairs asked; a name found
  /// in several pairs is ambiguous.
  func owner(of secretId: String) async throws -> (EstateMember, any SecretsBackend) {
    if let index = resolved.withLockedValue({ $0[secretId] }), case .success(let backend) = members[index].backend {
      return (members[index], backend)
    }
    let region = Self.region(ofARN: secretId)
    let candidates = members.indices.filter { region == nil || members[$0].origin.region == region }
    let answers = await withTaskGroup(of: (Int, Result<Secret, any Error>).self) { group in
      for index in candidates {
        group.addTask {
          do {
            let backend = try self.members[index].backend.get()
            return (index, .success(try await backend.describeSecret(secretId, includeDeprecated: false)))
          } catch {
            return (index, .failure(error))
          }
        }
      }
      var answers: [(Int, Result<Secret, any Error>)] = []
      for await answer in group { answers.append(answer) }
      return answers.sorted { $0.0 < $1.0 }
    }
    let found = answers.compactMap { index, result in (try? result.get()).map { (index, $0) } }
    if found.count > 1 {
      throw AmbiguousSecret(
        secretId: secretId,
        candidates: found.map { AmbiguousSecret.Candidate(origin: members[$0.0].origin, arn: $0.1.arn) })
    }
    if let (index, _) = found.first, case .success(let backend) = members[index].backend {
      resolved.withLockedValue { $0[secretId] = index }
      return (members[index], backend)
    }
    // Not found anywhere: "not found" if some pair said so, else the first pair's error.
    let errors = answers.compactMap { _, result -> (any Error)? in
      if case .failure(let error) = result { return error }
      return nil
    }
    throw errors.first { ($0 as? SecretsError)?.code == "ResourceNotFoundException" } ?? errors.first
      ?? SecretsError.service(
        code: "ResourceNotFoundException",
        message: "No profile and Region given holds the Region of \(secretId).")
  }

  /// The Region of `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>`.
  static func region(ofARN text: String) -> String? { SecretARN(text)?.region }
}

/// A name found in more than one profile or Region: the change needs one target.
public struct AmbiguousSecret: Error, Sendable, CustomStringConvertible {
  public struct Candidate: Sendable {
    public var origin: SecretOrigin
    public var arn: String?
  }

  public var secretId: String
  public var candidates: [Candidate]

  public var description: String {
    let lines = candidates.map { "  \($0.origin): \($0.arn ?? "(no ARN)")" }
    return "\"\(secretId)\" is in \(candidates.count) places:\n" + lines.joined(separator: "\n")
      + "\nName one by its ARN, or by --region and --profile."
  }
}

/// Some pairs of an estate could not be listed.
public struct EstateListingFailure: Error, Sendable, CustomStringConvertible {
  public var failures: [(SecretOrigin, any Error)]

  public var description: String {
    failures.map { "\($0.0): \(($0.1 as? SecretsError)?.userMessage ?? String(describing: $0.1))" }
      .joined(separator: "\n")
  }
}

extension Secret {
  func located(_ origin: SecretOrigin) -> Secret {
    var copy = self
    copy.origin = origin
    return copy
  }
}
