import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A real terminal for end-to-end tests: a detached tmux server on its own socket running
/// one command in a pane of a fixed size. Keys and raw bytes go in with `send-keys`; the
/// screen comes back with `capture-pane`; terminal modes (alternate screen, cursor, mouse
/// tracking) come from tmux's format variables. The server is killed by `kill()` or when
/// the session is released.
///
/// The pane stays after its command exits (`remain-on-exit`), so a test can still read the
/// final screen and the exit status.
public final class TmuxSession {
  /// How long a wait lasts before it fails. A wait ends as soon as the screen matches, so
  /// this only bounds a hang; it is long because a debug binary under the whole suite on two
  /// cores can take many seconds to draw.
  public static let defaultWait: Duration = .seconds(60)

  public enum Failure: Error, CustomStringConvertible {
    case tmuxMissing
    case commandFailed(arguments: [String], status: Int32, stderr: String)
    case timedOut(waitingFor: String, screen: String)

    public var description: String {
      switch self {
      case .tmuxMissing:
        return "tmux is not installed or not on PATH: the real-terminal tests need it (apt-get install -y tmux)"
      case .commandFailed(let arguments, let status, let stderr):
        return "tmux \(arguments.joined(separator: " ")) failed with status \(status): \(stderr)"
      case .timedOut(let waitingFor, let screen):
        return "timed out waiting for \(waitingFor); the pane shows:\n\(screen)"
      }
    }
  }

  /// What tmux knows about the pane's terminal modes.
  public struct PaneState: Equatable {
    public var alternateScreen: Bool
    public var cursorVisible: Bool
    /// `\e[?1003h` (any-motion tracking).
    public var mouseAnyMotion: Bool
    /// `\e[?1002h` (button-motion tracking).
    public var mouseButtonMotion: Bool
    /// `\e[?1000h` (press and release only).
    public var mouseStandard: Bool
    /// `\e[?1006h` (SGR encoding).
    public var mouseSGR: Bool
    public var cursorX: Int
    public var cursorY: Int
    public var width: Int
    public var height: Int
    /// The pane's command has exited.
    public var dead: Bool
    public var exitStatus: Int?
    /// The signal that ended the command, if one did.
    public var exitSignal: Int?

    /// Mouse tracking fully off, cursor shown, main screen: how a well-behaved program
    /// leaves the terminal.
    public var isRestored: Bool {
      !alternateScreen && cursorVisible && !mouseAnyMotion && !mouseButtonMotion && !mouseStandard && !mouseSGR
    }
  }

  public let socket: String
  public let width: Int
  public let height: Int
  private let tmux: URL
  /// Holds the tmux client's output files.
  private let scratch: String
  private var alive = true

  /// Starts `command` (run by tmux through the shell) in a detached `width` x `height`
  /// pane. `environment` is added to the pane's environment; `terminalType` becomes its
  /// TERM (tmux's default is "screen", an 8-colour terminal). A crashing Swift program would
  /// otherwise sit in the backtracer's interactive prompt, so that is switched off unless
  /// `environment` says otherwise.
  public init(
    command: String, width: Int = 100, height: Int = 30, environment: [String: String] = [:],
    terminalType: String = "tmux-256color", workingDirectory: String? = nil
  ) throws {
    guard let tmux = Self.findExecutable("tmux") else { throw Failure.tmuxMissing }
    self.tmux = tmux
    self.width = width
    self.height = height
    socket = "stagehand-test-\(getpid())-\(UUID().uuidString.prefix(8))"
    scratch = FileManager.default.temporaryDirectory.appendingPathComponent(socket).path
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    var newSession = ["new-session", "-d", "-s", "test", "-x", String(width), "-y", String(height)]
    if let workingDirectory { newSession += ["-c", workingDirectory] }
    var paneEnvironment = environment
    if paneEnvironment["SWIFT_BACKTRACE"] == nil { paneEnvironment["SWIFT_BACKTRACE"] = "interactive=no" }
    for (key, value) in paneEnvironment.sorted(by: { $0.key < $1.key }) { newSession += ["-e", "\(key)=\(value)"] }
    newSession.append(command)
    try run(
      [
        "start-server", ";", "set-option", "-g", "exit-empty", "off", ";",
        "set-option", "-g", "default-terminal", terminalType, ";",
        "set-option", "-g", "remain-on-exit", "on", ";",
      ] + newSession)
  }

  deinit {
    kill()
  }

  /// Sends keys by tmux name ("Enter", "Escape", "Up", "C-c", "F5") or literal words.
  public func sendKeys(_ keys: String...) throws {
    try run(["send-keys", "-t", "test"] + keys)
  }

  /// Sends `text` literally, character by character, as typed.
  public func sendRaw(_ text: String) throws {
    try run(["send-keys", "-t", "test", "-l", text])
  }

  /// Sends exact bytes (escape sequences such as mouse reports).
  public func sendBytes(_ bytes: [UInt8]) throws {
    guard !bytes.isEmpty else { return }
    try run(["send-keys", "-t", "test", "-H"] + bytes.map { String(format: "%02x", $0) })
  }

  /// An xterm SGR mouse report at 0-based cell (x, y), as a terminal with `\e[?1006h` sends
  /// it: `button` is 0 left, 1 middle, 2 right, +32 for motion, 64/65 for the wheel.
  public func sendSGRMouse(button: Int, x: Int, y: Int, release: Bool = false) throws {
    try sendBytes(Array("\u{1B}[<\(button);\(x + 1);\(y + 1)\(release ? "m" : "M")".utf8))
  }

  /// A left-button drag as a terminal with any-motion tracking reports it: a press at
  /// `from`, motion reports through every cell on the straight path, a release at `to`.
  public func dragMouse(from: (x: Int, y: Int), to: (x: Int, y: Int), button: Int = 0) throws {
    for report in Self.sgrDragReports(from: from, to: to, button: button) {
      try sendBytes(Array(report.utf8))
    }
  }

  public static func sgrDragReports(from: (x: Int, y: Int), to: (x: Int, y: Int), button: Int = 0) -> [String] {
    func report(_ code: Int, _ x: Int, _ y: Int, _ final: String) -> String {
      "\u{1B}[<\(code);\(x + 1);\(y + 1)\(final)"
    }
    return [report(button, from.x, from.y, "M")]
      + MousePath.points(from: from, to: to).dropFirst().map { report(button + 32, $0.x, $0.y, "M") }
      + [report(button, to.x, to.y, "m")]
  }

  /// The visible screen as text, one line per row (trailing spaces trimmed by tmux);
  /// `escapes` keeps colour and attribute sequences.
  public func capture(escapes: Bool = false) throws -> String {
    try run(["capture-pane", "-p", "-t", "test"] + (escapes ? ["-e"] : []))
  }

  /// Polls the screen until it contains `text`; returns that screen.
  @discardableResult
  public func waitFor(_ text: String, timeout: Duration = TmuxSession.defaultWait) throws -> String {
    try waitUntil("\"\(text)\"", timeout: timeout) { $0.contains(text) }
  }

  /// Polls the screen until `predicate` holds; returns that screen.
  @discardableResult
  public func waitUntil(
    _ description: String, timeout: Duration = TmuxSession.defaultWait, _ predicate: (String) -> Bool
  ) throws
    -> String
  {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    var screen = try capture()
    while !predicate(screen) {
      guard clock.now < deadline else { throw Failure.timedOut(waitingFor: description, screen: screen) }
      usleep(50_000)
      screen = try capture()
    }
    return screen
  }

  /// Expands a tmux format for the pane, e.g. "#{pane_title}".
  public func display(_ format: String) throws -> String {
    try run(["display-message", "-p", "-t", "test", format]).trimmingCharacters(in: .newlines)
  }

  public func paneState() throws -> PaneState {
    let variables = [
      "alternate_on", "cursor_flag", "mouse_any_flag", "mouse_button_flag", "mouse_standard_flag", "mouse_sgr_flag",
      "cursor_x", "cursor_y", "pane_width", "pane_height", "pane_dead", "pane_dead_status", "pane_dead_signal",
    ]
    let format = variables.map { "#{\($0)}" }.joined(separator: "|")
    let output = try run(["display-message", "-p", "-t", "test", format])
    let fields = output.trimmingCharacters(in: .whitespacesAndNewlines).split(
      separator: "|", omittingEmptySubsequences: false
    ).map(String.init)
    guard fields.count == variables.count else {
      throw Failure.commandFailed(arguments: ["display-message", format], status: 0, stderr: "unexpected: \(output)")
    }
    return PaneState(
      alternateScreen: fields[0] == "1", cursorVisible: fields[1] == "1", mouseAnyMotion: fields[2] == "1",
      mouseButtonMotion: fields[3] == "1", mouseStandard: fields[4] == "1", mouseSGR: fields[5] == "1",
      cursorX: Int(fields[6]) ?? -1, cursorY: Int(fields[7]) ?? -1, width: Int(fields[8]) ?? -1,
      height: Int(fields[9]) ?? -1, dead: fields[10] == "1", exitStatus: Int(fields[11]),
      exitSignal: Int(fields[12]))
  }

  /// Waits for the pane's command to exit and returns the pane's final state.
  @discardableResult
  public func waitForExit(timeout: Duration = TmuxSession.defaultWait) throws -> PaneState {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    var state = try paneState()
    var deadSince: ContinuousClock.Instant?
    // tmux marks the pane dead when the pty closes, and learns the status a moment later,
    // when it reaps the process. Under load tmux 3.3a can miss the SIGCHLD and leave the
    // process a zombie, the status never learnt: a SIGCHLD sent to the server makes it reap.
    while !(state.dead && (state.exitStatus != nil || state.exitSignal != nil)) {
      guard clock.now < deadline else {
        throw Failure.timedOut(waitingFor: "the command to exit", screen: try capture())
      }
      if state.dead {
        if let since = deadSince, clock.now - since > .milliseconds(500) {
          try nudgeServer()
          deadSince = clock.now
        } else if deadSince == nil {
          deadSince = clock.now
        }
      }
      usleep(50_000)
      state = try paneState()
    }
    return state
  }

  /// Sends the tmux server a SIGCHLD, so it reaps a child whose exit it missed.
  private func nudgeServer() throws {
    let text = try run(["display-message", "-p", "-t", "test", "#{pid}"])
    guard let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 else { return }
    #if canImport(Glibc)
      _ = Glibc.kill(pid, SIGCHLD)
    #elseif canImport(Darwin)
      _ = Darwin.kill(pid, SIGCHLD)
    #endif
  }

  /// `command` followed by a line reporting its exit status, after which the pane's shell
  /// waits: the pane stays live, so `paneState()` shows the modes the program left behind
  /// (a dead pane's modes are tmux's, not the program's).
  public static func reportingExit(_ command: String) -> String {
    "(\(command)); printf '\\n[exit %d]\\n' $?; exec sleep 3600"
  }

  /// Like `reportingExit`, and then a line with the pane's echo and canonical-input modes
  /// as `stty` sees them once the command has gone: "[tty echo icanon]" when they are back
  /// on, "-echo" or "-icanon" where one was left off.
  public static func reportingExitAndTerminalModes(_ command: String) -> String {
    "(\(command)); printf '\\n[exit %d]\\n' $?; "
      + "printf '[tty %s %s]\\n' $(stty -a | tr ' ;' '\\n\\n' | grep -E -x -e '-?echo' -e '-?icanon'); "
      + "exec sleep 3600"
  }

  /// Waits for the line `reportingExitAndTerminalModes` prints after the exit report and
  /// returns the modes in it ("echo", "icanon", or "-echo", "-icanon").
  public func waitForTerminalModes(timeout: Duration = TmuxSession.defaultWait) throws -> Set<String> {
    let screen = try waitUntil("the terminal modes line", timeout: timeout) { $0.contains("[tty ") }
    let line = screen.split(separator: "\n").last { $0.hasPrefix("[tty ") && $0.hasSuffix("]") } ?? ""
    return Set(line.dropFirst(5).dropLast().split(separator: " ").map(String.init))
  }

  /// Waits for the line `reportingExit` prints and returns the exit status in it.
  public func waitForExitReport(timeout: Duration = TmuxSession.defaultWait) throws -> Int {
    let screen = try waitUntil("an exit report", timeout: timeout) { Self.exitReport(in: $0) != nil }
    return Self.exitReport(in: screen) ?? -1
  }

  private static func exitReport(in screen: String) -> Int? {
    for line in screen.split(separator: "\n").reversed() where line.hasPrefix("[exit ") && line.hasSuffix("]") {
      return Int(line.dropFirst(6).dropLast())
    }
    return nil
  }

  /// Resizes the window (the program gets SIGWINCH).
  public func resize(width: Int, height: Int) throws {
    try run(["resize-window", "-t", "test", "-x", String(width), "-y", String(height)])
  }

  /// The pid of the pane's command, to signal it.
  public func panePID() throws -> Int32 {
    let output = try run(["display-message", "-p", "-t", "test", "#{pane_pid}"])
    guard let pid = Int32(output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
      throw Failure.commandFailed(arguments: ["display-message", "#{pane_pid}"], status: 0, stderr: output)
    }
    return pid
  }

  public func kill() {
    guard alive else { return }
    alive = false
    _ = try? run(["kill-server"])
    try? FileManager.default.removeItem(atPath: scratch)
    // tmux can leave its socket file behind; it lives in $TMUX_TMPDIR/tmux-<uid>/.
    let directory = ProcessInfo.processInfo.environment["TMUX_TMPDIR"] ?? "/tmp"
    unlink("\(directory)/tmux-\(getuid())/\(socket)")
  }

  /// Runs the tmux client with posix_spawn, its output going to files: the client forks the
  /// server, and waiting on pipes or on Foundation's `Process` bookkeeping has proved able to
  /// hang while tests run in parallel; a file plus `waitpid` on the one child cannot.
  @discardableResult
  private func run(_ arguments: [String]) throws -> String {
    let stamp = UUID().uuidString
    let outputPath = "\(scratch)/out-\(stamp)"
    let errorPath = "\(scratch)/err-\(stamp)"
    defer {
      unlink(outputPath)
      unlink(errorPath)
    }
    var actions = emptySpawnFileActions()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

    let argv = ([tmux.path, "-f", "/dev/null", "-L", socket] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let environment = ProcessInfo.processInfo.environment.filter { $0.key != "TMUX" }
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { envp.forEach { free($0) } }

    // The test runner's threads block most signals and a spawned process inherits the mask:
    // a tmux server (and so the program under test) with SIGCHLD, SIGWINCH and SIGTERM
    // blocked never notices resizes, exits or kill-server. Start from a clean slate.
    var attributes = emptySpawnAttributes()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var emptyMask = sigset_t()
    sigemptyset(&emptyMask)
    posix_spawnattr_setsigmask(&attributes, &emptyMask)
    var allSignals = sigset_t()
    sigfillset(&allSignals)
    sigdelset(&allSignals, SIGKILL)
    sigdelset(&allSignals, SIGSTOP)
    posix_spawnattr_setsigdefault(&attributes, &allSignals)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, tmux.path, &actions, &attributes, argv, envp)
    guard spawned == 0 else {
      throw Failure.commandFailed(arguments: arguments, status: spawned, stderr: String(cString: strerror(spawned)))
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      guard errno == EINTR else { break }
    }
    let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    let exitCode = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    guard exitCode == 0 else {
      let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
      throw Failure.commandFailed(arguments: arguments, status: exitCode, stderr: errors)
    }
    return output
  }

  private static func findExecutable(_ name: String) -> URL? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for directory in path.split(separator: ":") {
      let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
  }
}
