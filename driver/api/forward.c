/* SPDX-License-Identifier: MIT */
/*
 * forward.c - the forwarders generated from odbc_api.def.
 *
 * A forwarded call is one compare that checks the handle and that it
 * has no diagnostics of credshim's to reset, and a tail call into the
 * target: no lock, no allocation, no conversion.  Everything else
 * (another kind, a dead handle, diagnostics to reset, a missing entry
 * point, A/W conversion) is in the cold twin of each forwarder.
 * docs/benchmarks.md counts the instructions.
 *
 * Each function variant the def generates (CS_FWD: the one name; CS_PAIR:
 * name and name##W) gets, from one macro each:
 *
 *   cs_slow_<sym>   the twin: takes the application's arguments with their
 *                   ODBC types, checks the handle, resets diagnostics, calls
 *                   the target or answers what a missing function answers;
 *   cs_fast_<sym>   the forwarder, exported as <sym>: the compare, then a
 *                   tail call into the target or into the twin.
 *
 * A CS_FWD row's forwarder calls through the driver's fast table without
 * testing the entry: where the target lacks the function, target.c put
 * the row's stub cs_miss_<name> there, which finds the credshim handle
 * from the target handle it is given and calls the twin (IM001).  A
 * pair's forwarder tests the entry and leaves a missing variant to the
 * twin, which converts to the other one: that is every call of a Unicode
 * application over an ANSI-only target, too common to pay the stub's
 * search.
 *
 * The forwarder and the stub see the arguments "as registers": a small
 * integer argument (SQLSMALLINT, SQLUSMALLINT) is declared int, so the
 * register the application filled goes on to the target untouched, as in
 * a direct call, instead of being extended again (x86-64 passes it in a
 * full register either way).  The exported symbol is an alias declared
 * with the ODBC prototype, so sql.h still checks it.
 */
#include "api/api.h"

/* The target handle in a row's argument list: a local of each function. */
#define CS_T (cs_t)

/* Only a connection handle can exist without a target: statements and
 * descriptors are allocated on an open connection and freed with it. */
#define CS_MAY_BE_CLOSED_DBC  1
#define CS_MAY_BE_CLOSED_STMT 0
#define CS_MAY_BE_CLOSED_DESC 0

/* A live handle of the kind, without own diagnostics to reset (tag and
 * dirty are one 64-bit word, compared with CS_TAG in one instruction). */
#define CS_CLEAN(o, kind) \
	((o) && (o)->tag_dirty == CS_TAG(CS_KIND_##kind) && (!CS_MAY_BE_CLOSED_##kind || (o)->drv))
#define CS_COLD __attribute__((noinline, cold))
#define CS_HAND(...)
#define CS_XPARAMS(...) __VA_ARGS__
#define CS_XARGS(...) __VA_ARGS__

/*
 * The twin, with the ODBC types.  The last arguments are what it answers
 * when the target lacks the variant called (fn is NULL): IM001, or a
 * conversion to the other variant.  A stub calls it with the credshim
 * handle in place of the target's.
 */
#define CS_SLOW(sym, name, wide, ptype, kind, params, args, ...)               \
	static CS_COLD SQLRETURN cs_slow_##sym params                           \
	{                                                                       \
		struct cs_handle *o = cs_get(CS_HNAME_##kind, CS_KIND_##kind);  \
		SQLHANDLE cs_t;                                                 \
		ptype fn;                                                       \
		if (!o)                                                         \
			return SQL_INVALID_HANDLE;                              \
		cs_diag_reset(o);                                               \
		if (!o->drv)                                                    \
			return cs_not_supported(o, #sym);                       \
		cs_t = o->target;                                               \
		fn = (ptype)(wide ? o->drv->w : o->drv->a)[CS_FN_##name];       \
		if (fn)                                                         \
			return fn args;                                         \
		__VA_ARGS__;                                                    \
	}                                                                       \
	CS_EXPORT SQLRETURN SQL_API sym params __attribute__((alias("cs_fast_" #sym)));

/*
 * The forwarder, with the registers' types (see the top).  entry is the
 * target's entry point for it: through the driver's fast table for a
 * CS_FWD row, whose missing entries hold the row's stub (nonull is 1: no
 * test); straight from a[] or w[] for a pair, whose missing variant the
 * twin converts (nonull is 0: NULL goes to the twin).  The empty asm
 * keeps the driver's address in a register of its own, so the target
 * handle can replace the handle in the first argument's register and the
 * call reads the entry from memory (jmp *off(%rax)): gcc otherwise loads
 * the entry first and moves one more register.
 */
#define CS_FAST(sym, name, kind, params, args, entry, nonull)                  \
	typedef SQLRETURN (SQL_API *cs_rf_##sym) params;                        \
	static CS_COLD SQLRETURN cs_slowr_##sym params                          \
		__attribute__((alias("cs_slow_" #sym)));                        \
	static SQLRETURN SQL_API cs_fast_##sym params                           \
	{                                                                       \
		struct cs_handle *o = CS_HNAME_##kind;                          \
		SQLHANDLE cs_t;                                                 \
		if (__builtin_expect(CS_CLEAN(o, kind), 1)) {                   \
			const struct cs_driver *drv = o->drv;                   \
			cs_rf_##sym fn;                                         \
			__asm__("" : "+r"(drv));                                \
			fn = (cs_rf_##sym)drv->entry[CS_FN_##name];             \
			if (nonull || __builtin_expect(fn != NULL, 1)) {        \
				cs_t = o->target;                               \
				return fn args;                                 \
			}                                                       \
		}                                                               \
		cs_t = CS_HNAME_##kind;                                         \
		return cs_slowr_##sym args;                                     \
	}

/*
 * The stub that stands in for a CS_FWD row's entry point the target
 * lacks: it finds the credshim handle from the target's handle it is
 * given and calls the twin, which answers IM001.  Only a call the target
 * cannot answer pays the search.
 */
#define CS_MISS(name, kind, params, args)                                       \
	static CS_COLD SQLRETURN cs_miss_##name params                          \
	{                                                                       \
		SQLHANDLE cs_t = cs_handle_by_target(CS_KIND_##kind,            \
			CS_HNAME_##kind, CS_FN_##name, (void *)cs_miss_##name); \
		if (!cs_t)                                                      \
			return SQL_INVALID_HANDLE;                              \
		return cs_slowr_##name args;                                    \
	}

/* An alias's type differs from its target's: on purpose, see the top. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wattribute-alias"

/* The twins, with the ODBC types. */
#define CS_TCHAR SQLCHAR
#define CS_FWD(name, api, kind, params, args)                                   \
	CS_SLOW(name, name, 0, cs_pf_##name, kind, params, args,                \
		return cs_not_supported(o, #name))
/* Variant-blind pairs (no strings): either name reaches the target's own
 * variant when it has one, else the other.  Not on a fetch path: no fast
 * forwarder. */
#define CS_FWDW(name, api, kind, params, args)                                  \
	static SQLRETURN cs_fwdw_##name(struct cs_handle *o, int wide,          \
					CS_XPARAMS params)                      \
	{                                                                       \
		int other;                                                      \
		SQLHANDLE cs_t;                                                 \
		cs_pf_##name fn;                                                \
		cs_diag_reset(o);                                               \
		if (!o->drv || !(fn = (cs_pf_##name)cs_fn_pick(o->drv,          \
				CS_FN_##name, wide, &other)))                   \
			return cs_not_supported(o, #name);                      \
		if (wide && other && !cs_target_admits(o, api))                 \
			return cs_disowned(o);                                  \
		cs_t = o->target;                                               \
		return fn args;                                                 \
	}                                                                       \
	CS_FWDW_ENTRY(name, name, 0, kind, params, args)                        \
	CS_FWDW_ENTRY(name##W, name, 1, kind, params, args)
#define CS_FWDW_ENTRY(sym, name, wide, kind, params, args)                      \
	CS_EXPORT SQLRETURN SQL_API sym params                                  \
	{                                                                       \
		struct cs_handle *o = cs_get(CS_HNAME_##kind, CS_KIND_##kind);  \
		SQLHANDLE cs_t = NULL;                                          \
		if (!o)                                                         \
			return SQL_INVALID_HANDLE;                              \
		return cs_fwdw_##name(o, wide, CS_XARGS args);                  \
	}
#define CS_PAIR(name, api, kind, params, args)                                  \
	CS_SLOW(name, name, 0, cs_pfa_##name, kind, params, args,               \
		return cs_x_##name(o, 0, CS_XARGS args))
#include "core/odbc_api.def"
#undef CS_PAIR
#undef CS_TCHAR
#define CS_TCHAR SQLWCHAR
#undef CS_FWD
#define CS_FWD(name, api, kind, params, args)
#undef CS_FWDW
#define CS_FWDW(name, api, kind, params, args)
#define CS_PAIR(name, api, kind, params, args)                                  \
	CS_SLOW(name##W, name, 1, cs_pfw_##name, kind, params, args,            \
		if (!cs_target_admits(o, api))                                  \
			return cs_disowned(o);                                  \
		return cs_x_##name(o, 1, CS_XARGS args))
#include "core/odbc_api.def"
#undef CS_PAIR
#undef CS_TCHAR

/* The forwarders and stubs, with the registers' types. */
#define SQLSMALLINT int
#define SQLUSMALLINT unsigned
#define CS_TCHAR SQLCHAR
#undef CS_FWD
#define CS_FWD(name, api, kind, params, args)                                   \
	CS_FAST(name, name, kind, params, args, fast, 1)                        \
	CS_MISS(name, kind, params, args)
#define CS_PAIR(name, api, kind, params, args) CS_FAST(name, name, kind, params, args, a, 0)
#include "core/odbc_api.def"
#undef CS_FWD
#undef CS_PAIR
#undef CS_TCHAR
#define CS_TCHAR SQLWCHAR
#define CS_FWD(name, api, kind, params, args)
#define CS_PAIR(name, api, kind, params, args) CS_FAST(name##W, name, kind, params, args, w, 0)
#include "core/odbc_api.def"
#undef CS_FWD
#undef CS_PAIR
#undef CS_TCHAR
#undef SQLSMALLINT
#undef SQLUSMALLINT

#pragma GCC diagnostic pop

/* The stubs, indexed like struct cs_driver's a[]. */
static void *const cs_stubs[CS_FN__COUNT] = {
#define CS_FWD(name, api, kind, params, args) [CS_FN_##name] = (void *)cs_miss_##name,
#define CS_PAIR(name, api, kind, params, args)
#include "core/odbc_api.def"
#undef CS_FWD
#undef CS_PAIR
};

/* Before any target is loaded: the library's constructor. */
__attribute__((constructor)) static void cs_forward_init(void)
{
	cs_target_set_stubs(cs_stubs);
}

#undef CS_FWDW
#undef CS_HAND
