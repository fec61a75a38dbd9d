/*
 * groupkey.h - the text keyed operators group by: a record's key rendered
 * as a string (a string as is, a number in decimal, anything else as
 * compact JSON; a record without a key groups under "null").
 */
#ifndef SLOP_GROUPKEY_H
#define SLOP_GROUPKEY_H

#include <sluice/plugin.h>

/*
 * The group key of @p key (NULL for none) in *@p text / *@p len: it points
 * into the key itself for strings and into @p arena otherwise, so it lives
 * as long as the batch.  0, or -1 when out of memory or for a number JSON
 * cannot write (NaN).
 */
int slop_group_key(const sl_value *key, sl_arena *arena, const char **text,
		   size_t *len);

#endif
