/// Reads the most common command line, `stagehand` with global options and nothing else
/// (the UI), without ArgumentParser, whose reflection costs about 4 ms at every launch: that
/// is a tenth of the time to the first rows on a fast endpoint.
///
/// It accepts only what it can read exactly as ArgumentParser does: each known global
/// option at most once, as `--name value` or `--name=value` with a non-empty value that does
/// not begin with "-", and the global flags plus `--no-mouse` at most once each. Anything
/// else (a subcommand, help, version, completion, an unknown or repeated option, an unusual
/// value) returns nil, and ArgumentParser reads the line, errors and all.
/// `QuickLaunchTests` holds the two to the same answers.
enum QuickLaunch {
  struct Launch: Equatable {
    var settings = GlobalSettings()
    var mouse = true
  }

  static func parse(_ arguments: [String]) -> Launch? {
    var launch = Launch()
    var seen: Set<String> = []
    var index = 0
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      let name: String
      var value: String?
      if let equals = argument.firstIndex(of: "=") {
        name = String(argument[..<equals])
        value = String(argument[argument.index(after: equals)...])
      } else {
        name = argument
      }
      guard name.hasPrefix("--"), seen.insert(name).inserted else { return nil }
      if let field = GlobalSettings.valuedOptions[name] {
        if value == nil {
          guard index < arguments.count else { return nil }
          value = arguments[index]
          index += 1
        }
        guard let text = value, !text.isEmpty, !text.hasPrefix("-") else { return nil }
        launch.settings[keyPath: field] = text
      } else if let field = GlobalSettings.flagOptions[name], value == nil {
        launch.settings[keyPath: field] = true
      } else if name == "--no-mouse", value == nil {
        launch.mouse = false
      } else {
        return nil
      }
    }
    return launch
  }
}
