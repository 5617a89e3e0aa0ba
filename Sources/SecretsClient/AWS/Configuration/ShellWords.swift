/// POSIX-shell word splitting as Python's `shlex.split` does it, which botocore uses both
/// for `credential_process` (it never runs a shell) and for section names like
/// `[profile "my name"]`.
enum ShellWords {
  struct UnbalancedQuote: Error {}

  static func split(_ text: String) throws(UnbalancedQuote) -> [String] {
    var words: [String] = []
    var word = ""
    var inWord = false
    var iterator = text.makeIterator()
    while let character = iterator.next() {
      switch character {
      case "'":
        inWord = true
        while true {
          guard let next = iterator.next() else { throw UnbalancedQuote() }
          if next == "'" { break }
          word.append(next)
        }
      case "\"":
        inWord = true
        while true {
          guard let next = iterator.next() else { throw UnbalancedQuote() }
          if next == "\"" { break }
          if next == "\\" {
            guard let escaped = iterator.next() else { throw UnbalancedQuote() }
            if escaped != "\"" && escaped != "\\" && escaped != "$" && escaped != "`" { word.append("\\") }
            word.append(escaped)
          } else {
            word.append(next)
          }
        }
      case "\\":
        inWord = true
        if let escaped = iterator.next() { word.append(escaped) }
      case _ where character.isWhitespace:
        if inWord { words.append(word) }
        word = ""
        inWord = false
      default:
        inWord = true
        word.append(character)
      }
    }
    if inWord { words.append(word) }
    return words
  }
}
