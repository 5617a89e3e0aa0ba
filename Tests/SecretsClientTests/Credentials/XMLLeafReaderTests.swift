import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// XMLLeafReader on its own (each construct, each kind of malformed input) and against the
/// XMLParser delegate it replaced, kept here as `XMLParserLeaves`: real STS answers (moto's
/// and AWS's documented AssumeRole, AssumeRoleWithWebIdentity and error responses),
/// thousands of generated documents and tens of thousands of mutated ones.
///
/// On every input XMLParser accepts (parse() true, no parserError, and the root element
/// closed: corelibs' XMLParser reports success on an empty input or one cut inside a start
/// tag), the reader accepts it too and finds the same leaves. Allowed to differ:
/// - the reader refuses what XMLParser accepts only for a DOCTYPE (no DTD, so no entities but
///   the five predefined ones) and for UTF-16 (by its byte order mark: the reader reads
///   UTF-8 only);
/// - the reader accepts some of what XMLParser refuses: it checks what the leaves depend on
///   (tags that nest, references, text, UTF-8), not every rule of XML and namespaces
///   (declared prefixes, unique attributes, the characters of names and comments);
/// - the reader refuses what XMLParser lets pass at the very end of the input: corelibs'
///   XMLParser never tells libxml2 the input has ended, so markup cut off after the root
///   element (`<a/><!-- c`) goes unreported.
/// XMLParser (which parses in libxml2's recover mode) is never given input that is not valid
/// UTF-8 (it can reach a name that is not, and force-unwraps it) or a processing instruction
/// without data (`<?pi?>`, a NULL it does not expect): both crash it. The reader reads such
/// input like any other and must refuse what is not UTF-8.
@Suite(.serialized, .ownThreads) struct XMLLeafReaderTests {
  // MARK: The reference

  /// The delegate STSClient used, as it was, plus what tells a complete parse.
  final class XMLParserLeaves: NSObject, XMLParserDelegate {
    var leaves: [String: String] = [:]
    private var text = ""
    private var depth = 0
    private(set) var rootClosed = false

    func parser(
      _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
      attributes: [String: String] = [:]
    ) {
      depth += 1
      text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
      text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
      let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
      if !value.isEmpty && leaves[elementName] == nil { leaves[elementName] = value }
      text = ""
      depth -= 1
      if depth == 0 { rootClosed = true }
    }

    /// The leaves, or nil when XMLParser does not accept the document.
    static func leaves(of data: Data) -> [String: String]? {
      let collector = XMLParserLeaves()
      let parser = XMLParser(data: data)
      parser.delegate = collector
      let parsed = parser.parse()
      return parsed && parser.parserError == nil && collector.rootClosed ? collector.leaves : nil
    }
  }

  static func ours(_ text: String) -> [String: String]? { try? XMLLeafReader.leaves(of: Data(text.utf8)) }

  // MARK: Real answers

  /// moto 5's answers, as its server sends them (credentials replaced by AWS's examples).
  static let motoAssumeRole =
    #"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey><SessionToken>FQoGZXIvYXdzEXAMPLE+Ir6hw2C2AW4asUcZn6aPnIJGGRSg7L/mUL61z4JpfeeUixHrexZiCtvb/LwSsdhmW59hUoBGjOAi7dVv/oYsDUgdTFVbuH5q7MV4VROfR30sB9EEItqWINn0elXR76RR5RIY4sKtgnnYWiqB2dqxpGNshWbUrhZoY4NKrvArscoI88s9CZd3ZEb8gdwLQGpQ+K+sVjJXABUQ8zUh0YsBzaRhSjKZTJlJDZxtNvMetEYw/VMRzMuWwllVd8FQ0DhfjVbsE37Kcqc=</SessionToken><Expiration>2026-11-29T14:58:50.651761Z</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA3X42LBCDNAQITJA9G:stagehand-session</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/demo/stagehand-session</Arn></AssumedRoleUser><PackedPolicySize>6</PackedPolicySize></AssumeRoleResult><ResponseMetadata><RequestId>7M5tO6HxJDi6YBKZc8BhPREZhPwbNjXnr6w8h7oWSpAF60gufbvM</RequestId></ResponseMetadata></AssumeRoleResponse>"#
  static let motoWebIdentity =
    #"<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey><SessionToken>FQoGZXIvYXdzEXAMPLE+EgtW1+Sah9QDQNEx1KItch5prrun0TOAVKyftE5QTqzbMaF9RdTFGy+Fp9FBYjYn8m12LwikEX4mUc1WkoBHkw1nPeIcqSFB82Rz5cUFaWXVAHjuxIF7xsBt0wzCq+SRTKvymeZ89td9kvj+4n7sD/CDNe+DHh66cyuZSnZm+t3nfkCP/DhU8IexC7x6sRRQbudPz5Y48uVzPMIk+Se1LzPRUtL7Hpe5z862JiEXvlVF+QlCU6ijWYonPmmz37+HZ0RrRclPqMN+CSwhzD3W0Aku9XyFO5IpRTNHiVsPJglhk6Wubkkq3b+LBA=</SessionToken><Expiration>2026-11-29T14:58:50.660695Z</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>ARO123EXAMPLE123:web-session</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/web/web-session</Arn></AssumedRoleUser><PackedPolicySize>6</PackedPolicySize></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>1zKx2riuky8TOuwv70E9a8MuvmQkKIp45jFPqAA15SOhJ1SmJCcd</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>"#
  static let motoError =
    #"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>1 validation error detected: Value 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or  equal to 64</Message></Error><RequestId>4cmNmDRHMT64vAQkF1MP9mpIUmyPQjDhLEJC4lq3ehEUSZIPMKbX</RequestId></ErrorResponse>"#
  /// moto's generic error (xmltodict, with a declaration).
  static let motoGenericError = """
    <?xml version="1.0" encoding="utf-8"?>
    <ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/x is not authorized to perform: sts:AssumeRole &amp; more</Message><Type>Sender</Type></Error></Errors></ErrorResponse>
    """

  /// AWS's documented examples (STS API reference), pretty-printed, the session token
  /// broken over lines.
  static let awsAssumeRole = """
    <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
    <AssumeRoleResult>
    <SourceIdentity>Alice</SourceIdentity>
        <AssumedRoleUser>
          <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
          <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
        </AssumedRoleUser>
        <Credentials>
          <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
          <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
          <SessionToken>
           AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW
           LWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGd
           QrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU
           9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz
           +scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==
          </SessionToken>
          <Expiration>2019-11-09T13:34:41Z</Expiration>
        </Credentials>
        <PackedPolicySize>6</PackedPolicySize>
      </AssumeRoleResult>
      <ResponseMetadata>
        <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
      </ResponseMetadata>
    </AssumeRoleResponse>
    """
  static let awsWebIdentity = """
    <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
      <AssumeRoleWithWebIdentityResult>
        <SubjectFromWebIdentityToken>amzn1.account.AF6RHO7KZU5XRVQJGXK6HB56KR2A</SubjectFromWebIdentityToken>
        <Audience>client.5498841531868486423.1548@apps.example.com</Audience>
        <AssumedRoleUser>
          <Arn>arn:aws:sts::123456789012:assumed-role/FederatedWebIdentityRole/app1</Arn>
          <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:app1</AssumedRoleId>
        </AssumedRoleUser>
        <Credentials>
          <SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE</SessionToken>
          <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
          <Expiration>2014-10-24T23:00:23Z</Expiration>
          <AccessKeyId>ASgeIAIOSFODNN7EXAMPLE</AccessKeyId>
        </Credentials>
        <SourceIdentity>SourceIdentityValue</SourceIdentity>
        <Provider>www.amazon.com</Provider>
      </AssumeRoleWithWebIdentityResult>
      <ResponseMetadata>
        <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
      </ResponseMetadata>
    </AssumeRoleWithWebIdentityResponse>
    """
  static let awsError = """
    <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
      <Error>
        <Type>Sender</Type>
        <Code>AccessDenied</Code>
        <Message>User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/demo</Message>
      </Error>
      <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
    </ErrorResponse>
    """

  static let realAnswers = [
    motoAssumeRole, motoWebIdentity, motoError, motoGenericError, awsAssumeRole, awsWebIdentity, awsError,
  ]

  @Test func realAnswersGiveTheirFieldsAsXMLParserDid() throws {
    for answer in Self.realAnswers {
      let leaves = try XMLLeafReader.leaves(of: Data(answer.utf8))
      #expect(leaves == XMLParserLeaves.leaves(of: Data(answer.utf8)))
    }
    let role = try XMLLeafReader.leaves(of: Data(Self.awsAssumeRole.utf8))
    #expect(role["AccessKeyId"] == "ASIAIOSFODNN7EXAMPLE")
    #expect(role["Expiration"] == "2019-11-09T13:34:41Z")
    #expect(role["SessionToken"]?.hasPrefix("AQoDYXdzEPT//////////wEXAMPLE") == true)
    #expect(role["SessionToken"]?.hasSuffix("ICCR/oLxBA==") == true)
    let web = try XMLLeafReader.leaves(of: Data(Self.motoWebIdentity.utf8))
    #expect(web["SecretAccessKey"] == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY")
    #expect(web["Expiration"] == "2026-11-29T14:58:50.660695Z")
    let error = try XMLLeafReader.leaves(of: Data(Self.motoGenericError.utf8))
    #expect(error["Code"] == "AccessDenied")
    #expect(error["Message"]?.hasSuffix("sts:AssumeRole & more") == true)
  }

  // MARK: Each construct

  @Test func textReferencesAndMarkupInside() {
    #expect(Self.ours("<a>&lt;&gt;&amp;&apos;&quot;&#65;&#x42;&#x1F511;&#0000067;</a>") == ["a": "<>&'\"AB🔑C"])
    #expect(Self.ours("<a>x<![CDATA[<not> & text]]>z</a>") == ["a": "xz"], "CDATA adds nothing, as before")
    #expect(Self.ours("<a>x<!-- c -->y<?pi data?>z</a>") == ["a": "xyz"])
    #expect(Self.ours("<a>x<b>y</b>z</a>") == ["a": "z", "b": "y"], "text since the last tag")
    #expect(Self.ours("<r><a>1</a><a>2</a></r>") == ["a": "1"], "the first wins")
    #expect(Self.ours("<r><a> \n</a><a>2</a></r>") == ["a": "2"], "empty text is no leaf")
    #expect(Self.ours("<r><a/>t</r>") == ["r": "t"])
    #expect(Self.ours("<a>x\r\ny\rz&#13;</a>") == ["a": "x\ny\nz"], "line ends normalized; &#13; trimmed at the end")
    #expect(Self.ours("<a>x&#13;y</a>") == ["a": "x\ry"])
    #expect(Self.ours("<a>\u{A0}\u{2028} x y\t</a>") == ["a": "x y"], "trimmed as whitespacesAndNewlines")
    #expect(Self.ours("<a>]] > x]</a>") == ["a": "]] > x]"])
    let nonCharacter = String(Unicode.Scalar(0xFDD0)!)  // allowed in XML 1.0
    #expect(Self.ours("<a>名前 🔑 \(nonCharacter)</a>") == ["a": "名前 🔑 \(nonCharacter)"])
  }

  @Test func declarationNamespacesAndAttributes() {
    #expect(
      Self.ours("\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\" ?>\n<a>v</a>\n") == ["a": "v"])
    #expect(Self.ours("<?xml version='1.0'?><!-- c --><?pi x?>\n<a>v</a><!-- d --> <?pi y?>") == ["a": "v"])
    #expect(
      Self.ours("<s:r xmlns:s=\"https://sts.amazonaws.com/doc/2011-06-15/\"><s:Code>C</s:Code><Code>D</Code></s:r>")
        == ["s:Code": "C", "Code": "D"], "names as written, prefix and all")
    #expect(Self.ours("<r xmlns:p=\"urn:x\"><a p:x=\"1\" xml:lang=\"en\"><p:b/>v</a></r>") == ["a": "v"])
    #expect(Self.ours("<a x = '1' y=\"&lt;&#x3E;\" z='\"' >v</a >") == ["a": "v"])
    #expect(Self.ours("<a\tx=\"1\"\n/>") == [:])
    #expect(
      Self.ours("<r><a xmlns:p=\"urn:x\"><p:b>1</p:b></a><c xmlns:p=\"urn:y\"><p:b>2</p:b></c></r>") == ["p:b": "1"])
  }

  @Test func deepNestingIsNoStackOverflow() throws {
    let depth = 100_000
    let deep = String(repeating: "<a>", count: depth) + "x" + String(repeating: "</a>", count: depth)
    #expect(try XMLLeafReader.leaves(of: Data(deep.utf8)) == ["a": "x"])
    let open = String(repeating: "<a>", count: depth)
    #expect(throws: XMLLeafReader.Malformed.self) { try XMLLeafReader.leaves(of: Data(open.utf8)) }
  }

  // MARK: Malformed input

  /// Each malformed input and the words its error must have.
  static let malformedText: [(String, String)] = [
    ("", "the document is empty"), (" \n", "no root element"), ("<a>", "<a> is not closed"),
    ("<a", "unterminated start tag"), ("<a>x</b>", "</b> does not close <a>"),
    ("<a></a><b/>", "a second root element"),
    ("<a/>x", "text after the root element"), ("x<a/>", "text before the root element"),
    ("<a>&foo;</a>", "unknown entity (no DTD"), ("<a>&#0;</a>", "U+0000"), ("<a>&#xD800;</a>", "U+D800"),
    ("<a>&#x110000;</a>", "past U+10FFFF"), ("<a>&#99999999999999999999;</a>", "past U+10FFFF"),
    ("<a>&#65</a>", "malformed character reference"), ("<a>&#x;</a>", "malformed character reference"),
    ("<a>&#X41;</a>", "malformed character reference"), ("<a>& b</a>", "& must start a reference"),
    ("<a>&amp</a>", "a reference must end with ;"), ("<a>\u{1}</a>", "control character U+0001"),
    ("<!DOCTYPE a><a/>", "DOCTYPE declarations are not supported"),
    ("<?xml version='1.0'?><!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>", "DOCTYPE declarations are not supported"),
    ("<a x=1/>", "attribute values must be quoted"),
    ("<a x='1'y='2'/>", "separated by white space"), ("<a x='<'/>", "< is not allowed in attribute values"),
    ("<a x='&bad;'/>", "unknown entity"), ("<a>]]></a>", "]]> is not allowed in text"),
    ("<1a/>", "expected a name"), ("< a/>", "expected a name"),
    ("<a></ a>", "expected a name"), ("<a><![CDATA[x</a>", "unterminated CDATA section"),
    ("<a><!-- x</a>", "unterminated comment"), ("<a><?pi x</a>", "unterminated processing instruction"),
    ("<a><!ELEMENT a ANY></a>", "markup declarations are not allowed"),
  ]

  static let malformed: [(input: [UInt8], words: String)] =
    malformedText.map { (Array($0.0.utf8), $0.1) } + [
      ([0x3C, 0x61, 0x3E, 0xFF, 0x3C, 0x2F, 0x61, 0x3E], "invalid UTF-8"),
      ([0x3C, 0x61, 0x3E, 0xC0, 0xAF, 0x3C, 0x2F, 0x61, 0x3E], "invalid UTF-8"),
      ([0x3C, 0x61, 0x3E, 0xED, 0xA0, 0x80, 0x3C, 0x2F, 0x61, 0x3E], "invalid UTF-8"),
      ([0x3C, 0x61, 0x3E, 0xE2, 0x80], "invalid UTF-8"), ([0x3C, 0x61, 0x3E, 0x00, 0x3C, 0x2F, 0x61, 0x3E], "U+0000"),
      ([0xFF, 0xFE, 0x3C, 0x00, 0x61, 0x00, 0x2F, 0x00, 0x3E, 0x00], "invalid UTF-8"),
    ]

  /// Refused by XMLParser as well, but for the differences the suite's note allows.
  static let acceptedByXMLParser = [
    "<!DOCTYPE a><a/>", "<?xml version='1.0'?><!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>",
  ]

  @Test func malformedInputIsAnErrorThatSaysWhy() {
    for (input, words) in Self.malformed {
      let shown = String(decoding: input, as: UTF8.self).debugDescription
      do {
        let leaves = try XMLLeafReader.leaves(of: Data(input))
        Issue.record("accepted \(shown): \(leaves)")
      } catch {
        #expect(error.description.contains(words), "\(shown): \(error)")
      }
      let utf16 = input.starts(with: [0xFF, 0xFE])
      if !utf16 && !Self.acceptedByXMLParser.contains(String(decoding: input, as: UTF8.self)) {
        #expect(XMLParserLeaves.leaves(of: Data(input)) == nil, "XMLParser refuses \(shown) too")
      }
    }
  }

  @Test func errorsSayWhereAndNeverQuoteText() throws {
    let input = "<r>\n  <SecretAccessKey>s3cr3t-value\n  </SecretAccessKeyX>\n</r>"
    let error = try #require(throws: XMLLeafReader.Malformed.self) { try XMLLeafReader.leaves(of: Data(input.utf8)) }
    #expect(
      error
        == XMLLeafReader.Malformed(
          line: 3, column: 3, offset: 38, problem: "</SecretAccessKeyX> does not close <SecretAccessKey>"))
    // Broken inside the secret, or anywhere after it.
    let inside = [
      "s3cr3t&value", "s3cr3t&value;", "s3cr3t&#value;", "s3cr3t]]>value", "s3cr3t\u{1}value", "s3cr3t<value",
    ]
    for secret in inside {
      #expect(throws: XMLLeafReader.Malformed.self) {
        try XMLLeafReader.leaves(of: Data("<r><SecretAccessKey>\(secret)</SecretAccessKey></r>".utf8))
      }
      do {
        _ = try XMLLeafReader.leaves(of: Data("<r><SecretAccessKey>\(secret)</SecretAccessKey></r>".utf8))
      } catch {
        #expect(!error.description.contains("s3cr3t") && !error.description.contains("value"), "\(error)")
      }
    }
    for (input, _) in Self.malformed {
      let text = String(decoding: input, as: UTF8.self)
      let wrapped = "<r><SecretAccessKey>s3cr3t-value</SecretAccessKey>" + text
      do {
        _ = try XMLLeafReader.leaves(of: Data(wrapped.utf8))
      } catch {
        #expect(!error.description.contains("s3cr3t"))
      }
    }
  }

  // MARK: Differential

  /// What the reader may refuse where XMLParser accepts (see the suite's note).
  static func allowedToRefuseWhatXMLParserAccepts(_ text: String, _ error: XMLLeafReader.Malformed) -> Bool {
    error.offset >= text.utf8.count - 4 || text.contains("<!DOCTYPE") || text.utf8.starts(with: [0xFF, 0xFE])
      || text.utf8.starts(with: [0xFE, 0xFF])
  }

  /// Input that is not UTF-8, and `<?target?>`, crash XMLParser.
  static func crashesXMLParser(_ bytes: [UInt8]) -> Bool {
    guard let text = String(validating: bytes, as: UTF8.self) else { return true }
    return text.range(of: #"<\?[^\s?>]*\?>"#, options: .regularExpression) != nil
  }

  enum Outcome: Hashable { case bothAccept, bothRefuse, onlyOursAccepts, onlyXMLParserAccepts }

  /// Compares the two on `bytes`; records an issue where they differ beyond what is allowed.
  static func compare(_ bytes: [UInt8]) -> Outcome {
    let data = Data(bytes)
    let ours = try? XMLLeafReader.leaves(of: data)
    let theirs = XMLParserLeaves.leaves(of: data)
    let text = String(decoding: bytes, as: UTF8.self)
    switch (ours, theirs) {
    case (let ours?, let theirs?):
      #expect(ours == theirs, "\(text.debugDescription)")
      return .bothAccept
    case (nil, nil):
      return .bothRefuse
    case (_?, nil):
      return .onlyOursAccepts
    case (nil, _?):
      do {
        _ = try XMLLeafReader.leaves(of: data)
      } catch {
        #expect(
          allowedToRefuseWhatXMLParserAccepts(text, error), "only XMLParser accepts \(text.debugDescription): \(error)")
      }
      return .onlyXMLParserAccepts
    }
  }

  @Test func generatedDocumentsReadAsXMLParserReadThem() {
    var rng = SplitMix64(seed: 41)
    var outcomes: [Outcome: Int] = [:]
    var leafCount = 0
    for _ in 0..<4_000 {
      let document = XMLDocumentGenerator.document(&rng)
      outcomes[Self.compare(Array(document.utf8)), default: 0] += 1
      leafCount += Self.ours(document)?.count ?? 0
    }
    // Generated documents are well-formed: both accept all of them.
    #expect(outcomes == [.bothAccept: 4_000])
    #expect(leafCount > 2_500)
  }

  @Test func mutatedDocumentsNeverCrashAndAgreeWhereXMLParserAccepts() {
    var rng = SplitMix64(seed: 42)
    var seeds = Self.realAnswers.map { Array($0.utf8) }
    for _ in 0..<200 {
      seeds.append(Array(XMLDocumentGenerator.document(&rng).utf8))
    }
    let tokens = [
      "<", ">", "&", "&amp;", "&#0;", "&#x41;", "]]>", "<!--", "-->", "<![CDATA[", "<?pi x?>", "</a>", "<a>", "<a/>",
      "\"", "'", "=", ":", " xmlns:p=\"urn:x\"", " x='1'", "p:", "\u{0}", "\u{FFFE}", "\r", "\r\n", "<!DOCTYPE a>",
      "<?xml version=\"1.0\"?>", "\u{FEFF}", "é", "🔑", " ", "\t", "--", "?>",
    ].map { Array($0.utf8) }
    var outcomes: [Outcome: Int] = [:]
    var skipped = 0
    for _ in 0..<25_000 {
      var bytes = seeds.randomElement(using: &rng)!
      for _ in 0..<Int.random(in: 1...3, using: &rng) {
        Self.mutate(&bytes, tokens: tokens, rng: &rng)
      }
      if Self.crashesXMLParser(bytes) {
        // Ours reads it without crashing, and refuses what is not UTF-8.
        let leaves = try? XMLLeafReader.leaves(of: Data(bytes))
        if String(validating: bytes, as: UTF8.self) == nil { #expect(leaves == nil) }
        skipped += 1
        continue
      }
      outcomes[Self.compare(bytes), default: 0] += 1
    }
    // Mutations leave plenty of documents both accept and plenty both refuse.
    print("XMLLeafReaderTests: mutated documents \(outcomes), \(skipped) read by ours alone")
    #expect(outcomes[.bothAccept, default: 0] > 1_000)
    #expect(outcomes[.bothRefuse, default: 0] > 10_000)
  }

  static func mutate(_ bytes: inout [UInt8], tokens: [[UInt8]], rng: inout SplitMix64) {
    let at = Int.random(in: 0...bytes.count, using: &rng)
    let length = Int.random(in: 0...min(12, bytes.count - at), using: &rng)
    switch Int.random(in: 0..<6, using: &rng) {
    case 0: bytes.removeSubrange(at..<(at + length))
    case 1: bytes.insert(contentsOf: tokens.randomElement(using: &rng)!, at: at)
    case 2: bytes.insert(contentsOf: bytes[at..<(at + length)], at: Int.random(in: 0...bytes.count, using: &rng))
    case 3: if at < bytes.count { bytes[at] = UInt8.random(in: 0...255, using: &rng) }
    case 4: bytes.removeSubrange(at...)
    default: bytes.replaceSubrange(at..<(at + length), with: tokens.randomElement(using: &rng)!)
    }
  }
}

/// Random well-formed documents with every construct the reader knows: a declaration and
/// byte order mark, comments, processing instructions and white space around the root,
/// prefixed and default namespaces, attributes in both quotes with references, empty
/// elements, mixed content, references, CDATA, line ends of every kind, wide and astral
/// characters, and repeated names (the first leaf wins).
struct XMLDocumentGenerator {
  var rng: SplitMix64
  var out = ""

  static let names = ["AccessKeyId", "SecretAccessKey", "Code", "Message", "a", "b", "Ünïcode", "名前", "x.y-z_1"]
  static let texts = [
    "ASIA", "wJalr/XUtn+FEMI==", " ", "  ", "\n", "\r\n", "\r", "\t", "é", "名前", "🔑", String(Unicode.Scalar(0xFDD0)!),
    "\u{85}", "\u{A0}",
    "\u{2028}", "x y", ">", "]]", "]", "&amp;", "&lt;", "&gt;", "&apos;", "&quot;", "&#65;", "&#x1F511;", "&#13;",
    "&#x9;",
    "&#xA0;", "&#10;", "<![CDATA[cdata <b> & ]] text]]>", "<!-- comment -->", "<?pi some data?>", "\"", "'",
  ]

  init(rng: SplitMix64) { self.rng = rng }

  mutating func pick<T>(_ items: [T]) -> T { items.randomElement(using: &rng)! }
  mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }

  mutating func misc() {
    for _ in 0..<Int.random(in: 0...2, using: &rng) {
      out += pick(["\n", "  ", "<!-- note -->", "<?pi data?>", "<?xml-stylesheet href='x'?>", "\r\n"])
    }
  }

  static func document(_ rng: inout SplitMix64) -> String {
    var generator = XMLDocumentGenerator(rng: rng)
    generator.document()
    rng = generator.rng
    return generator.out
  }

  mutating func document() {
    if chance(10) { out += "\u{FEFF}" }
    if chance(40) {
      out += pick([
        "<?xml version=\"1.0\"?>", "<?xml version='1.0' encoding='UTF-8'?>",
        "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"no\" ?>",
      ])
    }
    misc()
    element(depth: 0, prefixes: [])
    misc()
  }

  mutating func element(depth: Int, prefixes: [String]) {
    var prefixes = prefixes
    var attributes = ""
    if chance(25) {
      // One namespace a prefix, so no two attributes can share a namespace and local name.
      let (prefix, uri) = pick([
        ("p", "urn:x"), ("sts", "https://sts.amazonaws.com/doc/2011-06-15/"), ("n", "http://a.example/n"),
      ])
      attributes += " xmlns:\(prefix)=\"\(uri)\""
      prefixes.append(prefix)
    }
    if chance(15) { attributes += " xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"" }
    var used: Set<String> = []
    for _ in 0..<Int.random(in: 0...2, using: &rng) {
      var name = pick(["id", "type", "xml:lang", "n"])
      if !prefixes.isEmpty && chance(30) {
        name = pick(prefixes) + ":" + name.replacingOccurrences(of: "xml:", with: "")
      }
      guard used.insert(name).inserted else { continue }
      let quote = pick(["\"", "'"])
      let value = pick(["1", "a &amp; b", "&lt;x&gt;", "&#x41;", quote == "\"" ? "it's" : "say \"hi\"", "", "é 名"])
      attributes += "\(pick([" ", "\n", "\t"]))\(name)\(pick(["=", " = "]))\(quote)\(value)\(quote)"
    }
    var name = pick(Self.names)
    if !prefixes.isEmpty && chance(30) { name = pick(prefixes) + ":" + name }
    if chance(15) {
      out += "<\(name)\(attributes)\(pick(["", " "]))/>"
      return
    }
    out += "<\(name)\(attributes)\(pick(["", " ", "\n"]))>"
    for _ in 0..<Int.random(in: 0...(depth < 5 ? 4 : 1), using: &rng) {
      if depth < 6 && chance(35) {
        element(depth: depth + 1, prefixes: prefixes)
      } else {
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
          let piece = pick(Self.texts)
          // `]]>` is not allowed in text.
          out += piece.hasPrefix(">") && out.hasSuffix("]]") ? "&gt;" : piece
        }
      }
    }
    out += "</\(name)\(pick(["", " ", "\n"]))>"
  }
}
