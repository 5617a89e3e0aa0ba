import StagehandTestSupport
import StagehandUI
import Testing

@testable import StagehandTerminal

@Suite("StyleMapper", .ownThreads)
struct StyleMapperTests {
  @Test func mapsAttributesInEveryMode() {
    let style = CellStyle(bold: true, dim: true, reverse: true, underline: true)
    for mode in [ColorMode.none, .eight, .sixteen] {
      #expect(StyleMapper.map(style, mode: mode).attributes == [.bold, .dim, .reverse, .underline])
    }
    #expect(StyleMapper.map(CellStyle(underline: true), mode: .sixteen).attributes == [.underline])
    #expect(StyleMapper.map(.plain, mode: .sixteen) == MappedStyle(attributes: [], foreground: -1, background: -1))
  }

  @Test func noColorDropsEveryColour() {
    let mapped = StyleMapper.map(CellStyle(fg: .brightRed, bg: .blue, reverse: true), mode: .none)
    #expect(mapped == MappedStyle(attributes: [.reverse], foreground: -1, background: -1))
  }

  @Test func baseColoursKeepTheirCursesNumbers() {
    let expected: [(TermColor, Int)] = [
      (.black, 0), (.red, 1), (.green, 2), (.yellow, 3), (.blue, 4), (.magenta, 5), (.cyan, 6), (.white, 7),
    ]
    for (color, number) in expected {
      #expect(StyleMapper.colorNumber(color, mode: .eight) == (number, false))
      #expect(StyleMapper.colorNumber(color, mode: .sixteen) == (number, false))
    }
    #expect(StyleMapper.colorNumber(.default, mode: .sixteen) == (-1, false))
  }

  @Test func brightColoursExistFromSixteenColours() {
    #expect(StyleMapper.colorNumber(.brightBlack, mode: .sixteen) == (8, false))
    #expect(StyleMapper.colorNumber(.brightWhite, mode: .sixteen) == (15, false))
    let mapped = StyleMapper.map(CellStyle(fg: .brightGreen, bg: .brightBlue), mode: .sixteen)
    #expect(mapped == MappedStyle(attributes: [], foreground: 10, background: 12))
  }

  @Test func eightColoursMapBrightForegroundsToBoldBase() {
    let mapped = StyleMapper.map(CellStyle(fg: .brightYellow), mode: .eight)
    #expect(mapped == MappedStyle(attributes: [.bold], foreground: 3, background: -1))
    for color in TermColor.allCases where color != .default {
      let (number, _) = StyleMapper.colorNumber(color, mode: .eight)
      #expect((0..<8).contains(number))
    }
  }

  @Test func eightColoursMapBrightBackgroundsToBaseWithoutBold() {
    let mapped = StyleMapper.map(CellStyle(fg: .white, bg: .brightBlue), mode: .eight)
    #expect(mapped == MappedStyle(attributes: [], foreground: 7, background: 4))
  }

  @Test func colourModeFollowsTheColourCount() {
    #expect(ColorMode(colorCount: 0) == .none)
    #expect(ColorMode(colorCount: 2) == .none)
    #expect(ColorMode(colorCount: 7) == .none)
    #expect(ColorMode(colorCount: 8) == .eight)
    #expect(ColorMode(colorCount: 15) == .eight)
    #expect(ColorMode(colorCount: 16) == .sixteen)
    #expect(ColorMode(colorCount: 88) == .sixteen)
    #expect(ColorMode(colorCount: 256) == .sixteen)
  }
}
