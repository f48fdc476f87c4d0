/*
 * forward.c - the forwarders generated from odbc_api.def.
 *
 * A forwarded call is a handle check, one branch for credshim's own
 * diagnostics, and an indirect call into the target: no lock, no
 * allocation, no conversion when the target has the variant called.
 */
#include "fntypes.h"

#define CS_T (o->target)
#define CS_HAND(name, api, w)

#define CS_TCHAR SQLCHAR
#define CS_FWD(name, api, kind, params, args)                                   \
	CS_EXPORT SQLRETURN SQL_API name params                                 \
	{                                                                       \
		struct cs_handle *o = cs_get(CS_HNAME_##kind, CS_KIND_##kind);  \
		cs_pf_##name fn;                                                \
		if (!o)                                                         \
			return SQL_INVALID_HANDLE;                              \
		cs_diag_reset(o);                                               \
		if (!o->drv || !(fn = (cs_pf_##name)o->drv->a[CS_FN_##name]))   \
			return cs_not_supported(o, #name);                      \
		return fn args;                                                 \
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
	CS_EXPORT SQLRETURN SQL_API name params                                 \
	{                                                                       \
		struct cs_handle *o = cs_get(CS_HNAME_##kind, CS_KIND_##kind);  \
		cs_pfa_##name fn;                                               \
		if (!o)                                                         \
			return SQL_INVALID_HANDLE;                              \
		cs_diag_reset(o);                                               \
		if (!o->drv)                                                    \
			return cs_not_supported(o, #name);                      \
		if ((fn = (cs_pfa_##name)o->drv->a[CS_FN_##name]))              \
			return fn args;                                         \
		return cs_x_##name(o, 0, CS_XARGS args);                        \
	}
#define CS_XPARAMS(...) __VA_ARGS__
#define CS_XARGS(...) __VA_ARGS__
#include "odbc_api.def"
#undef CS_FWD
#undef CS_FWDW
#undef CS_PAIR
#undef CS_TCHAR

#define CS_TCHAR SQLWCHAR
#define CS_FWD(name, api, kind, params, args)
#define CS_FWDW(name, api, kind, params, args)
#define CS_PAIR(name, api, kind, params, args)                                  \
	CS_EXPORT SQLRETURN SQL_API name##W params                              \
	{                                                                       \
		struct cs_handle *o = cs_get(CS_HNAME_##kind, CS_KIND_##kind);  \
		cs_pfw_##name fn;                                               \
		if (!o)                                                         \
			return SQL_INVALID_HANDLE;                              \
		cs_diag_reset(o);                                               \
		if (!o->drv)                                                    \
			return cs_not_supported(o, #name "W");                  \
		if ((fn = (cs_pfw_##name)o->drv->w[CS_FN_##name]))              \
			return fn args;                                         \
		return cs_x_##name(o, 1, CS_XARGS args);                        \
	}
#include "odbc_api.def"
#undef CS_FWD
#undef CS_FWDW
#undef CS_PAIR
#undef CS_TCHAR
