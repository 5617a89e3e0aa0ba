import Foundation

/// The INI dialect of `~/.aws/config` and `~/.aws/credentials`, parsed the way botocore's
/// `configloader.raw_config_parse` does (Python's `RawConfigParser`, then one level of nesting),
/// so a file the aws CLI accepts means the same thing here and a file it rejects is rejected.
///
/// - Whole-line comments start with `#` or `;`; text after a value is part of the value.
/// - `=` or `:` separates a key from its value; keys are case-insensitive (lower-cased),
///   section names are case-sensitive.
/// - A line indented deeper than its key continues the value; a value that starts on the next
///   line (`s3 =` then indented `key = v` lines) is a nested map.
/// - A repeated section or a repeated key in one section is an error, as with `strict=True`.
/// - `[DEFAULT]` supplies values every other section inherits.
public struct INIFile: Sendable, Equatable {
  public enum Value: Sendable, Equatable {
    case text(String)
    case nested([String: String])
  }

  public struct Section: Sendable, Equatable {
    public var name: String
    public var entries: [String: Value]

    public init(name: String, entries: [String: Value] = [:]) {
      self.name = name
      self.entries = entries
    }

    /// A plain value; nil for a missing key or a nested one.
    public subscript(_ key: String) -> String? {
      if case .text(let text)? = entries[key.lowercased()] { return text }
      return nil
    }

    /// A nested map such as `s3 =` followed by indented `key = value` lines.
    public func nested(_ key: String) -> [String: String]? {
      if case .nested(let map)? = entries[key.lowercased()] { return map }
      return nil
    }

    /// Plain values only, as providers read them.
    public var textValues: [String: String] {
      entries.compactMapValues { if case .text(let text) = $0 { return text } else { return nil } }
    }
  }

  public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var problem: String

    public var description: String { "line \(line): \(problem)" }
  }

  /// Sections in file order, `[DEFAULT]` excluded (its values are merged into the others).
  public var sections: [Section]

  public init(sections: [Section]) {
    self.sections = sections
  }

  public func section(_ name: String) -> Section? {
    sections.first { $0.name == name }
  }

  public init(parsing text: String) throws(ParseError) {
    var parser = Parser()
    for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
      try parser.consume(String(line), number: index + 1)
    }
    sections = try parser.finish()
  }

  private struct PendingOption {
    var key: String
    var lines: [String]
    var indent: Int
    var line: Int
  }

  private struct PendingSection {
    var name: String
    var options: [PendingOption] = []
  }

  private struct Parser {
    var sections: [PendingSection] = []
    var defaults: PendingSection?
    var inDefaults = false
    var current: PendingSection?

    mutating func consume(_ rawLine: String, number: Int) throws(ParseError) {
      let stripped = rawLine.trimmingCharacters(in: .whitespaces)
      if stripped.hasPrefix("#") || stripped.hasPrefix(";") { return }
      if stripped.isEmpty {
        // Blank lines inside a multi-line value belong to it until the value ends.
        if current?.options.isEmpty == false { current!.options[current!.options.count - 1].lines.append("") }
        return
      }
      let indent = rawLine.prefix { $0 == " " || $0 == "\t" }.count
      if var section = current, var option = section.options.last, indent > option.indent {
        option.lines.append(stripped)
        section.options[section.options.count - 1] = option
        current = section
        return
      }
      if stripped.hasPrefix("["), let close = stripped.lastIndex(of: "]"),
        stripped.index(after: stripped.startIndex) < close
      {
        closeSection()
        let name = String(stripped[stripped.index(after: stripped.startIndex)..<close])
        if name == "DEFAULT" {
          inDefaults = true
          current = defaults ?? PendingSection(name: name)
          return
        }
        if sections.contains(where: { $0.name == name }) {
          throw ParseError(line: number, problem: "section [\(name)] appears more than once")
        }
        current = PendingSection(name: name)
        return
      }
      guard var section = current else {
        throw ParseError(line: number, problem: "a value before any [section] header")
      }
      guard let separator = stripped.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
        throw ParseError(line: number, problem: "expected key = value")
      }
      let key = stripped[..<separator].trimmingCharacters(in: .whitespaces).lowercased()
      let value = stripped[stripped.index(after: separator)...].trimmingCharacters(in: .whitespaces)
      if key.isEmpty { throw ParseError(line: number, problem: "a value without a key") }
      if section.options.contains(where: { $0.key == key }) {
        throw ParseError(line: number, problem: "key \"\(key)\" appears more than once in [\(section.name)]")
      }
      section.options.append(PendingOption(key: key, lines: [value], indent: indent, line: number))
      current = section
    }

    mutating func closeSection() {
      guard let section = current else { return }
      if inDefaults { defaults = section } else { sections.append(section) }
      current = nil
      inDefaults = false
    }

    mutating func finish() throws(ParseError) -> [Section] {
      closeSection()
      var inherited: [String: Value] = [:]
      if let defaults { inherited = try Self.entries(of: defaults) }
      var result: [Section] = []
      for pending in sections {
        let own = try Self.entries(of: pending)
        result.append(Section(name: pending.name, entries: own.merging(inherited) { mine, _ in mine }))
      }
      return result
    }

    static func entries(of section: PendingSection) throws(ParseError) -> [String: Value] {
      var entries: [String: Value] = [:]
      for option in section.options {
        var joined = option.lines.joined(separator: "\n")
        while joined.last?.isWhitespace == true { joined.removeLast() }
        entries[option.key] = joined.hasPrefix("\n") ? .nested(try nested(joined, line: option.line)) : .text(joined)
      }
      return entries
    }

    static func nested(_ text: String, line: Int) throws(ParseError) -> [String: String] {
      var map: [String: String] = [:]
      for part in text.split(separator: "\n") {
        let entry = part.trimmingCharacters(in: .whitespaces)
        if entry.isEmpty { continue }
        guard let equals = entry.firstIndex(of: "=") else {
          throw ParseError(line: line, problem: "a nested line has no '='")
        }
        map[entry[..<equals].trimmingCharacters(in: .whitespaces)] =
          entry[entry.index(after: equals)...].trimmingCharacters(in: .whitespaces)
      }
      return map
    }
  }
}
