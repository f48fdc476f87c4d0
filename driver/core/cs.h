/* SPDX-License-Identifier: MIT */
/*
 * cs.h - credshim's core: handle objects, target drivers, diagnostics.
 *
 * Every handle credshim gives the driver manager is a struct that starts
 * with struct cs_handle: a magic and a kind (checked on every call, as
 * curl checks GOOD_EASY_HANDLE), the target driver's handle it wraps, the
 * loaded target driver, and credshim's own diagnostic records.
 *
 * Ownership (docs/architecture.md has the picture):
 *   cs_env   owns one target environment per target driver it has used
 *            (struct cs_tenv), created at the first connect through it;
 *   cs_dbc   owns the target connection handle and the wrappers of the
 *            statements and explicit descriptors allocated on it;
 *   cs_stmt  owns the wrappers of its four implicit descriptors;
 *   cs_desc  wraps a target descriptor (explicit: owns it; implicit:
 *            borrowed from the statement).
 */
#ifndef CS_CORE_H
#define CS_CORE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <sql.h>
#include <sqlext.h>
#include <sqlucode.h>

#include "core/lock.h"
#include "util/debug.h"
#include "util/sqlstate.h"

#define CS_HIDDEN __attribute__((visibility("hidden")))

/* Function numbers: one per row of odbc_api.def. */
enum cs_fn {
#define CS_FWD(name, api, kind, params, args) CS_FN_##name,
#define CS_FWDW(name, api, kind, params, args) CS_FN_##name,
#define CS_PAIR(name, api, kind, params, args) CS_FN_##name,
#define CS_HAND(name, api, w, params) CS_FN_##name,
#include "core/odbc_api.def"
#undef CS_FWD
#undef CS_FWDW
#undef CS_PAIR
#undef CS_HAND
	CS_FN__COUNT
};

/* A loaded target driver library: loaded once, kept for the life of the
 * process (target.c); refs counts the handles using it. */
struct cs_driver {
	void *a[CS_FN__COUNT];        /* ANSI (or only) entry points, or NULL */
	void *w[CS_FN__COUNT];        /* W entry points, or NULL */
	/* The table of the generated CS_FWD forwarders (api/forward.c):
	 * a[] with every such entry the target lacks filled by that
	 * forwarder's stub, so the forwarder calls without testing for NULL. */
	void *fast[CS_FN__COUNT];
	void *dl;
	unsigned refs;                /* guarded by the registry lock */
	struct cs_driver *next;
	char path[4096];
};

enum cs_kind { CS_KIND_ENV = 1, CS_KIND_DBC, CS_KIND_STMT, CS_KIND_DESC };

#define CS_MAGIC      0x4d4948u /* "SHI" */
#define CS_MAGIC_DEAD 0x444541u /* "DEA" */
/* Magic and kind in one 31-bit word: the per-call check is one compare
 * with an immediate, and (tag, dirty) read as one 64-bit word equals
 * CS_TAG(kind) only for a live handle without diagnostics. */
#define CS_TAG(kind)      ((uint32_t)(CS_MAGIC << 8) | (uint32_t)(kind))
#define CS_TAG_DEAD(kind) ((uint32_t)(CS_MAGIC_DEAD << 8) | (uint32_t)(kind))
#define CS_TAG_KIND(tag)  ((enum cs_kind)((tag) & 0xffu))

/* One diagnostic record raised by credshim itself. */
struct cs_diag_rec {
	char sqlstate[6];
	SQLINTEGER native;
	char *msg;                    /* UTF-8, starts with "[credshim]" */
};

struct cs_diag {
	struct cs_diag_rec *rec;
	unsigned n, cap;
	unsigned error_cursor;        /* records SQLError already returned,
					 * own and target's together */
	unsigned drained;             /* target's records imported (targets
					 * read through SQLError only) */
	unsigned drain_base;          /* own records before the import */
	unsigned hide_target;         /* the target returned SQL_SUCCESS and
					 * credshim added a warning: records
					 * left on the target are stale */
};

struct cs_handle {
	union {
		struct {
			uint32_t tag;         /* CS_TAG(kind) while live */
			uint32_t dirty;       /* nonzero when diag holds anything */
		};
		uint64_t tag_dirty;   /* both: the forwarders' one test */
	};
	SQLHANDLE target;             /* the target's handle, or NULL */
	struct cs_driver *drv;        /* target driver; NULL before connect */
	struct cs_diag diag;
};

/* A target environment: one per (credshim environment, target driver). */
struct cs_tenv {
	struct cs_driver *drv;
	SQLHENV henv;
	int version_refused;          /* it did not take the ODBC version */
	unsigned conns;               /* connections using it */
	struct cs_tenv *next;
};

struct cs_env {
	struct cs_handle h;
	struct cs_mutex lock;         /* tenvs, dbcs */
	struct cs_tenv *tenvs;
	struct cs_dbc *dbcs;
	SQLINTEGER odbc_version;
	SQLINTEGER output_nts;
	SQLUINTEGER cp_match;
};

/* A connection attribute set by the application, replayed at connect. */
struct cs_cattr {
	SQLINTEGER attr;
	int is_str;                   /* value in str (UTF-8 when wide=0) */
	int wide;                     /* str holds SQLWCHARs */
	int retry;                    /* refused before connect: set after */
	SQLULEN ival;
	void *str;
	SQLINTEGER strlen_bytes;
};

struct cs_checkout;               /* pam/session.c */

struct cs_dbc {
	struct cs_handle h;
	struct cs_env *env;
	struct cs_dbc *next_in_env;
	struct cs_tenv *tenv;         /* while a target connection exists */
	int connected;
	struct cs_mutex lock;         /* stmts, descs */
	struct cs_stmt *stmts;
	struct cs_desc *descs;        /* explicit descriptors */
	struct cs_cattr *attrs;
	unsigned nattrs, capattrs;
	struct cs_checkout *checkout; /* PAM mode: the credential in use */
	int pam;                      /* PAM mode for the open connection */
	int diag_via_error;           /* the target reports diagnostics only
					 * through SQLError (see diag_api.c) */
	int have_funcs;               /* funcs holds the target's answer */
	SQLUSMALLINT funcs[SQL_API_ODBC3_ALL_FUNCTIONS_SIZE];
	char dsn[256];                /* for messages */
	char app_dsn[256];            /* the DSN the application connected
					 * to, "" when DSN-less */
};

struct cs_stmt {
	struct cs_handle h;
	struct cs_dbc *dbc;
	struct cs_stmt *next;
	struct cs_desc *implicit[4];  /* ARD, APD, IRD, IPD wrappers */
};

struct cs_desc {
	struct cs_handle h;
	struct cs_dbc *dbc;
	struct cs_stmt *stmt;         /* implicit: its statement; else NULL */
	struct cs_desc *next;         /* in dbc->descs (explicit only) */
};

/*
 * Handle check, on every call: NULL unless h is a live credshim handle of
 * that kind.  Freed handles keep their memory and are reused only after a
 * quarantine (see handle.c), so a stale handle reads as dead instead of
 * crashing.
 */
static inline struct cs_handle *cs_get(void *h, enum cs_kind kind)
{
	struct cs_handle *o = h;

	if (!o || o->tag != CS_TAG(kind))
		return NULL;
	return o;
}

/* Unlinks item from the singly linked list at *head, whose elements are
 * linked through their member next (nothing when item is not on it). */
#define CS_LIST_UNLINK(head, item, next)                                        \
	do {                                                                    \
		__typeof__(item) *cs_pp_;                                       \
		for (cs_pp_ = (head); *cs_pp_; cs_pp_ = &(*cs_pp_)->next) {     \
			if (*cs_pp_ == (item)) {                                \
				*cs_pp_ = (item)->next;                         \
				break;                                          \
			}                                                       \
		}                                                               \
	} while (0)

/* At a layer boundary: h is a live handle of that kind (debug builds). */
#define CS_ASSERT_KIND(h, kind) CS_ASSERT((h) && (h)->tag == CS_TAG(kind))

/* handle.c */
CS_HIDDEN void *cs_handle_new(enum cs_kind kind);
CS_HIDDEN void cs_handle_release(struct cs_handle *h);
CS_HIDDEN struct cs_desc *cs_desc_wrap(struct cs_stmt *s, int which, SQLHDESC target);
CS_HIDDEN struct cs_desc *cs_desc_find(struct cs_dbc *d, struct cs_stmt *s, SQLHDESC target);
CS_HIDDEN void cs_stmt_destroy(struct cs_stmt *s);
CS_HIDDEN void cs_desc_destroy(struct cs_desc *ds);
CS_HIDDEN void cs_dbc_drop_children(struct cs_dbc *d);
/* The live handle of a kind that wraps target handle th on a driver whose
 * fast[f] is stub: how a forwarder's stub finds the handle it was called
 * for (api/forward.c).  Walks every handle of the kind: cold. */
CS_HIDDEN struct cs_handle *cs_handle_by_target(enum cs_kind kind, SQLHANDLE th, enum cs_fn f,
						const void *stub);

/* diag.c */
CS_HIDDEN void cs_diag_clear_slow(struct cs_handle *h);
static inline void cs_diag_reset(struct cs_handle *h)
{
	if (h->dirty)
		cs_diag_clear_slow(h);
}
/* Adds a record; returns SQL_ERROR for convenience. */
CS_HIDDEN SQLRETURN cs_diag_add(struct cs_handle *h, enum cs_state state,
				const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Moves h's last own record to the front (credshim's summary of a
 * failure before the target's records imported with it). */
CS_HIDDEN void cs_diag_last_first(struct cs_handle *h);
/* Copies every diagnostic record of a target handle into h's own list,
 * through SQLError when via_error, as the driver manager would read them
 * (before a target handle is freed, or later calls clear its records);
 * the target's records are then hidden. */
CS_HIDDEN void cs_diag_import(struct cs_handle *h, struct cs_driver *drv,
			      SQLSMALLINT type, SQLHANDLE th, int via_error);
/* Until the next call on h, its target handle's records are not h's
 * (they are stale, or copied into h's own). */
CS_HIDDEN void cs_diag_hide_target(struct cs_handle *h);
CS_HIDDEN SQLRETURN cs_not_supported(struct cs_handle *h, const char *fn);
CS_HIDDEN SQLRETURN cs_disowned(struct cs_handle *h);
/* Adds a record worded as the driver manager's own, for what it would
 * raise itself talking to the target directly. */
CS_HIDDEN void cs_diag_dm(struct cs_handle *h, enum cs_state state, const char *text);
/* The connection a handle belongs to (NULL for an environment). */
CS_HIDDEN struct cs_dbc *cs_handle_dbc(struct cs_handle *h);
/* Imports the target's records through its SQLError when the connection
 * reads diagnostics that way; once per call on the handle. */
CS_HIDDEN void cs_diag_drain(struct cs_handle *h, SQLSMALLINT type);

/* target.c */
CS_HIDDEN struct cs_driver *cs_target_acquire(const char *path, char *err, size_t errlen);
CS_HIDDEN void cs_target_ref(struct cs_driver *drv);
CS_HIDDEN void cs_target_release(struct cs_driver *drv);
/* The stubs (indexed like a[], NULL where no forwarder calls through
 * fast[]) that fill a loaded target's missing entries in fast[];
 * registered once by api/forward.c before any driver is loaded. */
CS_HIDDEN void cs_target_set_stubs(void *const *stubs);
/* Resolves a TargetDriver value (odbcinst.ini name or path) to a library
 * path.  0 or -1 with a message. */
CS_HIDDEN int cs_target_resolve(const char *name, char *path, size_t pathlen,
				char *err, size_t errlen);
/* The target's function f in the variant asked for, else the other
 * variant (*other set to 1), else NULL. */
static inline void *cs_fn_pick(const struct cs_driver *drv, enum cs_fn f,
			       int wide, int *other)
{
	void *p = wide ? drv->w[f] : drv->a[f];

	*other = 0;
	if (p)
		return p;
	*other = 1;
	return wide ? drv->a[f] : drv->w[f];
}

/*
 * Whether the target admits to function api in SQLGetFunctions.  The
 * driver manager refuses (IM001) an ANSI call the target disowns, but
 * not the W call it makes to credshim: credshim must refuse that one
 * before converting it to the ANSI call.
 */
static inline int cs_target_admits(struct cs_handle *h, SQLUSMALLINT api)
{
	struct cs_dbc *d = cs_handle_dbc(h);

	return !d || !d->have_funcs || SQL_FUNC_EXISTS(d->funcs, api);
}

/* env.c */
CS_HIDDEN struct cs_tenv *cs_env_tenv_get(struct cs_env *e, struct cs_driver *drv,
					  struct cs_handle *errh, int *created);
/* Whether the target of t speaks e's ODBC version, as the driver manager
 * would find it at a connect (created: the connect created t). */
CS_HIDDEN int cs_env_tenv_version_ok(struct cs_env *e, struct cs_tenv *t, int created);
CS_HIDDEN void cs_env_tenv_put(struct cs_env *e, struct cs_tenv *t);

#endif
