/* SPDX-License-Identifier: MIT */
/*
 * check.h - the few macros credshim's unit tests share.
 *
 *   CHECK(cond)            counts a pass, or prints file:line and cond
 *   CHECK_STR(got, want)   string equality, NULL-safe, prints both
 *   CHECK_INT(got, want)   integer equality, prints both
 *   return check_done("test_x");   prints the tally, 0 when all passed
 *
 * Checks never stop the program: one run reports every failure.
 */
#ifndef CS_TEST_CHECK_H
#define CS_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static unsigned check_passed, check_failed;

static inline int check_report(int ok, const char *file, int line,
			       const char *expr)
{
	if (ok) {
		check_passed++;
	} else {
		check_failed++;
		fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expr);
	}
	return ok;
}

static inline int check_str(const char *got, const char *want,
			    const char *file, int line, const char *expr)
{
	int ok = (got == NULL && want == NULL) ||
		 (got != NULL && want != NULL && strcmp(got, want) == 0);

	if (!check_report(ok, file, line, expr))
		fprintf(stderr, "    got  \"%s\"\n    want \"%s\"\n",
			got ? got : "(null)", want ? want : "(null)");
	return ok;
}

static inline int check_int(long long got, long long want, const char *file,
			    int line, const char *expr)
{
	int ok = got == want;

	if (!check_report(ok, file, line, expr))
		fprintf(stderr, "    got %lld, want %lld\n", got, want);
	return ok;
}

static inline int check_done(const char *name)
{
	printf("%s: %u passed, %u failed\n", name, check_passed, check_failed);
	return check_failed != 0;
}

#define CHECK(cond) check_report(!!(cond), __FILE__, __LINE__, #cond)
#define CHECK_STR(got, want) \
	check_str((got), (want), __FILE__, __LINE__, #got " == " #want)
#define CHECK_INT(got, want) \
	check_int((long long)(got), (long long)(want), __FILE__, __LINE__, \
		  #got " == " #want)

#endif
