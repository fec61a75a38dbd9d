/*
 * trust.c - the ownership and mode checks of trust.h.
 *
 * Only the path itself is checked, not every folder above it as sshd
 * does: plugin folders under a sticky /tmp (tests, CI) are common, and
 * what matters is who can put or replace a file in the plugin folder.
 */
#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin/trust.h"

/* The group @p gid is @p owner's private group: its name, no one else in it. */
static int private_group(gid_t gid, uid_t owner)
{
	const struct passwd *pw = getpwuid(owner);
	const struct group *gr;
	char *const *member;

	if (pw == NULL || pw->pw_gid != gid || (gr = getgrgid(gid)) == NULL ||
	    strcmp(gr->gr_name, pw->pw_name) != 0)
		return 0;
	for (member = gr->gr_mem; *member != NULL; member++)
		if (strcmp(*member, pw->pw_name) != 0)
			return 0;
	return 1;
}

int sl_untrusted(const char *path, char *why, size_t size)
{
	struct stat st;
	unsigned mode;

	if (stat(path, &st) != 0)
		return 0;
	mode = (unsigned)st.st_mode & 07777;
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(why, size, "owned by user %u, not by root or you",
			 (unsigned)st.st_uid);
		return 1;
	}
	if (mode & S_IWOTH) {
		snprintf(why, size, "writable by others (mode %04o)", mode);
		return 1;
	}
	if ((mode & S_IWGRP) && !private_group(st.st_gid, st.st_uid)) {
		snprintf(why, size, "writable by its group %u (mode %04o)",
			 (unsigned)st.st_gid, mode);
		return 1;
	}
	return 0;
}
