/*
 * groupkey.c - a record's key as the text it is grouped by.
 */
#include "groupkey.h"

int slop_group_key(const sl_value *key, sl_arena *arena, const char **text,
		   size_t *len)
{
	sl_buf buf = { NULL, 0, 0, arena };

	if (key == NULL) {
		*text = "null";
		*len = 4;
		return 0;
	}
	if (key->type == SL_TSTRING) {
		*text = key->as.s != NULL ? key->as.s : "";
		*len = key->len;
		return 0;
	}
	/* the JSON writer prints numbers in the shortest decimal form */
	if (sl_value_to_json(key, &buf) != 0)
		return -1;
	*text = buf.data != NULL ? (const char *)buf.data : "";
	*len = buf.len;
	return 0;
}
