import Foundation

/// Settings fixed at start-up: where the data comes from and what the terminal can show.
public struct UIConfig: Equatable, Sendable {
  /// "store ~/.local/share/stagehand/demo.json", "AWS us-east-1 profile prod".
  public var backendName: String
  public var readOnly: Bool
  public var dryRun: Bool
  public var colorMode: ColorMode
  /// No box drawing, spinner glyphs or ellipsis: the locale is not UTF-8.
  public var asciiOnly: Bool
  public var timeZone: TimeZone
  /// How long a rotation is followed without reaching its end before the diagnosis shows.
  public var rotationTimeoutSeconds: Int

  public init(
    backendName: String, readOnly: Bool = false, dryRun: Bool = false, colorMode: ColorMode = .sixteen,
    asciiOnly: Bool = false, timeZone: TimeZone = .current,
    rotationTimeoutSeconds: Int = 120
  ) {
    self.backendName = backendName
    self.readOnly = readOnly
    self.dryRun = dryRun
    self.colorMode = colorMode
    self.asciiOnly = asciiOnly
    self.timeZone = timeZone
    self.rotationTimeoutSeconds = rotationTimeoutSeconds
  }
}
