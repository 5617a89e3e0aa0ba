import Foundation

/// Command-line options, parsed by hand so the benchmark needs nothing but the UI core.
struct BenchOptions {
  var secrets = 10_000
  var iterations = 400
  var json = false

  init(_ arguments: [String]) {
    var rest = arguments.dropFirst()
    while let argument = rest.popFirst() {
      switch argument {
      case "--secrets": secrets = Int(rest.popFirst() ?? "") ?? secrets
      case "--iterations": iterations = Int(rest.popFirst() ?? "") ?? iterations
      case "--json": json = true
      case "-h", "--help":
        print("usage: stagehand-bench [--secrets N] [--iterations N] [--json]")
        exit(0)
      default:
        FileHandle.standardError.write(Data("stagehand-bench: unknown argument \(argument)\n".utf8))
        exit(2)
      }
    }
  }
}
