/* SPDX-License-Identifier: MIT */
/*
 * forward.c - the forwarders generated from odbc_api.def.
 *
 * A forwarded call is one compare that checks the handle and that it
 * has no diagnostics of credshim's to reset, and a tail call into the
 * target: no lock, no allocation, no conversion when the target has the
 * variant called.  Everything else (another kind, a dead handle,
 * diagnostics to reset, a missing entry point, A/W conversion) is in the
 * cold cs_slow* twin of each forwarder.  docs/benchmarks.md counts the
 * instructions.
 */
#include "api/api.h"

/* The target handle in a row's argument list: a local of each function. */
#define CS_T (cs_t)

/* Only a connection handle can exist without a target: statements and
 * descriptors are allocated on an open connection and freed with it. */
#define CS_MAY_BE_CLOSED_DBC  1
#define CS_MAY_BE_CLOSED_STMT 0
#define CS_MAY_BE_CLOSED_DESC 0

/*
 * The fast path: a live handle of the kind, without own diagnostics to
 * reset (tag and dirty are one 64-bit word, compared with CS_TAG in one
 * instruction), with a target entry point to call.  It ends in a tail
 * call either way, to the target or to the cold cs_slow* twin that does
 * the full work, so the forwarder needs no frame.  A slow twin gets the
 * application's arguments as they came and checks the handle itself.
 */
#define CS_CLEAN(o, kind) \
	((o) && (o)->tag_dirty == CS_TAG(CS_KIND_##kind) && (!CS_MAY_BE_CLOSED_##kind || (o)->drv))
#define CS_COLD __attribute__((noinline, cold))
#define CS_HAND(...)

/*
 * SQLGetData's buffer length rule (cs_cbuflen, api.h) in the generated
 * code.  A forwarder leaves an odd length, which is rare, to its slow twin
 * (cs_fast is 1 in a forwarder, 0 in a slow twin), so that the usual even
 * length costs one test and branch: the rule changes only odd lengths.
 */
#define cs_cbuflen(ctype, buflen)                                               \
	({                                                                      \
		if (cs_fast && __builtin_expect((buflen) & 1, 0))               \
			goto cs_slow_path;                                      \
		cs_fast ? (buflen) : cs_cbuflen(ctype, buflen);                 \
	})
#define CS_UNUSED __attribute__((unused))

#define CS_TCHAR SQLCHAR
#define CS_FWD(name, api, kind, params, args)                                   \
	static CS_COLD SQLRETURN cs_slow_##name params                          \
	{                                                                       \
		struct cs_handle *o = cs_get(CS_HNAME_##kind, CS_KIND_##kind);  \
		SQLHANDLE cs_t;                                                 \
		const int cs_fast CS_UNUSED = 0;                                \
		cs_pf_##name fn;                                                \
		if (!o)                                                         \
			return SQL_INVALID_HANDLE;                              \
	cs_slow_path: CS_UNUSED;                                                \
		cs_diag_reset(o);                                               \
		if (!o->drv || !(fn = (cs_pf_##name)o->drv->a[CS_FN_##name]))   \
			return cs_not_supported(o, #name);                      \
		cs_t = o->target;                                               \
		return fn args;                                                 \
	}                                                                       \
	CS_EXPORT SQLRETURN SQL_API name params                                 \
	{                                                                       \
		struct cs_handle *o = CS_HNAME_##kind;                          \
		SQLHANDLE cs_t;                                                 \
		int cs_fast CS_UNUSED = 1;                                      \
		cs_pf_##name fn;                                                \
		if (__builtin_expect(CS_CLEAN(o, kind), 1) &&                   \
		    (fn = (cs_pf_##name)o->drv->a[CS_FN_##name])) {             \
			cs_t = o->target;                                       \
			return fn args;                                         \
		}                                                               \
	cs_slow_path: CS_UNUSED;                                                \
		cs_fast = 0;                                                    \
		cs_t = CS_HNAME_##kind;                                         \
		return cs_slow_##name args;                                     \
	}
/* Variant-blind pairs (no strings): either name reaches the target's own
 * variant when it has one, else the other. */
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
	CS_EXPORT SQLRETURN SQL_API name params                                 \
	{                                                                       \
		struct cs_handle *o = cs_get(CS_HNAME_##kind, CS_KIND_##kind);  \
		SQLHANDLE cs_t = NULL;                                          \
		if (!o)                                                         \
			return SQL_INVALID_HANDLE;                              \
		return cs_fwdw_##name(o, 0, CS_XARGS args);                     \
	}                                                                       \
	CS_EXPORT SQLRETURN SQL_API name##W params                              \
	{                                                                       \
		struct cs_handle *o = cs_get(CS_HNAME_##kind, CS_KIND_##kind);  \
		SQLHANDLE cs_t = NULL;                                          \
		if (!o)                                                         \
			return SQL_INVALID_HANDLE;                              \
		return cs_fwdw_##name(o, 1, CS_XARGS args);                     \
	}
#define CS_PAIR(name, api, kind, params, args)                                  \
	static CS_COLD SQLRETURN cs_slowa_##name params                         \
	{                                                                       \
		struct cs_handle *o = cs_get(CS_HNAME_##kind, CS_KIND_##kind);  \
		SQLHANDLE cs_t;                                                 \
		const int cs_fast CS_UNUSED = 0;                                \
		cs_pfa_##name fn;                                               \
		if (!o)                                                         \
			return SQL_INVALID_HANDLE;                              \
	cs_slow_path: CS_UNUSED;                                                \
		cs_diag_reset(o);                                               \
		if (!o->drv)                                                    \
			return cs_not_supported(o, #name);                      \
		cs_t = o->target;                                               \
		if ((fn = (cs_pfa_##name)o->drv->a[CS_FN_##name]))              \
			return fn args;                                         \
		return cs_x_##name(o, 0, CS_XARGS args);                        \
	}                                                                       \
	CS_EXPORT SQLRETURN SQL_API name params                                 \
	{                                                                       \
		struct cs_handle *o = CS_HNAME_##kind;                          \
		SQLHANDLE cs_t;                                                 \
		int cs_fast CS_UNUSED = 1;                                      \
		cs_pfa_##name fn;                                               \
		if (__builtin_expect(CS_CLEAN(o, kind), 1) &&                   \
		    (fn = (cs_pfa_##name)o->drv->a[CS_FN_##name])) {            \
			cs_t = o->target;                                       \
			return fn args;                                         \
		}                                                               \
	cs_slow_path: CS_UNUSED;                                                \
		cs_fast = 0;                                                    \
		cs_t = CS_HNAME_##kind;                                         \
		return cs_slowa_##name args;                                    \
	}
#define CS_XPARAMS(...) __VA_ARGS__
#define CS_XARGS(...) __VA_ARGS__
#include "core/odbc_api.def"
#undef CS_FWD
#undef CS_FWDW
#undef CS_PAIR
#undef CS_TCHAR

#define CS_TCHAR SQLWCHAR
#define CS_FWD(name, api, kind, params, args)
#define CS_FWDW(name, api, kind, params, args)
#define CS_PAIR(name, api, kind, params, args)                                  \
	static CS_COLD SQLRETURN cs_sloww_##name params                         \
	{                                                                       \
		struct cs_handle *o = cs_get(CS_HNAME_##kind, CS_KIND_##kind);  \
		SQLHANDLE cs_t;                                                 \
		const int cs_fast CS_UNUSED = 0;                                \
		cs_pfw_##name fn;                                               \
		if (!o)                                                         \
			return SQL_INVALID_HANDLE;                              \
	cs_slow_path: CS_UNUSED;                                                \
		cs_diag_reset(o);                                               \
		if (!o->drv)                                                    \
			return cs_not_supported(o, #name "W");                  \
		cs_t = o->target;                                               \
		if ((fn = (cs_pfw_##name)o->drv->w[CS_FN_##name]))              \
			return fn args;                                         \
		if (!cs_target_admits(o, api))                                  \
			return cs_disowned(o);                                  \
		return cs_x_##name(o, 1, CS_XARGS args);                        \
	}                                                                       \
	CS_EXPORT SQLRETURN SQL_API name##W params                              \
	{                                                                       \
		struct cs_handle *o = CS_HNAME_##kind;                          \
		SQLHANDLE cs_t;                                                 \
		int cs_fast CS_UNUSED = 1;                                      \
		cs_pfw_##name fn;                                               \
		if (__builtin_expect(CS_CLEAN(o, kind), 1) &&                   \
		    (fn = (cs_pfw_##name)o->drv->w[CS_FN_##name])) {            \
			cs_t = o->target;                                       \
			return fn args;                                         \
		}                                                               \
	cs_slow_path: CS_UNUSED;                                                \
		cs_fast = 0;                                                    \
		cs_t = CS_HNAME_##kind;                                         \
		return cs_sloww_##name args;                                    \
	}
#include "core/odbc_api.def"
#undef CS_FWD
#undef CS_FWDW
#undef CS_PAIR
#undef CS_TCHAR
