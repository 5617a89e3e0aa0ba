import Foundation
import FoundationNetworking
let sem = DispatchSemaphore(value: 0)
var req = URLRequest(url: URL(string: CommandLine.arguments[1])!); req.timeoutInterval = 5
req.httpMethod = "POST"
req.httpBody = Data(#"{"MaxResults":100}"#.utf8)
req.addValue("application/x-amz-json-1.1", forHTTPHeaderField: "Content-Type")
req.addValue("secretsmanager.ListSecrets", forHTTPHeaderField: "X-Amz-Target")
req.addValue("AWS4-HMAC-SHA256 Credential=testing/20261129/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=abc", forHTTPHeaderField: "Authorization")
let start = Date()
URLSession.shared.dataTask(with: req) { d, r, e in print((r as? HTTPURLResponse)?.statusCode as Any, e as Any, d?.count as Any, Date().timeIntervalSince(start)); sem.signal() }.resume()
sem.wait()
