/* SPDX-License-Identifier: MIT */
/*
 * ascii.h - the one set of ASCII helpers: blanks and case folding that do
 * not depend on the locale (isspace and tolower do, and would read a
 * multibyte character's bytes as letters in some locales).
 */
#ifndef CS_ASCII_H
#define CS_ASCII_H

#include <stddef.h>
#include <string.h>

/* Space, tab, newline, carriage return, vertical tab, form feed. */
static inline int cs_ascii_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static inline unsigned char cs_ascii_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Case-insensitive equality of NUL-terminated a and b[0..blen) (b need
 * not be terminated). */
static inline int cs_ascii_eqn(const char *a, const char *b, size_t blen)
{
	size_t i;

	for (i = 0; i < blen; i++)
		if (a[i] == '\0' || cs_ascii_lower((unsigned char)a[i]) != cs_ascii_lower((unsigned char)b[i]))
			return 0;
	return a[blen] == '\0';
}

/* Case-insensitive equality of two NUL-terminated strings. */
static inline int cs_ascii_ieq(const char *a, const char *b)
{
	return cs_ascii_eqn(a, b, strlen(b));
}

#endif
