import StagehandUI

/// Maps the UI's `CellStyle` onto what the terminal can show.
public enum StyleMapper {
  public static func map(_ style: CellStyle, mode: ColorMode) -> MappedStyle {
    var attributes: TextAttributes = []
    if style.bold { attributes.insert(.bold) }
    if style.dim { attributes.insert(.dim) }
    if style.reverse { attributes.insert(.reverse) }
    if style.underline { attributes.insert(.underline) }
    guard mode != .none else { return MappedStyle(attributes: attributes, foreground: -1, background: -1) }
    let (foreground, brightened) = colorNumber(style.fg, mode: mode)
    let (background, _) = colorNumber(style.bg, mode: mode)
    // On eight colours bold is how terminals show the bright foregrounds.
    if brightened { attributes.insert(.bold) }
    return MappedStyle(attributes: attributes, foreground: foreground, background: background)
  }

  /// The curses colour number, and whether a bright colour had to fall back to its base.
  public static func colorNumber(_ color: TermColor, mode: ColorMode) -> (number: Int, lostBrightness: Bool) {
    let base: Int
    let bright: Bool
    switch color {
    case .default: return (-1, false)
    case .black: (base, bright) = (0, false)
    case .red: (base, bright) = (1, false)
    case .green: (base, bright) = (2, false)
    case .yellow: (base, bright) = (3, false)
    case .blue: (base, bright) = (4, false)
    case .magenta: (base, bright) = (5, false)
    case .cyan: (base, bright) = (6, false)
    case .white: (base, bright) = (7, false)
    case .brightBlack: (base, bright) = (0, true)
    case .brightRed: (base, bright) = (1, true)
    case .brightGreen: (base, bright) = (2, true)
    case .brightYellow: (base, bright) = (3, true)
    case .brightBlue: (base, bright) = (4, true)
    case .brightMagenta: (base, bright) = (5, true)
    case .brightCyan: (base, bright) = (6, true)
    case .brightWhite: (base, bright) = (7, true)
    }
    switch mode {
    case .none: return (-1, false)
    case .eight: return (base, bright)
    case .sixteen: return (bright ? base + 8 : base, false)
    }
  }
}
