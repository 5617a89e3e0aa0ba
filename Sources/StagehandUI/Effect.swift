import StagingModel

/// Work the UI core asks the executable to do. Plain values, so tests can assert exactly
/// what a key press would set in motion.
public enum Effect: Equatable, Sendable {
  /// Page through every secret, posting `secretsPageLoaded` per page.
  case loadSecrets(requestID: Int)
  /// List every profile × Region pair of the estate (`UIConfig.pairs`), posting each pair's
  /// pages, end, failure or "not enabled" as `pairEvent` when it happens, then
  /// `estateListed`.
  case loadEstate(requestID: Int)
  /// Stop the page load in flight; results already posted are dropped by request id.
  case cancelLoading
  /// `secretId`: the name, or for a secret of several pairs its ARN (a name can be in more
  /// than one).
  case describe(secretId: String, includeDeprecated: Bool, requestID: Int)
  /// Stops a look-ahead describe the selection has moved away from.
  case cancelDescribe(requestID: Int)
  case reveal(secretId: String, versionId: VersionID, requestID: Int)
  /// Run the plan exactly as previewed (the executor re-reads first and reports a conflict).
  case execute(Plan, requestID: Int)
  /// Read the secret with its deprecated versions for a rotation's pre-flight and choose a
  /// fresh ClientRequestToken (with `editValue`, after the value is written in `$EDITOR`),
  /// posting `rotationPrepared`. `secretId` as for `describe`: the row's own pair.
  case prepareRotation(secretId: String, editValue: Bool, requestID: Int)
  /// RotateSecret with `request.token`, then follow the rotation until it finishes or nothing
  /// more happens for `timeoutSeconds`, posting each stage as it is seen.
  case rotate(secretId: String, request: RotationRequest, timeoutSeconds: Int, requestID: Int)
  /// PutSecretValue with VersionStages [AWSPENDING]; `value` is dropped once it is sent.
  case putPendingValue(secretId: String, token: VersionID, value: MaskedValue, requestID: Int)
  /// CancelRotateSecret.
  case cancelRotation(secretId: String, requestID: Int)
  /// Run every plan of the set as previewed (each re-read first, a conflict reported per
  /// secret), posting `changeSetSecretFinished` as each ends and `changeSetFinished` after.
  case executeChangeSet(ChangeSet, requestID: Int)
  /// Write `set` as a plan file at `path` (0600); nothing is sent. `command` says what the
  /// UI did; `origins` (by secret id) where secrets of several accounts or Regions were read.
  case writePlanFile(path: String, ChangeSet, command: String, origins: [String: SecretOrigin], requestID: Int)
  /// Read each replica Region of the primary `secretName` (with `origin`'s profile, in an
  /// estate) until its labelled versions are `expected` or `timeoutSeconds` pass, posting each
  /// Region's `replicaOutcome` as it is known.
  case waitForReplicas(
    secretName: String, origin: SecretOrigin?, regions: [String], expected: LabelMap, timeoutSeconds: Int,
    requestID: Int)
  case quit
  /// Give the terminal back and stop the process (ctrl+z); `fg` resumes with a redraw.
  case suspend
}
