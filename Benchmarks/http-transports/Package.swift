// swift-tools-version: 6.0
// A standalone package, on purpose not referenced by the main Package.swift: the main build
// and CI never pay for async-http-client. Build it with a scratch path outside the repo:
//   swift build -c release --scratch-path /work/.build-http-transports
import PackageDescription

let package = Package(
  name: "http-transports",
  platforms: [.macOS(.v14)],
  dependencies: [
    .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.100.0"),
  ],
  targets: [
    .executableTarget(
      name: "http-transport-bench",
      dependencies: [
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOFoundationCompat", package: "swift-nio"),
      ]
    )
  ],
  swiftLanguageModes: [.v6]
)
