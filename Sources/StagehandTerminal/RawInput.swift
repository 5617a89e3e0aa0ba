/// One thing read from ncurses, before decoding: what `wget_wch` returned, or a resize the
/// terminal has already measured (the decoder cannot ask ncurses for the new size).
public enum RawInput: Hashable, Sendable {
  /// `wget_wch` returned OK: a character (a Unicode scalar value, or a raw byte).
  case character(UInt32)
  /// `wget_wch` returned KEY_CODE_YES: an ncurses key code.
  case keyCode(Int32)
  case resize(width: Int, height: Int)
}
