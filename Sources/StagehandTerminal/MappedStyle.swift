/// A cell style in curses terms: attribute flags and colour numbers (-1 is the terminal's
/// default colour, as `use_default_colors` defines it).
public struct MappedStyle: Hashable, Sendable {
  public var attributes: TextAttributes
  public var foreground: Int
  public var background: Int

  public init(attributes: TextAttributes, foreground: Int, background: Int) {
    self.attributes = attributes
    self.foreground = foreground
    self.background = background
  }
}
