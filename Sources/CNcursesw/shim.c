/* The wide-character API (cchar_t, wget_wch, setcchar) is only declared with these set, and
 * SwiftPM does not pass pkg-config's -D flags, so they must come before any header. */
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#define _DEFAULT_SOURCE 1

#include <ncurses.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "CNcursesw.h"

static SCREEN *cn_screen;
static FILE *cn_tty_file;
static FILE *cn_device_input;
static FILE *cn_device_output;
static int cn_in_fd = -1;
static int cn_out_fd = -1;
static struct termios cn_saved_termios;
static volatile sig_atomic_t cn_have_saved_termios;
static volatile sig_atomic_t cn_active_flag;
static volatile sig_atomic_t cn_mouse_flag;
static volatile sig_atomic_t cn_resumed_flag;
static int cn_atexit_registered;

static const char cn_reset_sequence[] = "\033[?1003l\033[?1006l\033[?1000l\033[?1049l\033[?25h";
static const char cn_mouse_on_sequence[] = "\033[?1003h\033[?1006h";
static const char cn_mouse_off_sequence[] = "\033[?1003l\033[?1006l\033[?1000l";
static const char cn_reenter_sequence[] = "\033[?1049h\033[?25l";

/* Signals that end the process: restore, then die by the same signal so the parent sees
 * the right status. */
static const int cn_terminating_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
/* Crashes (Swift traps are SIGILL or SIGTRAP): restore, then hand over to whatever was
 * installed before (the Swift backtracer, or the default action). */
static const int cn_fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};

#define CN_SIGNAL_SLOTS 65
static struct sigaction cn_previous_actions[CN_SIGNAL_SLOTS];
static int cn_installed[CN_SIGNAL_SLOTS];

static void cn_write_all(int fd, const char *bytes, size_t count) {
  if (fd < 0) return;
  while (count > 0) {
    ssize_t written = write(fd, bytes, count);
    if (written < 0) {
      if (errno == EINTR) continue;
      return;
    }
    bytes += written;
    count -= (size_t)written;
  }
}

void cn_restore_terminal_signal_safe(void) {
  int saved_errno = errno;
  cn_write_all(cn_out_fd, cn_reset_sequence, sizeof cn_reset_sequence - 1);
  if (cn_have_saved_termios) tcsetattr(cn_in_fd, TCSANOW, &cn_saved_termios);
  errno = saved_errno;
}

static void cn_terminating_handler(int sig) {
  if (cn_active_flag) cn_restore_terminal_signal_safe();
  cn_active_flag = 0;
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  sigaction(sig, &action, NULL);
  /* Blocked while this handler runs; delivered with the default action on return. */
  raise(sig);
}

static void cn_fatal_handler(int sig, siginfo_t *info, void *context) {
  if (cn_active_flag) cn_restore_terminal_signal_safe();
  cn_active_flag = 0;
  struct sigaction previous;
  memset(&previous, 0, sizeof previous);
  previous.sa_handler = SIG_DFL;
  if (sig > 0 && sig < CN_SIGNAL_SLOTS && cn_installed[sig]) previous = cn_previous_actions[sig];
  if (info != NULL && info->si_code <= 0) {
    /* Sent (kill, raise, abort), not a fault. A handler that returns (the Swift backtracer
     * does, expecting a fault to happen again) would let the program carry on with the
     * terminal already given back: call it here, then die of the signal. */
    if ((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction != NULL) {
      previous.sa_sigaction(sig, info, context);
    } else if (!(previous.sa_flags & SA_SIGINFO) && previous.sa_handler != SIG_DFL &&
               previous.sa_handler != SIG_IGN) {
      previous.sa_handler(sig);
    }
    signal(sig, SIG_DFL);
    /* Blocked while this handler runs; delivered with the default action on return. */
    raise(sig);
    return;
  }
  /* A fault: hand over to the previous handler; the faulting instruction runs again. */
  sigaction(sig, &previous, NULL);
  raise(sig);
}

static void cn_take_slot(int sig, struct sigaction *action) {
  if (sig <= 0 || sig >= CN_SIGNAL_SLOTS || cn_installed[sig]) return;
  struct sigaction previous;
  if (sigaction(sig, NULL, &previous) != 0) return;
  /* An ignored signal (nohup) stays ignored. */
  if (previous.sa_handler == SIG_IGN && !(previous.sa_flags & SA_SIGINFO)) return;
  sigemptyset(&action->sa_mask);
  if (sigaction(sig, action, &cn_previous_actions[sig]) == 0) cn_installed[sig] = 1;
}

static void cn_install(int sig, void (*handler)(int)) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = handler;
  cn_take_slot(sig, &action);
}

static void cn_install_with_info(int sig, void (*handler)(int, siginfo_t *, void *)) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = handler;
  action.sa_flags = SA_SIGINFO;
  cn_take_slot(sig, &action);
}

static void cn_uninstall(int sig) {
  if (sig <= 0 || sig >= CN_SIGNAL_SLOTS || !cn_installed[sig]) return;
  sigaction(sig, &cn_previous_actions[sig], NULL);
  cn_installed[sig] = 0;
}

static void cn_stop_process(void) {
  struct sigaction default_action, previous;
  memset(&default_action, 0, sizeof default_action);
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  sigaction(SIGTSTP, &default_action, &previous);
  sigset_t tstp, old_mask;
  sigemptyset(&tstp);
  sigaddset(&tstp, SIGTSTP);
  raise(SIGTSTP);
  /* Inside a SIGTSTP handler the signal is blocked: unblocking delivers it and stops here. */
  sigprocmask(SIG_UNBLOCK, &tstp, &old_mask);
  sigprocmask(SIG_SETMASK, &old_mask, NULL);
  sigaction(SIGTSTP, &previous, NULL);
}

/* SIGTSTP from outside (kill -TSTP; Ctrl-Z itself arrives as a key in raw mode). Only
 * async-signal-safe calls: the Swift side repaints when it sees the resumed flag. */
static void cn_tstp_handler(int sig) {
  (void)sig;
  int saved_errno = errno;
  struct termios curses_termios;
  int was_active = cn_active_flag;
  int have_curses_termios = 0;
  if (was_active) {
    have_curses_termios = tcgetattr(cn_in_fd, &curses_termios) == 0;
    cn_restore_terminal_signal_safe();
  }
  cn_stop_process();
  if (was_active && cn_active_flag) {
    if (have_curses_termios) tcsetattr(cn_in_fd, TCSANOW, &curses_termios);
    cn_write_all(cn_out_fd, cn_reenter_sequence, sizeof cn_reenter_sequence - 1);
    if (cn_mouse_flag) cn_write_all(cn_out_fd, cn_mouse_on_sequence, sizeof cn_mouse_on_sequence - 1);
    cn_resumed_flag = 1;
  }
  errno = saved_errno;
}

static void cn_atexit_restore(void) { cn_end(); }

static void cn_close_files(void) {
  if (cn_tty_file != NULL) fclose(cn_tty_file);
  if (cn_device_input != NULL) fclose(cn_device_input);
  if (cn_device_output != NULL) fclose(cn_device_output);
  cn_tty_file = cn_device_input = cn_device_output = NULL;
  cn_in_fd = cn_out_fd = -1;
}

static void cn_install_handlers(void) {
  for (size_t i = 0; i < sizeof cn_terminating_signals / sizeof cn_terminating_signals[0]; i++)
    cn_install(cn_terminating_signals[i], cn_terminating_handler);
  for (size_t i = 0; i < sizeof cn_fatal_signals / sizeof cn_fatal_signals[0]; i++)
    cn_install_with_info(cn_fatal_signals[i], cn_fatal_handler);
  /* Installed before newterm so ncurses keeps its own SIGTSTP handler out (it would not
   * switch mouse tracking back on). */
  cn_install(SIGTSTP, cn_tstp_handler);
}

static void cn_uninstall_handlers(void) {
  for (size_t i = 0; i < sizeof cn_terminating_signals / sizeof cn_terminating_signals[0]; i++)
    cn_uninstall(cn_terminating_signals[i]);
  for (size_t i = 0; i < sizeof cn_fatal_signals / sizeof cn_fatal_signals[0]; i++)
    cn_uninstall(cn_fatal_signals[i]);
  cn_uninstall(SIGTSTP);
}

static int cn_enter(FILE *input, FILE *output, const char *terminal_type, int enable_mouse) {
  cn_in_fd = fileno(input);
  cn_out_fd = fileno(output);
  cn_have_saved_termios = tcgetattr(cn_in_fd, &cn_saved_termios) == 0;

  cn_install_handlers();
  cn_screen = newterm(terminal_type, output, input);
  if (cn_screen == NULL) {
    cn_uninstall_handlers();
    cn_close_files();
    return CN_BEGIN_NO_TERMINFO;
  }
  set_term(cn_screen);
  if (!cn_atexit_registered) {
    atexit(cn_atexit_restore);
    cn_atexit_registered = 1;
  }
  raw();
  noecho();
  nonl();
  intrflush(stdscr, FALSE);
  keypad(stdscr, TRUE);
  set_escdelay(25);
  curs_set(0);
  mouseinterval(0);
  /* Mouse reports are decoded in Swift from the raw SGR bytes (drag needs the held button);
   * removing kmous keeps ncurses from swallowing them as KEY_MOUSE. */
  define_key(NULL, KEY_MOUSE);
  if (has_colors()) {
    start_color();
    use_default_colors();
  }
  cn_mouse_flag = enable_mouse ? 1 : 0;
  cn_active_flag = 1;
  werase(stdscr);
  wrefresh(stdscr);
  /* Until a screen has been suspended once, ncurses flushes its output after every cursor
   * move (it treats the screen as not yet initialised), so a frame went out in hundreds of
   * small writes. One endwin/refresh cycle here, before anything is drawn, makes later
   * frames leave in one write. */
  def_prog_mode();
  endwin();
  wrefresh(stdscr);
  if (cn_mouse_flag) cn_write_all(cn_out_fd, cn_mouse_on_sequence, sizeof cn_mouse_on_sequence - 1);
  return CN_BEGIN_OK;
}

int cn_begin(int enable_mouse) {
  if (cn_active_flag) return CN_BEGIN_ALREADY_ACTIVE;
  setlocale(LC_ALL, "");
  if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) return cn_enter(stdin, stdout, NULL, enable_mouse);
  cn_tty_file = fopen("/dev/tty", "r+");
  if (cn_tty_file == NULL) return CN_BEGIN_NO_TTY;
  return cn_enter(cn_tty_file, cn_tty_file, NULL, enable_mouse);
}

int cn_begin_on(int input_fd, int output_fd, const char *terminal_type, int enable_mouse) {
  if (cn_active_flag) return CN_BEGIN_ALREADY_ACTIVE;
  setlocale(LC_ALL, "");
  if (!isatty(input_fd) || !isatty(output_fd)) return CN_BEGIN_NO_TTY;
  int input_copy = dup(input_fd);
  int output_copy = dup(output_fd);
  if (input_copy >= 0) cn_device_input = fdopen(input_copy, "r");
  if (output_copy >= 0) cn_device_output = fdopen(output_copy, "w");
  if (cn_device_input == NULL || cn_device_output == NULL) {
    if (cn_device_input == NULL && input_copy >= 0) close(input_copy);
    if (cn_device_output == NULL && output_copy >= 0) close(output_copy);
    cn_close_files();
    return CN_BEGIN_NO_TTY;
  }
  return cn_enter(cn_device_input, cn_device_output, terminal_type, enable_mouse);
}

void cn_end(void) {
  if (!cn_active_flag) return;
  if (cn_mouse_flag) cn_write_all(cn_out_fd, cn_mouse_off_sequence, sizeof cn_mouse_off_sequence - 1);
  curs_set(1);
  endwin();
  cn_active_flag = 0;
  cn_restore_terminal_signal_safe();
  cn_uninstall_handlers();
  delscreen(cn_screen);
  cn_screen = NULL;
  cn_close_files();
  cn_have_saved_termios = 0;
}

void cn_release(void) {
  if (!cn_active_flag) return;
  if (cn_mouse_flag) cn_write_all(cn_out_fd, cn_mouse_off_sequence, sizeof cn_mouse_off_sequence - 1);
  endwin();
  cn_restore_terminal_signal_safe();
}

void cn_reclaim(void) {
  if (!cn_active_flag) return;
  clearok(curscr, TRUE);
  wrefresh(stdscr);
  curs_set(0);
  if (cn_mouse_flag) cn_write_all(cn_out_fd, cn_mouse_on_sequence, sizeof cn_mouse_on_sequence - 1);
  cn_resumed_flag = 1;
}

void cn_suspend(void) {
  if (!cn_active_flag) return;
  cn_release();
  cn_stop_process();
  cn_reclaim();
}

int cn_take_resumed_flag(void) {
  if (!cn_resumed_flag) return 0;
  cn_resumed_flag = 0;
  return 1;
}

int cn_is_active(void) { return cn_active_flag ? 1 : 0; }

int cn_is_utf8(void) {
  const char *codeset = nl_langinfo(CODESET);
  if (codeset == NULL) return 0;
  return strcasecmp(codeset, "UTF-8") == 0 || strcasecmp(codeset, "UTF8") == 0;
}

int cn_lines(void) { return cn_active_flag ? getmaxy(stdscr) : 0; }
int cn_cols(void) { return cn_active_flag ? getmaxx(stdscr) : 0; }
int cn_colors(void) { return (cn_active_flag && has_colors()) ? COLORS : 0; }
int cn_color_pairs(void) { return (cn_active_flag && has_colors()) ? COLOR_PAIRS : 0; }

int cn_init_pair(int pair, int fg, int bg) {
  if (!cn_active_flag) return ERR;
  return init_pair((short)pair, (short)fg, (short)bg);
}

int cn_put_cell(int y, int x, const int32_t *chars, uint32_t attrs, int pair) {
  if (!cn_active_flag) return ERR;
  wchar_t text[CCHARW_MAX + 1];
  int count = 0;
  while (count < CCHARW_MAX && chars != NULL && chars[count] != 0) {
    text[count] = (wchar_t)chars[count];
    count++;
  }
  if (count == 0) text[count++] = L' ';
  text[count] = 0;
  attr_t attributes = A_NORMAL;
  if (attrs & CN_ATTR_BOLD) attributes |= A_BOLD;
  if (attrs & CN_ATTR_DIM) attributes |= A_DIM;
  if (attrs & CN_ATTR_REVERSE) attributes |= A_REVERSE;
  if (attrs & CN_ATTR_UNDERLINE) attributes |= A_UNDERLINE;
  cchar_t cell;
  if (setcchar(&cell, text, attributes, (short)pair, NULL) == ERR) return ERR;
  /* The bottom-right cell reports ERR because the cursor cannot advance; the cell is drawn. */
  return mvwadd_wch(stdscr, y, x, &cell);
}

void cn_clear_all(void) {
  if (!cn_active_flag) return;
  werase(stdscr);
  clearok(curscr, TRUE);
}

void cn_refresh(void) {
  if (cn_active_flag) wrefresh(stdscr);
}

/* A pipe whose read end wakes cn_get_wch_wakeable; made once, kept for the process. */
static int cn_wake_fds[2] = {-1, -1};
static pthread_once_t cn_wake_once = PTHREAD_ONCE_INIT;

/* A resize wakes the wait too: ncurses's own SIGWINCH handler runs first (it makes the next
 * read return KEY_RESIZE), then a byte goes into the pipe. Without it a wait that blocks
 * until the next event would see the resize only when the signal happened to interrupt
 * this thread's poll, not another thread. */
static void cn_winch_handler(int sig, siginfo_t *info, void *context) {
  int saved_errno = errno;
  struct sigaction previous = cn_previous_actions[SIGWINCH];
  if ((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction != NULL) {
    previous.sa_sigaction(sig, info, context);
  } else if (!(previous.sa_flags & SA_SIGINFO) && previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
    previous.sa_handler(sig);
  }
  if (cn_wake_fds[1] >= 0) {
    char byte = 1;
    ssize_t written = write(cn_wake_fds[1], &byte, 1);
    (void)written;
  }
  errno = saved_errno;
}

static void cn_make_wake_pipe(void) {
  int fds[2];
  if (pipe(fds) == 0) {
    for (int i = 0; i < 2; i++) {
      fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
      fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    cn_wake_fds[0] = fds[0];
    cn_wake_fds[1] = fds[1];
    /* Made on the first wakeable read, after initscr installed ncurses's handler. */
    cn_install_with_info(SIGWINCH, cn_winch_handler);
  }
}

void cn_wake(void) {
  pthread_once(&cn_wake_once, cn_make_wake_pipe);
  if (cn_wake_fds[1] < 0) return;
  char byte = 1;
  ssize_t written = write(cn_wake_fds[1], &byte, 1); /* a full pipe already wakes */
  (void)written;
}

static int cn_read_wch(int timeout_ms, uint32_t *value, int wakeable);

int cn_get_wch(int timeout_ms, uint32_t *value) { return cn_read_wch(timeout_ms, value, 0); }

int cn_get_wch_wakeable(int timeout_ms, uint32_t *value) { return cn_read_wch(timeout_ms, value, 1); }

static int cn_read_wch(int timeout_ms, uint32_t *value, int wakeable) {
  if (!cn_active_flag) return CN_INPUT_NONE;
  wint_t ch = 0;
  int result;
  if (wakeable) pthread_once(&cn_wake_once, cn_make_wake_pipe);
  if (wakeable && timeout_ms > 0 && cn_wake_fds[0] >= 0) {
    /* What ncurses holds or the device has now, then a wait on both the device and the pipe. */
    wtimeout(stdscr, 0);
    result = wget_wch(stdscr, &ch);
    if (result == ERR) {
      struct pollfd fds[2] = {{.fd = cn_in_fd, .events = POLLIN, .revents = 0},
                              {.fd = cn_wake_fds[0], .events = POLLIN, .revents = 0}};
      int ready = poll(fds, 2, timeout_ms);
      if (ready > 0 && (fds[1].revents & POLLIN)) {
        char drain[64];
        while (read(cn_wake_fds[0], drain, sizeof drain) > 0) {
        }
      }
      /* Also after EINTR: a resize (SIGWINCH) shows up as KEY_RESIZE here. */
      if (ready != 0 && !(ready > 0 && !fds[0].revents)) result = wget_wch(stdscr, &ch);
    }
  } else {
    wtimeout(stdscr, timeout_ms);
    result = wget_wch(stdscr, &ch);
  }
  if (result == ERR) {
    /* A timeout, or a terminal that went away without SIGHUP reaching us (nohup, a closed
     * pty): then every read fails at once and the caller would spin, so say so. */
    struct pollfd input = {.fd = cn_in_fd, .events = POLLIN, .revents = 0};
    if (poll(&input, 1, 0) > 0 && (input.revents & (POLLHUP | POLLERR | POLLNVAL))) return CN_INPUT_CLOSED;
    return CN_INPUT_NONE;
  }
  if (value != NULL) *value = (uint32_t)ch;
  return result == KEY_CODE_YES ? CN_INPUT_KEYCODE : CN_INPUT_CHAR;
}

cn_key_codes_t cn_key_codes(void) {
  cn_key_codes_t codes;
  codes.up = KEY_UP;
  codes.down = KEY_DOWN;
  codes.left = KEY_LEFT;
  codes.right = KEY_RIGHT;
  codes.home = KEY_HOME;
  codes.end = KEY_END;
  codes.pageUp = KEY_PPAGE;
  codes.pageDown = KEY_NPAGE;
  codes.deleteChar = KEY_DC;
  codes.insertChar = KEY_IC;
  codes.backspace = KEY_BACKSPACE;
  codes.enter = KEY_ENTER;
  codes.backTab = KEY_BTAB;
  codes.resize = KEY_RESIZE;
  codes.mouse = KEY_MOUSE;
  codes.f0 = KEY_F0;
  return codes;
}
