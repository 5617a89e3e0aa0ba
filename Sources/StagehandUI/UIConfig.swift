import Foundation
import StagingModel

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
  /// Every profile × Region pair listed with `--regions` or `--profiles`, in the order given;
  /// empty for one profile in one Region (or a store). The estate's rows show where each
  /// secret was read, and its listing reports pair by pair.
  public var pairs: [SecretOrigin]

  public init(
    backendName: String, readOnly: Bool = false, dryRun: Bool = false, colorMode: ColorMode = .sixteen,
    asciiOnly: Bool = false, timeZone: TimeZone = .current,
    rotationTimeoutSeconds: Int = 120, pairs: [SecretOrigin] = []
  ) {
    self.backendName = backendName
    self.readOnly = readOnly
    self.dryRun = dryRun
    self.colorMode = colorMode
    self.asciiOnly = asciiOnly
    self.timeZone = timeZone
    self.rotationTimeoutSeconds = rotationTimeoutSeconds
    self.pairs = pairs
  }

  /// True when several profiles or Regions are listed at once.
  public var isEstate: Bool { !pairs.isEmpty }
}
