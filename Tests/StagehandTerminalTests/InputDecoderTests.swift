import StagehandTestSupport
import StagehandUI
import Testing

@testable import StagehandTerminal

@Suite("InputDecoder", .ownThreads)
struct InputDecoderTests {
  let codes = CursesKeyCodes.current

  private func decode(_ inputs: [RawInput], flush: Bool = false) -> [TerminalEvent] {
    var decoder = InputDecoder(keyCodes: codes)
    var events = inputs.flatMap { decoder.feed($0) }
    if flush { events += decoder.flush() }
    return events
  }

  private func decode(_ text: String, flush: Bool = false) -> [TerminalEvent] {
    decode(text.unicodeScalars.map { .character($0.value) }, flush: flush)
  }

  private func mouse(_ kind: MouseEvent.Kind, _ x: Int, _ y: Int) -> TerminalEvent {
    .mouse(MouseEvent(kind, x: x, y: y))
  }

  // MARK: - ncurses key codes

  @Test(
    arguments: [
      (CursesKeyCodes.current.up, Key.up), (CursesKeyCodes.current.down, .down),
      (CursesKeyCodes.current.left, .left), (CursesKeyCodes.current.right, .right),
      (CursesKeyCodes.current.home, .home), (CursesKeyCodes.current.end, .end),
      (CursesKeyCodes.current.pageUp, .pageUp), (CursesKeyCodes.current.pageDown, .pageDown),
      (CursesKeyCodes.current.deleteChar, .delete), (CursesKeyCodes.current.backspace, .backspace),
      (CursesKeyCodes.current.enter, .enter), (CursesKeyCodes.current.backTab, .backTab),
    ])
  func mapsCursesKeyCode(_ code: Int32, _ key: Key) {
    #expect(decode([.keyCode(code)]) == [.key(key)])
  }

  @Test func mapsFunctionKeys() {
    for n in 1...24 {
      #expect(decode([.keyCode(codes.function(n))]) == [.key(.function(n))])
    }
  }

  @Test func ignoresKeyCodesItDoesNotKnow() {
    #expect(decode([.keyCode(codes.insertChar)]).isEmpty)
    #expect(decode([.keyCode(codes.mouse)]).isEmpty)
    #expect(decode([.keyCode(codes.f0)]).isEmpty)
    #expect(decode([.keyCode(0x7FFF_FFFF)]).isEmpty)
  }

  @Test func matchesTheNcursesHeaderValues() {
    // The ncurses ABI fixes these (KEY_UP is 0403 octal, KEY_F0 0410, KEY_RESIZE 0632).
    #expect(codes.up == 0o403)
    #expect(codes.f0 == 0o410)
    #expect(codes.function(5) == 0o415)
    #expect(codes.resize == 0o632)
  }

  @Test func passesResizeThrough() {
    #expect(decode([.resize(width: 120, height: 40)]) == [.resize(width: 120, height: 40)])
  }

  // MARK: - Characters

  @Test func mapsEnterTabBackspace() {
    #expect(decode("\r") == [.key(.enter)])
    #expect(decode("\n") == [.key(.enter)])
    #expect(decode("\t") == [.key(.tab)])
    #expect(decode([.character(127)]) == [.key(.backspace)])
    #expect(decode([.character(8)]) == [.key(.backspace)])
  }

  @Test func mapsControlCharactersToCtrlLetters() {
    #expect(decode([.character(1)]) == [.key(.ctrl("a"))])
    #expect(decode([.character(3)]) == [.key(.ctrl("c"))])
    #expect(decode([.character(26)]) == [.key(.ctrl("z"))])
    #expect(decode([.character(0)]) == [.key(.ctrl("@"))])
    #expect(decode([.character(31)]) == [.key(.ctrl("_"))])
    for value in UInt32(1)...26 where ![8, 9, 10, 13].contains(value) {
      let letter = Character(UnicodeScalar(UInt8(0x60 + value)))
      #expect(decode([.character(value)]) == [.key(.ctrl(letter))])
    }
  }

  @Test func mapsPrintableCharacters() {
    #expect(
      decode("jk/?G ") == [
        .key(.char("j")), .key(.char("k")), .key(.char("/")), .key(.char("?")), .key(.char("G")), .key(.char(" ")),
      ])
    #expect(decode("é日🙂") == [.key(.char("é")), .key(.char("日")), .key(.char("🙂"))])
  }

  @Test func dropsC1ControlsAndInvalidScalars() {
    #expect(decode([.character(0x85), .character(0x9B)]).isEmpty)
    #expect(decode([.character(0xD800), .character(0x11_0000)]).isEmpty)
  }

  // MARK: - Escape

  @Test func loneEscapeNeedsTheTimeout() {
    var decoder = InputDecoder(keyCodes: codes)
    #expect(decoder.feed(.character(27)).isEmpty)
    #expect(decoder.isPending)
    #expect(decoder.flush() == [.key(.escape)])
    #expect(!decoder.isPending)
    #expect(decoder.flush().isEmpty)
  }

  @Test func escapeFollowedByAKeyIsBoth() {
    #expect(decode("\u{1B}q") == [.key(.escape), .key(.char("q"))])
    #expect(decode([.character(27), .keyCode(codes.down)]) == [.key(.escape), .key(.down)])
    #expect(decode("\u{1B}\u{1B}", flush: true) == [.key(.escape), .key(.escape)])
    #expect(decode([.character(27), .resize(width: 3, height: 4)]) == [.key(.escape), .resize(width: 3, height: 4)])
  }

  @Test func escapeBracketAloneIsEscapeThenBracket() {
    #expect(decode("\u{1B}[", flush: true) == [.key(.escape), .key(.char("["))])
    #expect(decode("\u{1B}O", flush: true) == [.key(.escape), .key(.char("O"))])
  }

  // MARK: - CSI and SS3 keys

  @Test(
    arguments: [
      ("\u{1B}[A", Key.up), ("\u{1B}[B", .down), ("\u{1B}[C", .right), ("\u{1B}[D", .left),
      ("\u{1B}[H", .home), ("\u{1B}[F", .end), ("\u{1B}[Z", .backTab), ("\u{1B}[1;5A", .up),
      ("\u{1B}[1~", .home), ("\u{1B}[7~", .home), ("\u{1B}[4~", .end), ("\u{1B}[8~", .end),
      ("\u{1B}[3~", .delete), ("\u{1B}[5~", .pageUp), ("\u{1B}[6~", .pageDown), ("\u{1B}[5;5~", .pageUp),
      ("\u{1B}[11~", .function(1)), ("\u{1B}[15~", .function(5)), ("\u{1B}[17~", .function(6)),
      ("\u{1B}[21~", .function(10)), ("\u{1B}[23~", .function(11)), ("\u{1B}[24~", .function(12)),
      ("\u{1B}[1;2P", .function(1)), ("\u{1B}OA", .up), ("\u{1B}OB", .down), ("\u{1B}OC", .right),
      ("\u{1B}OD", .left), ("\u{1B}OH", .home), ("\u{1B}OF", .end), ("\u{1B}OM", .enter),
      ("\u{1B}OP", .function(1)), ("\u{1B}OS", .function(4)),
    ])
  func decodesKeySequence(_ sequence: String, _ key: Key) {
    #expect(decode(sequence) == [.key(key)])
  }

  @Test func ignoresUnknownCSISequences() {
    // Insert, focus in and out, bracketed paste markers, cursor position reports.
    for sequence in ["\u{1B}[2~", "\u{1B}[I", "\u{1B}[O", "\u{1B}[200~", "\u{1B}[201~", "\u{1B}[12;40R", "\u{1B}[99~"] {
      var decoder = InputDecoder(keyCodes: codes)
      #expect(decoder.feed(sequence).isEmpty)
      #expect(!decoder.isPending)
    }
    #expect(decode("\u{1B}Ox").isEmpty)
  }

  @Test func keysAfterASequenceDecodeNormally() {
    #expect(decode("\u{1B}[Aj\u{1B}[5~k") == [.key(.up), .key(.char("j")), .key(.pageUp), .key(.char("k"))])
  }

  // MARK: - SGR mouse

  @Test func decodesPressDragRelease() {
    let events = decode("\u{1B}[<0;5;3M\u{1B}[<32;6;4M\u{1B}[<32;9;4M\u{1B}[<0;9;4m")
    #expect(
      events == [
        mouse(.press(button: 1), 4, 2), mouse(.drag(button: 1), 5, 3), mouse(.drag(button: 1), 8, 3),
        mouse(.release(button: 1), 8, 3),
      ])
  }

  @Test func decodesOtherButtons() {
    #expect(
      decode("\u{1B}[<1;1;1M\u{1B}[<1;1;1m") == [mouse(.press(button: 2), 0, 0), mouse(.release(button: 2), 0, 0)])
    #expect(
      decode("\u{1B}[<2;10;20M\u{1B}[<34;11;20M") == [mouse(.press(button: 3), 9, 19), mouse(.drag(button: 3), 10, 19)])
  }

  @Test func remembersTheHeldButton() {
    var decoder = InputDecoder(keyCodes: codes)
    _ = decoder.feed("\u{1B}[<0;2;2M")
    #expect(decoder.heldButton == 1)
    // A release that names no button (button bits 3, as X10-style reports do).
    #expect(decoder.feed("\u{1B}[<3;4;2M") == [mouse(.release(button: 1), 3, 1)])
    #expect(decoder.heldButton == nil)
    #expect(decoder.feed("\u{1B}[<3;4;2m") == [mouse(.release(button: nil), 3, 1)])
  }

  @Test func motionWithoutAButtonIsAMove() {
    var decoder = InputDecoder(keyCodes: codes)
    #expect(decoder.feed("\u{1B}[<35;50;10M") == [mouse(.move, 49, 9)])
    _ = decoder.feed("\u{1B}[<0;2;2M")
    #expect(decoder.feed("\u{1B}[<35;3;3M") == [mouse(.move, 2, 2)])
    #expect(decoder.heldButton == nil)
  }

  @Test func decodesTheWheel() {
    #expect(decode("\u{1B}[<64;10;5M") == [mouse(.wheelUp, 9, 4)])
    #expect(decode("\u{1B}[<65;10;5M") == [mouse(.wheelDown, 9, 4)])
    // With modifiers held.
    #expect(decode("\u{1B}[<80;1;1M") == [mouse(.wheelUp, 0, 0)])
    // Horizontal wheel and extra buttons are not used.
    #expect(decode("\u{1B}[<66;1;1M\u{1B}[<67;1;1M\u{1B}[<128;1;1M").isEmpty)
  }

  @Test func ignoresModifierBits() {
    #expect(
      decode("\u{1B}[<4;3;3M\u{1B}[<16;3;3m") == [mouse(.press(button: 1), 2, 2), mouse(.release(button: 1), 2, 2)])
  }

  @Test func clampsCoordinatesAtZero() {
    #expect(decode("\u{1B}[<0;0;0M") == [mouse(.press(button: 1), 0, 0)])
  }

  @Test func decodesLargeCoordinates() {
    #expect(decode("\u{1B}[<0;300;200M") == [mouse(.press(button: 1), 299, 199)])
  }

  @Test func decodesLegacyX10Reports() {
    let press: [UInt32] = [27, 0x5B, 0x4D, 32 + 0, 33 + 4, 33 + 2]
    let release: [UInt32] = [27, 0x5B, 0x4D, 32 + 3, 33 + 4, 33 + 2]
    #expect(
      decode((press + release).map { .character($0) }) == [
        mouse(.press(button: 1), 4, 2), mouse(.release(button: 1), 4, 2),
      ])
  }

  // MARK: - Split reads

  @Test func decodesSequencesSplitAcrossReads() {
    var decoder = InputDecoder(keyCodes: codes)
    var events: [TerminalEvent] = []
    for scalar in "\u{1B}[<0;12;7M".unicodeScalars {
      #expect(events.isEmpty)
      events += decoder.feed(.character(scalar.value))
    }
    #expect(events == [mouse(.press(button: 1), 11, 6)])
    #expect(!decoder.isPending)
  }

  @Test func aCutOffSequenceIsDroppedNotReplayedAsKeys() {
    var decoder = InputDecoder(keyCodes: codes)
    #expect(decoder.feed("\u{1B}[<0;12").isEmpty)
    #expect(decoder.isPending)
    #expect(decoder.flush().isEmpty)
    #expect(decoder.feed("q") == [.key(.char("q"))])
    var x10 = InputDecoder(keyCodes: codes)
    #expect(x10.feed("\u{1B}[M!").isEmpty)
    #expect(x10.flush().isEmpty)
  }

  // MARK: - Garbage

  @Test func rejectsMalformedMouseReports() {
    for sequence in [
      "\u{1B}[<0;5M", "\u{1B}[<0;5;3;1M", "\u{1B}[<a;5;3M", "\u{1B}[<0;;3M", "\u{1B}[<-1;5;3M",
      "\u{1B}[<0;5;3X", "\u{1B}[<99999999999999999999999;1;1M", "\u{1B}[<1000;1;1M",
    ] {
      var decoder = InputDecoder(keyCodes: codes)
      #expect(decoder.feed(sequence).isEmpty, "\(sequence.debugDescription)")
      #expect(!decoder.isPending)
    }
  }

  @Test func anOverlongSequenceIsDroppedAndTheDecoderRecovers() {
    var decoder = InputDecoder(keyCodes: codes)
    let long = "\u{1B}[" + String(repeating: "1;", count: 100) + "A"
    // Swallowed whole, up to its final byte: no stray keystrokes.
    #expect(decoder.feed(long).isEmpty)
    #expect(decoder.feed("j") == [.key(.char("j"))])
    #expect(!decoder.isPending)
  }

  @Test func aControlCharacterAbortsASequence() {
    #expect(decode("\u{1B}[12\u{1B}[B") == [.key(.down)])
    #expect(decode("\u{1B}[12\r") == [.key(.enter)])
    #expect(decode([.character(27), .character(0x5B), .keyCode(codes.up)]) == [.key(.up)])
    #expect(
      decode([.character(27), .character(0x5B), .character(0x31), .resize(width: 1, height: 2)]) == [
        .resize(width: 1, height: 2)
      ])
    #expect(decode("\u{1B}[1日") == [.key(.char("日"))])
  }

  @Test func survivesRandomInput() {
    var generator = SplitMix64(seed: 0x5EED)
    for _ in 0..<200 {
      var decoder = InputDecoder(keyCodes: codes)
      let alphabet: [UInt32] = [
        27, 0x5B, 0x3C, 0x3B, 0x4D, 0x6D, 0x4F, 0x7E, 0x30, 0x31, 0x35, 0x39, 0x41, 0x7F, 13, 0xFFFF, 0x65E5,
      ]
      for _ in 0..<300 {
        let roll = generator.next() % 20
        let input: RawInput =
          roll == 0
          ? .keyCode(codes.up) : .character(alphabet[Int(generator.next() % UInt64(alphabet.count))])
        for event in decoder.feed(input) {
          if case .mouse(let m) = event {
            #expect(m.x >= 0 && m.y >= 0)
          }
        }
        if case .csi(let body) = decoder.state {
          #expect(body.utf8.count <= InputDecoder.maxSequenceLength)
        }
      }
      _ = decoder.flush()
      #expect(!decoder.isPending)
    }
  }
}
