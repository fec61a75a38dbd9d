/*
 * map.h - the pieces of the map operator.
 */
#ifndef MAP_H
#define MAP_H

#include <sluice/plugin.h>

#include "../lib/fieldpath.h"

/*
 * @p obj (an object, or NULL/null for a new one) with the field at
 * @p names[0 .. count) set to @p v, copying only the objects on the path
 * into @p arena.  0; -1 out of memory; -2 when a field on the path (or
 * @p obj itself) is neither an object nor null: *@p depth says which
 * (0 for @p obj).
 */
int map_set_path(sl_arena *arena, const sl_value *obj, const slop_name *names,
		 uint32_t count, const sl_value *v, sl_value *out, uint32_t *depth);

/*
 * @p obj without the field at @p names[0 .. count): *@p out is @p obj
 * itself when there is no such field.  0, or -1 out of memory.
 */
int map_drop_path(sl_arena *arena, const sl_value *obj, const slop_name *names,
		  uint32_t count, sl_value *out);

#endif
