import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads) struct INIFileTests {
  @Test func parsesSectionsKeysAndComments() throws {
    let file = try INIFile(
      parsing: """
        # a comment
        ; another comment
        [default]
        region = us-east-1
          
        [profile dev]
        Region=eu-west-1
        output : json
        credential_process = tool --name=x # kept: inline text belongs to the value
        """)
    #expect(file.sections.map(\.name) == ["default", "profile dev"])
    #expect(file.section("default")?["region"] == "us-east-1")
    let dev = try #require(file.section("profile dev"))
    #expect(dev["region"] == "eu-west-1")
    #expect(dev["REGION"] == "eu-west-1")
    #expect(dev["output"] == "json")
    #expect(dev["credential_process"] == "tool --name=x # kept: inline text belongs to the value")
  }

  @Test func nestedBlocksBecomeMaps() throws {
    let file = try INIFile(
      parsing: """
        [services local]
        secretsmanager =
          endpoint_url = http://127.0.0.1:5000
          other = value
        s3 =
            addressing_style = path
        """)
    let section = try #require(file.section("services local"))
    #expect(section.nested("secretsmanager") == ["endpoint_url": "http://127.0.0.1:5000", "other": "value"])
    #expect(section.nested("s3") == ["addressing_style": "path"])
    #expect(section["secretsmanager"] == nil)
  }

  @Test func continuationLinesJoinTheValue() throws {
    let file = try INIFile(
      parsing: """
        [x]
        key = first
          second
        next = 2
        """)
    #expect(file.section("x")?["key"] == "first\nsecond")
    #expect(file.section("x")?["next"] == "2")
  }

  @Test func sectionNamesKeepTheirCaseAndDefaultSectionIsInherited() throws {
    let file = try INIFile(
      parsing: """
        [DEFAULT]
        output = text
        [Prod]
        region = us-west-2
        [prod]
        output = json
        """)
    #expect(file.sections.map(\.name) == ["Prod", "prod"])
    #expect(file.section("Prod")?["output"] == "text")
    #expect(file.section("prod")?["output"] == "json")
  }

  @Test func valuesKeepEqualsSignsAndColonsAfterTheFirstSeparator() throws {
    let file = try INIFile(
      parsing: """
        [profile r]
        role_arn = arn:aws:iam::123456789012:role/Admin
        endpoint_url=http://localhost:4566/a=b
        """)
    #expect(file.section("profile r")?["role_arn"] == "arn:aws:iam::123456789012:role/Admin")
    #expect(file.section("profile r")?["endpoint_url"] == "http://localhost:4566/a=b")
  }

  @Test(arguments: [
    ("key = v\n[a]", 1),
    ("[a]\njust words", 2),
    ("[a]\nk = 1\nk = 2", 3),
    ("[a]\n[a]", 2),
    ("[a]\ns3 =\n  no equals here", 2),
    ("[a]\n = value", 2),
  ])
  func rejectsWhatPythonsConfigParserRejects(text: String, line: Int) {
    #expect(throws: INIFile.ParseError.self) { try INIFile(parsing: text) }
    do {
      _ = try INIFile(parsing: text)
    } catch {
      #expect(error.line == line)
    }
  }

  @Test func emptyTextHasNoSections() throws {
    #expect(try INIFile(parsing: "").sections.isEmpty)
    #expect(try INIFile(parsing: "\n# only a comment\n").sections.isEmpty)
  }
}
