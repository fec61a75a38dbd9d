/*
 * map_path.c - set and remove fields of a value without touching the
 * input: only the objects on the path are copied (into the batch arena),
 * the rest of the tree is shared.
 */
#include "map.h"

static sl_value object(sl_member *members, uint32_t len)
{
	sl_value v = sl_value_null();

	v.type = SL_TOBJECT;
	v.len = len;
	v.as.members = members;
	return v;
}

static int64_t find(const sl_value *obj, const slop_name *name)
{
	uint32_t i;

	if (obj == NULL || obj->type != SL_TOBJECT)
		return -1;
	for (i = 0; i < obj->len; i++)
		if (obj->as.members[i].key_len == name->len &&
		    memcmp(obj->as.members[i].key, name->name, name->len) == 0)
			return i;
	return -1;
}

int map_set_path(sl_arena *arena, const sl_value *obj, const slop_name *names,
		 uint32_t count, const sl_value *v, sl_value *out, uint32_t *depth)
{
	uint32_t len = obj != NULL && obj->type == SL_TOBJECT ? obj->len : 0;
	int64_t at;
	sl_member *m;
	sl_value child;
	int rc;

	if (obj != NULL && obj->type != SL_TOBJECT && obj->type != SL_TNULL) {
		*depth = 0;
		return -2;
	}
	at = find(obj, &names[0]);
	m = sl_arena_alloc(arena, (len + (at < 0)) * sizeof *m);
	if (m == NULL)
		return -1;
	if (len)
		memcpy(m, obj->as.members, len * sizeof *m);
	if (at < 0) {
		at = len;
		m[at].key = names[0].name;
		m[at].key_len = names[0].len;
		m[at].value = sl_value_null();
	}
	if (count == 1) {
		child = *v;
	} else {
		rc = map_set_path(arena, &m[at].value, names + 1, count - 1, v,
				  &child, depth);
		if (rc != 0) {
			if (rc == -2)
				++*depth;
			return rc;
		}
	}
	m[at].value = child;
	*out = object(m, len + (at == (int64_t)len));
	return 0;
}

int map_drop_path(sl_arena *arena, const sl_value *obj, const slop_name *names,
		  uint32_t count, sl_value *out)
{
	int64_t at = find(obj, &names[0]);
	sl_member *m;
	sl_value child;

	if (at < 0) {
		*out = *obj;
		return 0;
	}
	if (count > 1) {
		if (map_drop_path(arena, &obj->as.members[at].value, names + 1,
				  count - 1, &child) != 0)
			return -1;
		if (child.as.members == obj->as.members[at].value.as.members &&
		    child.len == obj->as.members[at].value.len) {
			*out = *obj; /* nothing below was removed */
			return 0;
		}
	}
	m = sl_arena_alloc(arena, obj->len * sizeof *m);
	if (m == NULL)
		return -1;
	memcpy(m, obj->as.members, obj->len * sizeof *m);
	if (count > 1) {
		m[at].value = child;
		*out = object(m, obj->len);
	} else {
		memmove(m + at, m + at + 1, (obj->len - (uint32_t)at - 1) * sizeof *m);
		*out = object(m, obj->len - 1);
	}
	return 0;
}
