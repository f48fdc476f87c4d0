/* SPDX-License-Identifier: MIT */
/*
 * forward.c - the forwarders generated from odbc_api.def.
 *
 * A forwarded call is a handle check, one branch for credshim's own
 * diagnostics, and a tail call into the target: no lock, no allocation,
 * no conversion when the target has the variant called.  Everything else
 * (diagnostics to reset, a missing entry point, A/W conversion) is in the
 * cold cs_slow* twin of each forwarder.
 */
#include "api/api.h"

#define CS_T (o->target)

/* Only a connection handle can exist without a target: statements and
 * descriptors are allocated on an open connection and freed with it. */
#define CS_MAY_BE_CLOSED_DBC  1
#define CS_MAY_BE_CLOSED_STMT 0
#define CS_MAY_BE_CLOSED_DESC 0

/*
 * The fast path: no own diagnostics to reset and a target to call.  It
 * ends in a tail call either way (to the target, or to the cs_slow
 * function that does the full work), so the forwarder needs no frame.
 * A slow twin gets the credshim handle, then the call's own arguments
 * with the target's handle in the first place (as the A/W converters do).
 */
#define CS_FAST(o, kind) \
	(__builtin_expect(!(o)->diag.dirty, 1) && (!CS_MAY_BE_CLOSED_##kind || (o)->drv))
#define CS_COLD __attribute__((noinline, cold))
#define CS_HAND(name, api, w, params)

#define CS_TCHAR SQLCHAR
#define CS_FWD(name, api, kind, params, args)                                   \
	static CS_COLD SQLRETURN cs_slow_##name(struct cs_handle *o, CS_XPARAMS params) \
	{                                                                       \
		cs_pf_##name fn;                                                \
		cs_diag_reset(o);                                               \
		if (!o->drv || !(fn = (cs_pf_##name)o->drv->a[CS_FN_##name]))   \
			return cs_not_supported(o, #name);                      \
		return fn args;                                                 \
	}                                                                       \
	CS_EXPORT SQLRETURN SQL_API name params                                 \
	{                                                                       \
		struct cs_handle *o = cs_get(CS_HNAME_##kind, CS_KIND_##kind);  \
		cs_pf_##name fn;                                                \
		if (!o)                                                         \
			return SQL_INVALID_HANDLE;                              \
		if (CS_FAST(o, kind) && (fn = (cs_pf_##name)o->drv->a[CS_FN_##name])) \
			return fn args;                                         \
		return cs_slow_##name(o, CS_XARGS args);                        \
	}
/* Variant-blind pairs (no strings): either name reaches the target's own
 * variant when it has one, else the other. */
#define CS_FWDW(name, api, kind, params, args)                                  \
	static SQLRETURN cs_fwdw_##name(struct cs_handle *o, int wide,          \
					CS_XPARAMS params)                      \
	{                                                                       \
		int other;                                                      \
		cs_pf_##name fn;                                                \
		cs_diag_reset(o);                                               \
		if (!o->drv || !(fn = (cs_pf_##name)cs_fn_pick(o->drv,          \
				CS_FN_##name, wide, &other)))                   \
			return cs_not_supported(o, #name);                      \
		if (wide && other && !cs_target_admits(o, api))                 \
			return cs_disowned(o);                                  \
		return fn args;                                                 \
	}                                                                       \
	CS_EXPORT SQLRETURN SQL_API name params                                 \
	{                                                                       \
		struct cs_handle *o = cs_get(CS_HNAME_##kind, CS_KIND_##kind);  \
		if (!o)                                                         \
			return SQL_INVALID_HANDLE;                              \
		return cs_fwdw_##name(o, 0, CS_XARGS args);                     \
	}                                                                       \
	CS_EXPORT SQLRETURN SQL_API name##W params                              \
	{                                                                       \
		struct cs_handle *o = cs_get(CS_HNAME_##kind, CS_KIND_##kind);  \
		if (!o)                                                         \
			return SQL_INVALID_HANDLE;                              \
		return cs_fwdw_##name(o, 1, CS_XARGS args);                     \
	}
#define CS_PAIR(name, api, kind, params, args)                                  \
	static CS_COLD SQLRETURN cs_slowa_##name(struct cs_handle *o, CS_XPARAMS params) \
	{                                                                       \
		cs_pfa_##name fn;                                               \
		cs_diag_reset(o);                                               \
		if (!o->drv)                                                    \
			return cs_not_supported(o, #name);                      \
		if ((fn = (cs_pfa_##name)o->drv->a[CS_FN_##name]))              \
			return fn args;                                         \
		return cs_x_##name(o, 0, CS_XARGS args);                        \
	}                                                                       \
	CS_EXPORT SQLRETURN SQL_API name params                                 \
	{                                                                       \
		struct cs_handle *o = cs_get(CS_HNAME_##kind, CS_KIND_##kind);  \
		cs_pfa_##name fn;                                               \
		if (!o)                                                         \
			return SQL_INVALID_HANDLE;                              \
		if (CS_FAST(o, kind) && (fn = (cs_pfa_##name)o->drv->a[CS_FN_##name])) \
			return fn args;                                         \
		return cs_slowa_##name(o, CS_XARGS args);                       \
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
	static CS_COLD SQLRETURN cs_sloww_##name(struct cs_handle *o, CS_XPARAMS params) \
	{                                                                       \
		cs_pfw_##name fn;                                               \
		cs_diag_reset(o);                                               \
		if (!o->drv)                                                    \
			return cs_not_supported(o, #name "W");                  \
		if ((fn = (cs_pfw_##name)o->drv->w[CS_FN_##name]))              \
			return fn args;                                         \
		if (!cs_target_admits(o, api))                                  \
			return cs_disowned(o);                                  \
		return cs_x_##name(o, 1, CS_XARGS args);                        \
	}                                                                       \
	CS_EXPORT SQLRETURN SQL_API name##W params                              \
	{                                                                       \
		struct cs_handle *o = cs_get(CS_HNAME_##kind, CS_KIND_##kind);  \
		cs_pfw_##name fn;                                               \
		if (!o)                                                         \
			return SQL_INVALID_HANDLE;                              \
		if (CS_FAST(o, kind) && (fn = (cs_pfw_##name)o->drv->w[CS_FN_##name])) \
			return fn args;                                         \
		return cs_sloww_##name(o, CS_XARGS args);                       \
	}
#include "core/odbc_api.def"
#undef CS_FWD
#undef CS_FWDW
#undef CS_PAIR
#undef CS_TCHAR
