import StagehandUI

/// Turns what `wget_wch` returns into `TerminalEvent`s.
///
/// ncurses decodes the keys it knows from terminfo; everything else (SGR mouse reports,
/// which ncurses is told not to claim, and CSI key sequences missing from terminfo) arrives
/// as single characters starting with ESC. The decoder is a pure state machine so every
/// sequence, split read and malformed input is unit-testable without a terminal: the caller
/// feeds inputs, and when an input times out mid-sequence it calls `flush()`.
public struct InputDecoder: Sendable {
  public enum State: Hashable, Sendable {
    case ground
    /// After ESC.
    case escape
    /// After `ESC [`: the parameter and intermediate bytes so far.
    case csi(String)
    /// After `ESC O`.
    case ss3
    /// After `ESC [ M`: the legacy X10 mouse report's bytes so far.
    case x10([UInt32])
    /// Inside a CSI sequence that grew too long: swallowed up to its final byte so its
    /// parameters do not turn into keystrokes.
    case discarding
  }

  /// Longest CSI body accepted; anything longer is garbage and is dropped, so a stream of
  /// parameter bytes can never grow the buffer or keep the decoder pending forever.
  public static let maxSequenceLength = 32

  public private(set) var state: State = .ground
  /// The button (1 left, 2 middle, 3 right) held since the last press, so a release that
  /// does not name its button still reports which one was let go.
  public private(set) var heldButton: Int?
  public let keyCodes: CursesKeyCodes

  public init(keyCodes: CursesKeyCodes = .current) {
    self.keyCodes = keyCodes
  }

  /// True in the middle of an escape sequence: the caller should read on with a short
  /// timeout and call `flush()` if nothing comes.
  public var isPending: Bool { state != .ground }

  public mutating func feed(_ input: RawInput) -> [TerminalEvent] {
    switch state {
    case .ground:
      return ground(input)
    case .escape:
      return afterEscape(input)
    case .csi(let body):
      return inCSI(body, input)
    case .ss3:
      return afterSS3(input)
    case .x10(let bytes):
      return inX10(bytes, input)
    case .discarding:
      return whileDiscarding(input)
    }
  }

  /// Feeds every Unicode scalar of `text` as a character.
  public mutating func feed(_ text: String) -> [TerminalEvent] {
    text.unicodeScalars.flatMap { feed(.character($0.value)) }
  }

  /// Ends a sequence that timed out. A lone ESC is the Escape key; `ESC [` and `ESC O` are
  /// Escape followed by that character (Alt+[ and Alt+O); a cut-off longer sequence is
  /// dropped rather than replayed as keystrokes that could trigger actions.
  public mutating func flush() -> [TerminalEvent] {
    let pending = state
    state = .ground
    switch pending {
    case .ground: return []
    case .escape: return [.key(.escape)]
    case .csi(let body): return body.isEmpty ? [.key(.escape), .key(.char("["))] : []
    case .ss3: return [.key(.escape), .key(.char("O"))]
    case .x10, .discarding: return []
    }
  }

  // MARK: - States

  private mutating func ground(_ input: RawInput) -> [TerminalEvent] {
    switch input {
    case .resize(let width, let height):
      return [.resize(width: width, height: height)]
    case .keyCode(let code):
      return key(forCode: code).map { [.key($0)] } ?? []
    case .character(27):
      state = .escape
      return []
    case .character(let value):
      return Self.key(forCharacter: value).map { [.key($0)] } ?? []
    }
  }

  private mutating func afterEscape(_ input: RawInput) -> [TerminalEvent] {
    switch input {
    case .character(0x5B):
      state = .csi("")
      return []
    case .character(0x4F):
      state = .ss3
      return []
    default:
      state = .ground
      return [.key(.escape)] + ground(input)
    }
  }

  private mutating func inCSI(_ body: String, _ input: RawInput) -> [TerminalEvent] {
    guard case .character(let value) = input else {
      state = .ground
      return ground(input)
    }
    switch value {
    case 0x20...0x3F:
      guard body.utf8.count < Self.maxSequenceLength else {
        state = .discarding
        return []
      }
      state = .csi(body + String(UnicodeScalar(UInt8(value))))
      return []
    case 0x40...0x7E:
      state = .ground
      return dispatchCSI(body: body, final: UInt8(value))
    default:
      // Not part of any CSI: the sequence was garbage; this input starts afresh.
      state = .ground
      return ground(input)
    }
  }

  private mutating func whileDiscarding(_ input: RawInput) -> [TerminalEvent] {
    guard case .character(let value) = input else {
      state = .ground
      return ground(input)
    }
    switch value {
    case 0x20...0x3F:
      return []
    case 0x40...0x7E:
      state = .ground
      return []
    default:
      state = .ground
      return ground(input)
    }
  }

  private mutating func afterSS3(_ input: RawInput) -> [TerminalEvent] {
    state = .ground
    guard case .character(let value) = input else { return ground(input) }
    let key: Key? =
      switch value {
      case 0x41: .up
      case 0x42: .down
      case 0x43: .right
      case 0x44: .left
      case 0x48: .home
      case 0x46: .end
      case 0x4D: .enter
      case 0x50: .function(1)
      case 0x51: .function(2)
      case 0x52: .function(3)
      case 0x53: .function(4)
      default: nil
      }
    if let key { return [.key(key)] }
    return value == 27 ? ground(input) : []
  }

  private mutating func inX10(_ bytes: [UInt32], _ input: RawInput) -> [TerminalEvent] {
    guard case .character(let value) = input else {
      state = .ground
      return ground(input)
    }
    let collected = bytes + [value]
    guard collected.count == 3 else {
      state = .x10(collected)
      return []
    }
    state = .ground
    guard collected.allSatisfy({ $0 >= 32 && $0 < 0x110000 }) else { return [] }
    let code = Int(collected[0]) - 32
    let x = Int(collected[1]) - 33
    let y = Int(collected[2]) - 33
    return mouse(code: code, x: x, y: y, released: false)
  }

  // MARK: - CSI

  private mutating func dispatchCSI(body: String, final: UInt8) -> [TerminalEvent] {
    if body.hasPrefix("<") {
      guard final == 0x4D || final == 0x6D else {
        // A mouse report broken off before its coordinates: swallow the rest of it.
        if body.filter({ $0 == ";" }).count < 2 { state = .discarding }
        return []
      }
      return sgrMouse(body.dropFirst(), released: final == 0x6D)
    }
    if body.isEmpty && final == 0x4D {
      state = .x10([])
      return []
    }
    let params = body.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
    let first = params.first ?? nil
    let key: Key? =
      switch final {
      case 0x41: .up
      case 0x42: .down
      case 0x43: .right
      case 0x44: .left
      case 0x48: .home
      case 0x46: .end
      case 0x5A: .backTab
      // `ESC [ 1 ; m P` is a modified F1; `ESC [ row ; col R` is a cursor report.
      case 0x50...0x53 where first == nil || first == 1: .function(Int(final) - 0x4F)
      case 0x7E: first.flatMap(Self.tildeKey)
      default: nil
      }
    return key.map { [.key($0)] } ?? []
  }

  /// `ESC [ n ~` keys (vt220 style, as xterm, tmux and the Linux console send them).
  private static func tildeKey(_ n: Int) -> Key? {
    switch n {
    case 1, 7: return .home
    case 4, 8: return .end
    case 3: return .delete
    case 5: return .pageUp
    case 6: return .pageDown
    case 11...15: return .function(n - 10)
    case 17...21: return .function(n - 11)
    case 23, 24: return .function(n - 12)
    default: return nil
    }
  }

  /// `ESC [ < b ; x ; y M|m`: 1-based cell coordinates, `m` for a release.
  private mutating func sgrMouse(_ body: Substring, released: Bool) -> [TerminalEvent] {
    let fields = body.split(separator: ";", omittingEmptySubsequences: false)
    guard fields.count == 3, let code = Int(fields[0]), let x = Int(fields[1]), let y = Int(fields[2]) else {
      return []
    }
    return mouse(code: code, x: x - 1, y: y - 1, released: released)
  }

  /// Decodes xterm's button byte: low two bits the button (3 = none), +4/+8/+16 modifiers
  /// (ignored), +32 motion, +64 wheel, +128 extra buttons (ignored).
  ///
  /// A motion report that names no button is a plain move even if a press was seen: trusting
  /// the report means a release lost outside the window cannot leave a drag stuck on.
  private mutating func mouse(code: Int, x: Int, y: Int, released: Bool) -> [TerminalEvent] {
    guard code >= 0, code < 256 else { return [] }
    let column = max(0, x)
    let row = max(0, y)
    let button = code & 3
    if code & 128 != 0 { return [] }
    if code & 64 != 0 {
      if released { return [] }
      switch button {
      case 0: return [.mouse(MouseEvent(.wheelUp, x: column, y: row))]
      case 1: return [.mouse(MouseEvent(.wheelDown, x: column, y: row))]
      default: return []
      }
    }
    if code & 32 != 0 {
      if button == 3 {
        heldButton = nil
        return [.mouse(MouseEvent(.move, x: column, y: row))]
      }
      heldButton = button + 1
      return [.mouse(MouseEvent(.drag(button: button + 1), x: column, y: row))]
    }
    if released || button == 3 {
      let which = button == 3 ? heldButton : button + 1
      heldButton = nil
      return [.mouse(MouseEvent(.release(button: which), x: column, y: row))]
    }
    heldButton = button + 1
    return [.mouse(MouseEvent(.press(button: button + 1), x: column, y: row))]
  }

  // MARK: - Keys

  private func key(forCode code: Int32) -> Key? {
    let k = keyCodes
    switch code {
    case k.up: return .up
    case k.down: return .down
    case k.left: return .left
    case k.right: return .right
    case k.home: return .home
    case k.end: return .end
    case k.pageUp: return .pageUp
    case k.pageDown: return .pageDown
    case k.deleteChar: return .delete
    case k.backspace: return .backspace
    case k.enter: return .enter
    case k.backTab: return .backTab
    case (k.f0 + 1)...(k.f0 + CursesKeyCodes.functionKeyCount): return .function(Int(code - k.f0))
    default: return nil
    }
  }

  /// Enter arrives as CR (raw mode, `nonl`) or LF; Backspace as DEL or BS depending on the
  /// terminal; other C0 controls are Ctrl+letter.
  static func key(forCharacter value: UInt32) -> Key? {
    switch value {
    case 10, 13: return .enter
    case 9: return .tab
    case 8, 127: return .backspace
    case 27: return .escape
    case 0: return .ctrl("@")
    case 1...26: return .ctrl(Character(UnicodeScalar(UInt8(0x60 + value))))
    case 28: return .ctrl("\\")
    case 29: return .ctrl("]")
    case 30: return .ctrl("^")
    case 31: return .ctrl("_")
    case 0x80...0x9F: return nil
    default:
      guard let scalar = UnicodeScalar(value) else { return nil }
      return .char(Character(scalar))
    }
  }
}
