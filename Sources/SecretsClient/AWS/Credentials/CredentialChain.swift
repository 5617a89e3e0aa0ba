import Foundation

/// Asks each source in turn and returns the first credentials found, like botocore's
/// `CredentialResolver`. A source that is configured but fails stops the search (a broken
/// `credential_process` should not silently fall through to instance credentials); when no
/// source is configured the one error lists every source and why it had nothing.
public struct CredentialChain: CredentialProvider {
  public var providers: [any CredentialProvider]
  /// Sources left out on purpose, with the reason, so the final error still mentions them.
  public var skipped: [(source: String, reason: String)]

  public init(providers: [any CredentialProvider], skipped: [(source: String, reason: String)] = []) {
    self.providers = providers
    self.skipped = skipped
  }

  public var sourceName: String { "credential chain" }

  public func credentials() async throws -> AWSCredentials {
    switch try await search() {
    case .found(let credentials): return credentials
    case .none(let tried): throw SecretsError.configuration(Self.noCredentialsMessage(tried))
    }
  }

  enum Outcome {
    case found(AWSCredentials)
    case none([(source: String, reason: String)])
  }

  /// The first credentials, or every source's reason for having none.
  func search() async throws -> Outcome {
    var tried = skipped
    for provider in providers {
      do {
        return .found(try await provider.credentials())
      } catch let notConfigured as CredentialsNotConfigured {
        tried.append((provider.sourceName, notConfigured.reason))
      } catch let error as SecretsError {
        throw error
      } catch {
        throw SecretsError.configuration("Credentials from \(provider.sourceName) failed: \(error)")
      }
    }
    return .none(tried)
  }

  static func noCredentialsMessage(_ tried: [(source: String, reason: String)]) -> String {
    var lines = ["No AWS credentials found. Stagehand looked, in the aws CLI's order, at:"]
    for entry in tried {
      lines.append("  - \(entry.source): \(entry.reason)")
    }
    lines.append(
      "Set up credentials as for the aws CLI (aws configure, aws sso login, AWS_PROFILE), "
        + "or run stagehand --demo to try Stagehand without AWS.")
    return lines.joined(separator: "\n")
  }
}
