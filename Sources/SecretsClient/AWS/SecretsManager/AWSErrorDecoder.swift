import Foundation

/// The one place an AWS JSON error response becomes a `SecretsError`.
/// https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html#operation-error-serialization
public enum AWSErrorDecoder {
  /// The error code comes from `__type` (any `namespace#` prefix removed) or else from the
  /// `x-amzn-errortype` header (anything after `:` removed); the message is AWS's own text,
  /// from `message` or `Message`, untouched: AccessDeniedException's names the missing
  /// permission.
  public static func decode(_ response: HTTPResponse) -> SecretsError {
    let body = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
    let requestId = response.headers["x-amzn-requestid"]
    var code = (body["__type"] as? String).map(stripNamespace)
    if code?.isEmpty ?? true, let header = response.headers["x-amzn-errortype"] {
      code = stripHeaderSuffix(header)
    }
    let message = (body["message"] as? String) ?? (body["Message"] as? String) ?? ""
    guard let code, !code.isEmpty else {
      let text = String(decoding: response.body.prefix(200), as: UTF8.self)
      return .malformedResponse(
        "HTTP \(response.status) without an AWS error type\(requestId.map { " (request id \($0))" } ?? ""): \(text)")
    }
    return .service(code: code, message: message, httpStatus: response.status, requestId: requestId)
  }

  /// `aws.protocoltests.restjson#FooError` -> `FooError`; older services use a URI-like
  /// prefix, so only the part after the last `#` counts.
  static func stripNamespace(_ value: String) -> String {
    guard let hash = value.lastIndex(of: "#") else { return value }
    return String(value[value.index(after: hash)...])
  }

  /// `FooError:http://internal.amazon.com/coral/...` -> `FooError`.
  static func stripHeaderSuffix(_ value: String) -> String {
    let name = value.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    return stripNamespace(String(name).trimmingCharacters(in: .whitespaces))
  }
}

extension SecretsError {
  /// An AWS refusal with Stagehand's advice after AWS's own words; any other error as it is.
  func addingAdvice(_ advice: String) -> SecretsError {
    guard case .service(let code, let message, let status, let requestId) = self else { return self }
    return .service(
      code: code, message: message.isEmpty ? advice : "\(message) \(advice)", httpStatus: status,
      requestId: requestId)
  }
}
