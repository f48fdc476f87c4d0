/* SPDX-License-Identifier: MIT */
/*
 * utf.h - UTF-8 <-> UTF-16 (SQLWCHAR as unixODBC defines it: 16-bit
 * code units in host byte order) conversion (pure, no I/O).
 *
 * Invalid input (bad UTF-8 sequences, lone surrogates) is replaced with
 * U+FFFD rather than rejected: diagnostics and data from a driver must
 * reach the application even when a byte is off.
 */
#ifndef CS_UTF_H
#define CS_UTF_H

#include <stddef.h>
#include <stdint.h>

typedef uint16_t cs_u16;

/* Length in code units of a NUL-terminated UTF-16 string. */
size_t cs_u16_len(const cs_u16 *s);
/* Length in code units of s up to its first NUL, at most max. */
size_t cs_u16_nlen(const cs_u16 *s, size_t max);

/*
 * Converts n bytes of UTF-8 to UTF-16 into out (capacity outcap code
 * units, room for the NUL included).  Always NUL-terminates when
 * outcap > 0, and never splits a surrogate pair.  Returns the number of
 * code units the whole conversion needs (excluding the NUL), like
 * snprintf: a result >= outcap means truncated.
 */
size_t cs_utf8_to_u16(const char *in, size_t n, cs_u16 *out, size_t outcap);

/*
 * Converts n code units of UTF-16 to UTF-8 into out (capacity outcap
 * bytes, NUL included).  Always NUL-terminates when outcap > 0 and never
 * splits a multi-byte sequence.  Returns the bytes the whole conversion
 * needs (excluding the NUL): a result >= outcap means truncated.
 */
size_t cs_u16_to_utf8(const cs_u16 *in, size_t n, char *out, size_t outcap);

/* malloc'ed conversions (NUL-terminated); *outlen (may be NULL) gets the
 * length in units/bytes without the NUL.  NULL on ENOMEM. */
cs_u16 *cs_utf8_to_u16_dup(const char *in, size_t n, size_t *outlen);
char *cs_u16_to_utf8_dup(const cs_u16 *in, size_t n, size_t *outlen);

#endif
