/* SPDX-License-Identifier: MIT */
/*
 * esc.h - the one escaping rule for text that came from outside (the PAM's
 * id, account and message, configuration values) before it is logged or
 * put into a diagnostic (pure, no I/O).
 *
 * Escaped, so that no such string can start a new log line, hide text or
 * pass for something credshim wrote:
 *   newline, carriage return, tab        \n \r \t
 *   other control bytes (0x00-0x1f, 0x7f) \xHH
 *   bytes that are not valid UTF-8        \xHH
 *   C1 controls U+0080-U+009F, the line and paragraph separators
 *   U+2028/U+2029, and the bidirectional controls U+200E, U+200F,
 *   U+202A-U+202E, U+2066-U+2069        \uHHHH
 *   with CS_ESC_BACKSLASH, the backslash  \\  (so an escape in the
 *   output always came from the escaper; the sinks, the log and the
 *   diagnostics, leave a backslash alone: their text may hold escapes
 *   made before)
 * Everything else, valid UTF-8 included, is copied as it is.
 */
#ifndef CS_ESC_H
#define CS_ESC_H

#include <stddef.h>

#define CS_ESC_BACKSLASH 1u

/*
 * Escapes len bytes of src into dst (cap bytes, the NUL included; always
 * NUL-terminated when cap > 0), never cutting an escape or a UTF-8
 * sequence.  Returns the number of bytes of src consumed: len when all
 * of it fit.
 */
size_t cs_esc(char *dst, size_t cap, const char *src, size_t len, unsigned flags);

/*
 * Where a secret of n bytes (the API token) is quoted in text: the offset
 * of the first window of min bytes of text that occurs anywhere in the
 * secret, or -1 when none does (or either is shorter than min).
 */
long cs_esc_find_quote(const char *text, const char *secret, size_t min);

/*
 * Cuts text (a NUL-terminated string in a buffer of cap bytes) at the
 * first quote of min or more bytes of secret and puts withheld there
 * (which must not itself quote the secret: it should hold a blank, which
 * an API token never does), wiping what was cut.  Loops until no quote is
 * left.  Returns 1 when it cut, 0 otherwise.
 */
int cs_esc_scrub(char *text, size_t cap, const char *secret, size_t min, const char *withheld);

#endif
