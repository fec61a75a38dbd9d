/*
 * trust.h - may a plugin be read from this folder or file?
 *
 * A plugin's library runs inside sluice with the job's credentials, and a
 * descriptor decides which library that is.  Like sshd's StrictModes,
 * sluice uses a plugin folder, descriptor or library only when no one but
 * its owner can change it, and its owner is root or the user running
 * sluice.  Group write is allowed for a user private group (the group of
 * the owner's own name with no other member: Debian's umask 002 setup).
 */
#ifndef SL_TRUST_H
#define SL_TRUST_H

#include <stddef.h>

/*
 * 0 when @p path may be used (or does not exist: the caller finds that
 * out); else 1 with the reason in @p why ("writable by others (mode
 * 0777)").
 */
int sl_untrusted(const char *path, char *why, size_t size);

#endif
