/* SPDX-License-Identifier: MIT */
/*
 * debug.h - invariants written as assertions that compile away in release
 * builds (curl's DEBUGASSERT, SQLite's assert).
 *
 * CS_ASSERT(cond) aborts with file, line and the condition when cond is
 * false, in builds configured with -DCS_DEBUG_ASSERT=ON (the default for
 * Debug, ASan and TSan builds, driver/CMakeLists.txt); in every other build
 * the condition is not evaluated, only type-checked.  Conditions must have
 * no side effect.
 */
#ifndef CS_DEBUG_H
#define CS_DEBUG_H

#ifdef CS_DEBUG
#include <stdio.h>
#include <stdlib.h>

#define CS_ASSERT(cond) \
	((cond) ? (void)0 : \
	 (fprintf(stderr, "credshim: %s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond), \
	  abort()))
#else
#define CS_ASSERT(cond) ((void)sizeof(!(cond)))
#endif

#endif
