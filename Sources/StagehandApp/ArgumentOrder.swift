/// Global options work before or after the subcommand (`stagehand --store F move …` and
/// `stagehand move … --store F`). ArgumentParser only reads a subcommand's options after its
/// name, so global options found before the subcommand are moved after it.
enum ArgumentOrder {
  /// Global options that take a value.
  static let valued = Set(GlobalSettings.valuedOptions.keys)
  /// Global flags.
  static let flags = Set(GlobalSettings.flagOptions.keys)

  static func normalize(_ arguments: [String], subcommands: Set<String>) -> [String] {
    var moved: [String] = []
    var index = 0
    while index < arguments.count {
      let argument = arguments[index]
      if subcommands.contains(argument) {
        return [argument] + Array(arguments[(index + 1)...]) + moved
      }
      let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
      if valued.contains(name) {
        moved.append(argument)
        if !argument.contains("="), index + 1 < arguments.count {
          moved.append(arguments[index + 1])
          index += 1
        }
      } else if flags.contains(argument) {
        moved.append(argument)
      } else {
        // Anything else before a subcommand (help, version, an unknown word): leave as is.
        return arguments
      }
      index += 1
    }
    return arguments
  }
}
