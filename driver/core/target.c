/* SPDX-License-Identifier: MIT */
/*
 * target.c - the process-wide registry of loaded target drivers.
 *
 * Each library is dlopen'ed once (RTLD_NOW | RTLD_LOCAL) and then stays
 * loaded for the life of the process, as credshim itself does (it is
 * linked with -z nodelete): the driver manager unloads credshim when its
 * last connection ends, and loading the target again at the next connect
 * would cost more than the whole connect path otherwise does.  refs only
 * counts the handles using a library.  Every entry point is taken with
 * dlsym and then checked with dladdr to live in the library itself: a
 * target linked against the driver manager would otherwise hand back the
 * manager's own SQL* functions, and calling those with a driver handle
 * crashes.
 */
#include <dlfcn.h>
#include <link.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/cs.h"
#include "core/dsn.h"
#include "util/conf.h"

#ifndef CS_ODBC_LIBDIR
#define CS_ODBC_LIBDIR "/usr/lib/x86_64-linux-gnu/odbc"
#endif

static pthread_mutex_t cs_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cs_driver *cs_registry;
/* The forwarders' stubs (cs_target_set_stubs). */
static void *const *cs_stubs;

static const char *const cs_fn_names[CS_FN__COUNT] = {
#define CS_FWD(name, api, kind, params, args) #name,
#define CS_FWDW CS_FWD
#define CS_PAIR CS_FWD
#define CS_HAND(name, api, w, params) #name,
#include "core/odbc_api.def"
#undef CS_FWD
#undef CS_FWDW
#undef CS_PAIR
#undef CS_HAND
};

static const unsigned char cs_fn_has_w[CS_FN__COUNT] = {
#define CS_FWD(name, api, kind, params, args) 0,
#define CS_FWDW(name, api, kind, params, args) 1,
#define CS_PAIR(name, api, kind, params, args) 1,
#define CS_HAND(name, api, w, params) w,
#include "core/odbc_api.def"
#undef CS_FWD
#undef CS_FWDW
#undef CS_PAIR
#undef CS_HAND
};

/* dlsym, keeping only symbols defined by the library itself. */
static void *cs_own_sym(void *dl, const void *base, const char *name)
{
	void *p = dlsym(dl, name);
	Dl_info info;

	if (!p || !dladdr(p, &info) || info.dli_fbase != base)
		return NULL;
	return p;
}

static int cs_driver_load(struct cs_driver *drv, char *err, size_t errlen)
{
	struct link_map *lm = NULL;
	Dl_info info;
	const void *base;
	char wname[128];
	int i, n = 0;

	drv->dl = dlopen(drv->path, RTLD_NOW | RTLD_LOCAL);
	if (!drv->dl) {
		snprintf(err, errlen, "cannot load target driver %s: %s", drv->path, dlerror());
		return -1;
	}
	if (dlinfo(drv->dl, RTLD_DI_LINKMAP, &lm) != 0 || !lm) {
		snprintf(err, errlen, "cannot inspect target driver %s", drv->path);
		goto out_close;
	}
	/* Our own library must not be its own target. */
	if (dladdr((void *)cs_driver_load, &info) && info.dli_fbase == (void *)lm->l_addr) {
		snprintf(err, errlen, "target driver %s is credshim itself", drv->path);
		goto out_close;
	}
	base = (const void *)lm->l_addr;
	for (i = 0; i < CS_FN__COUNT; i++) {
		drv->a[i] = cs_own_sym(drv->dl, base, cs_fn_names[i]);
		if (cs_fn_has_w[i]) {
			snprintf(wname, sizeof(wname), "%sW", cs_fn_names[i]);
			drv->w[i] = cs_own_sym(drv->dl, base, wname);
		}
		n += drv->a[i] || drv->w[i];
		drv->fast[i] = drv->a[i] ? drv->a[i] : cs_stubs ? cs_stubs[i] : NULL;
	}
	if (!drv->a[CS_FN_SQLAllocHandle] && !drv->a[CS_FN_SQLAllocEnv]) {
		snprintf(err, errlen, "%s is not an ODBC driver (no SQLAllocHandle, %d ODBC functions)",
			 drv->path, n);
		goto out_close;
	}
	return 0;

out_close:
	dlclose(drv->dl);
	drv->dl = NULL;
	return -1;
}

struct cs_driver *cs_target_acquire(const char *path, char *err, size_t errlen)
{
	struct cs_driver *drv;

	pthread_mutex_lock(&cs_registry_lock);
	for (drv = cs_registry; drv; drv = drv->next)
		if (strcmp(drv->path, path) == 0)
			break;
	if (drv) {
		drv->refs++;
		goto out_unlock;
	}
	drv = calloc(1, sizeof(*drv));
	if (!drv) {
		snprintf(err, errlen, "out of memory");
		goto out_unlock;
	}
	snprintf(drv->path, sizeof(drv->path), "%s", path);
	if (cs_driver_load(drv, err, errlen) != 0) {
		free(drv);
		drv = NULL;
		goto out_unlock;
	}
	drv->refs = 1;
	drv->next = cs_registry;
	cs_registry = drv;
out_unlock:
	pthread_mutex_unlock(&cs_registry_lock);
	return drv;
}

void cs_target_set_stubs(void *const *stubs)
{
	cs_stubs = stubs;
}

void cs_target_ref(struct cs_driver *drv)
{
	pthread_mutex_lock(&cs_registry_lock);
	drv->refs++;
	pthread_mutex_unlock(&cs_registry_lock);
}

/* The library stays loaded and registered when its last user goes (see
 * the top of this file). */
void cs_target_release(struct cs_driver *drv)
{
	if (!drv)
		return;
	pthread_mutex_lock(&cs_registry_lock);
	drv->refs--;
	pthread_mutex_unlock(&cs_registry_lock);
}

#define CS_TARGET_SUGGEST 3

/*
 * The message for a TargetDriver odbcinst.ini does not know: it names the
 * registered drivers nearest to the name (edit distance), so a typo or a
 * distribution's other spelling ("PostgreSQL" vs "PostgreSQL Unicode")
 * shows its fix.
 */
static void cs_target_not_found(const char *name, char *err, size_t errlen)
{
	char names[8192];
	const char *best[CS_TARGET_SUGGEST] = { NULL };
	unsigned bestd[CS_TARGET_SUGGEST] = { 0 };
	const char *k;
	size_t off;
	int i, j, n;

	memset(names, 0, sizeof(names));
	n = cs_ini_get(NULL, NULL, names, sizeof(names) - 1, "ODBCINST.INI");
	for (k = names; n > 0 && *k && k < names + sizeof(names) - 1; k += strlen(k) + 1) {
		unsigned d = cs_conf_distance(name, k);

		/* not the driver manager's own settings, nor credshim */
		if (strcmp(k, "ODBC") == 0 || strcasecmp(k, "credshim") == 0)
			continue;
		for (i = 0; i < CS_TARGET_SUGGEST && best[i] && bestd[i] <= d; i++)
			;
		if (i == CS_TARGET_SUGGEST)
			continue;
		for (j = CS_TARGET_SUGGEST - 1; j > i; j--) {
			best[j] = best[j - 1];
			bestd[j] = bestd[j - 1];
		}
		best[i] = k;
		bestd[i] = d;
	}
	n = snprintf(err, errlen, "TargetDriver '%s' is neither an absolute library path nor a "
		     "driver registered in odbcinst.ini", name);
	off = n > 0 && (size_t)n < errlen ? (size_t)n : errlen;
	if (!best[0]) {
		snprintf(err + off, errlen - off, "; odbcinst.ini has no driver registered "
			 "(odbcinst -q -d lists them)");
		return;
	}
	for (i = 0; i < CS_TARGET_SUGGEST && best[i] && off < errlen; i++) {
		n = snprintf(err + off, errlen - off, "%s'%s'",
			     i == 0 ? "; the closest registered: " : ", ", best[i]);
		off = n > 0 && (size_t)n < errlen - off ? off + (size_t)n : errlen;
	}
	if (off < errlen)
		snprintf(err + off, errlen - off, " (odbcinst -q -d lists them all)");
}

/*
 * TargetDriver is an absolute path, or a driver name from odbcinst.ini
 * whose Driver entry is a path or a bare file name (Debian writes
 * "psqlodbcw.so"), which is looked up in the ODBC driver directory first.
 */
int cs_target_resolve(const char *name, char *path, size_t pathlen, char *err, size_t errlen)
{
	char lib[PATH_MAX];
	int n;

	if (name[0] == '/') {
		snprintf(path, pathlen, "%s", name);
		return 0;
	}
	n = cs_ini_get(name, "Driver64", lib, sizeof(lib), "ODBCINST.INI");
	if (n <= 0)
		n = cs_ini_get(name, "Driver", lib, sizeof(lib), "ODBCINST.INI");
	if (n <= 0 || !lib[0]) {
		cs_target_not_found(name, err, errlen);
		return -1;
	}
	if (lib[0] == '/' || strchr(lib, '/')) {
		snprintf(path, pathlen, "%s", lib);
		return 0;
	}
	n = snprintf(path, pathlen, "%s/%s", CS_ODBC_LIBDIR, lib);
	if (n > 0 && (size_t)n < pathlen && access(path, F_OK) == 0)
		return 0;
	snprintf(path, pathlen, "%s", lib);
	return 0;
}
