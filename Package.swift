// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "Stagehand",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "stagehand", targets: ["stagehand"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
  ],
  targets: [
    // Pure domain: labels, intents, the planner. Foundation only.
    .target(name: "StagingModel"),
    // The shared client module: one protocol, the AWS and embedded-store backends, plan execution.
    .target(
      name: "SecretsClient",
      dependencies: [
        "StagingModel",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ]
    ),
    // Pure TUI core: state, update, render into a cell grid, the keymap. No I/O.
    .target(name: "StagehandUI", dependencies: ["StagingModel"]),
    // The only code that touches ncurses.
    .target(
      name: "CNcursesw",
      // macOS ships the wide-character library under the plain name.
      linkerSettings: [
        .linkedLibrary("ncursesw", .when(platforms: [.linux])),
        .linkedLibrary("ncurses", .when(platforms: [.macOS])),
      ]
    ),
    .target(name: "StagehandTerminal", dependencies: ["StagehandUI", "CNcursesw"]),
    // The application: the commands, their printers, backend selection, and the event loop
    // that runs the UI core's effects. A library, so tests drive all of it in process.
    .target(
      name: "StagehandApp",
      dependencies: [
        "StagingModel", "SecretsClient", "StagehandUI", "StagehandTerminal",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "stagehand", dependencies: ["StagehandApp"]),
    .executableTarget(
      name: "stagehand-bench", dependencies: ["StagehandUI", "StagingModel"], path: "Sources/stagehand-bench"),
    // Test-only: saves the store in a loop so StoreRobustnessTests can SIGKILL it mid-save.
    .executableTarget(
      name: "store-saver", dependencies: ["SecretsClient", "StagingModel"], path: "Tests/Tools/StoreSaver"),
    // Helpers the test targets share: a real terminal (tmux), a test terminal for the event
    // loop in process, the built binary, moto and other peers.
    .target(
      name: "StagehandTestSupport", dependencies: ["SecretsClient", "StagehandTerminal", "StagehandUI"],
      path: "Tests/StagehandTestSupport"),
    // Unit tests: one module each, in process.
    .testTarget(name: "StagingModelTests", dependencies: ["StagingModel", "StagehandTestSupport"]),
    .testTarget(
      name: "SecretsClientTests",
      dependencies: ["SecretsClient", "StagingModel", "StagehandTestSupport"],
      exclude: ["Scripts"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(
      name: "StagehandUITests", dependencies: ["StagehandUI", "StagingModel", "StagehandTestSupport"],
      exclude: ["__Snapshots__"]),
    // Terminal against real ncurses on a pseudo-terminal, and the test harnesses themselves.
    .testTarget(
      name: "StagehandTerminalTests", dependencies: ["StagehandTerminal", "StagehandUI", "StagehandTestSupport"]),
    // The app library: QuickLaunch against ArgumentParser, the list printers against the code
    // they replaced (and once through the built binary), the JSON writer.
    .testTarget(
      name: "StagehandAppTests",
      dependencies: [
        "StagehandApp", "SecretsClient", "StagingModel", "StagehandTestSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // End to end in process: keys and mouse events from a TestTerminal through the real event
    // loop and effect runner to the embedded store and to moto.
    .testTarget(
      name: "StagehandAppEndToEndTests",
      dependencies: ["StagehandApp", "SecretsClient", "StagingModel", "StagehandTestSupport"]),
    // End to end, the built binary as a command: arguments in; stdout, stderr, exit code and
    // the store or moto out, with faults, hostile data and kills.
    .testTarget(
      name: "StagehandCLIEndToEndTests", dependencies: ["StagingModel", "SecretsClient", "StagehandTestSupport"]),
    // End to end, the built binary in a real terminal (tmux): what only a terminal shows —
    // signals, crashes, hang-ups, suspend, resize, mouse tracking, escape sequences.
    .testTarget(name: "StagehandTerminalEndToEndTests", dependencies: ["StagehandTestSupport"]),
  ],
  swiftLanguageModes: [.v6]
)
