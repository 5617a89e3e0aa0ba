#ifndef CNCURSESW_H
#define CNCURSESW_H

/*
 * A thin C layer over ncursesw. Swift cannot import the macros (A_BOLD, COLOR_PAIR,
 * KEY_F(n)), the cchar_t helpers or the mutable globals (stdscr, LINES, COLS) cleanly under
 * Swift 6 strict concurrency, and the signal handlers must be plain C to stay
 * async-signal-safe. Nothing here exposes ncurses types to Swift.
 */

#include <stdint.h>

/* Style flags passed from Swift; mapped to A_* attributes in C. */
#define CN_ATTR_BOLD 1u
#define CN_ATTR_DIM 2u
#define CN_ATTR_REVERSE 4u
#define CN_ATTR_UNDERLINE 8u

/* Results of cn_begin. */
#define CN_BEGIN_OK 0
#define CN_BEGIN_NO_TTY (-1)
#define CN_BEGIN_NO_TERMINFO (-2)
#define CN_BEGIN_ALREADY_ACTIVE (-3)

/* Results of cn_get_wch (mirrors wget_wch: OK, KEY_CODE_YES, ERR). */
#define CN_INPUT_NONE (-1)
#define CN_INPUT_CHAR 0
#define CN_INPUT_KEYCODE 1
/* The terminal is gone (hung up, its pty closed): no input will ever come. */
#define CN_INPUT_CLOSED 2

/* ncurses key codes the input decoder maps. */
typedef struct {
  int32_t up, down, left, right;
  int32_t home, end, pageUp, pageDown;
  int32_t deleteChar, insertChar, backspace, enter, backTab;
  int32_t resize, mouse;
  int32_t f0; /* KEY_F(n) == f0 + n */
} cn_key_codes_t;

/* Sets the locale from the environment, opens the terminal, installs signal handlers and
 * enters curses mode. Returns one of CN_BEGIN_*. */
int cn_begin(int enable_mouse);

/* The same on a given terminal device (a pty in tests, or a terminal other than the
 * process's own) with an explicit terminfo type (NULL: $TERM). The descriptors are
 * duplicated; the caller keeps its own. */
int cn_begin_on(int input_fd, int output_fd, const char *terminal_type, int enable_mouse);

/* Leaves curses mode: mouse tracking off, endwin, cursor visible, original termios. Safe
 * to call more than once. */
void cn_end(void);

/* Writes the reset sequences with write(2) and restores the saved termios. Only
 * async-signal-safe calls: used by the signal handlers and the atexit hook. */
void cn_restore_terminal_signal_safe(void);

/* Stops the process the way Ctrl-Z would in a cooked terminal, and returns once it is
 * continued, with curses mode and mouse tracking re-entered. */
void cn_suspend(void);

/* Gives the terminal to another program (an editor) without stopping: mouse tracking off,
 * curses mode left, the original termios back. cn_reclaim takes it back. */
void cn_release(void);

/* Re-enters curses mode and mouse tracking after cn_release; the next draw repaints
 * everything. */
void cn_reclaim(void);

/* Returns 1 (and clears the flag) if the process was stopped and continued by a signal
 * since the last call, so the caller redraws everything. */
int cn_take_resumed_flag(void);

int cn_is_active(void);
int cn_is_utf8(void);
int cn_lines(void);
int cn_cols(void);
int cn_colors(void);
int cn_color_pairs(void);
int cn_init_pair(int pair, int fg, int bg);

/* Draws one grapheme (a spacing character plus up to four combining ones, terminated by a
 * zero) at (y, x) on stdscr. */
int cn_put_cell(int y, int x, const int32_t *chars, uint32_t attrs, int pair);

/* Clears the screen and makes the next refresh repaint every cell. */
void cn_clear_all(void);
void cn_refresh(void);

/* wget_wch on stdscr with a timeout in milliseconds (negative blocks; avoid). Returns
 * CN_INPUT_NONE, CN_INPUT_CHAR or CN_INPUT_KEYCODE and stores the value, or
 * CN_INPUT_CLOSED once the terminal has hung up. */
int cn_get_wch(int timeout_ms, uint32_t *value);

/* As cn_get_wch, but returns CN_INPUT_NONE early when cn_wake is called meanwhile (from any
 * thread), so work finished elsewhere is shown without waiting out the timeout. Input that
 * ncurses has already buffered is returned first. */
int cn_get_wch_wakeable(int timeout_ms, uint32_t *value);

/* Ends a cn_get_wch_wakeable wait now or, if none is under way, the next one at once.
 * Thread-safe and async-signal-safe (one write to a pipe). */
void cn_wake(void);

cn_key_codes_t cn_key_codes(void);

#endif
