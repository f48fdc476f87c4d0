/* SPDX-License-Identifier: MIT */
/*
 * logins.h - which connection-string keys carry a login (logins.def).
 */
#ifndef CS_LOGINS_H
#define CS_LOGINS_H

enum cs_login_kind {
	CS_LOGIN_NONE = 0,
	CS_LOGIN_USER,
	CS_LOGIN_PASSWORD
};

/* What key (case-insensitive) carries for some target driver. */
enum cs_login_kind cs_login_key(const char *key);

#endif
