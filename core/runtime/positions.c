/*
 * positions.c - see positions.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/positions.h"

static int same_partition(const sl_tracked *t, const char *topic,
			  int32_t partition)
{
	return t->partition == partition &&
	       (t->topic == NULL ? topic == NULL :
		topic != NULL && strcmp(t->topic, topic) == 0);
}

static sl_tracked *find(sl_tracked *list, size_t count, const char *topic,
			int32_t partition)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (same_partition(&list[i], topic, partition))
			return &list[i];
	return NULL;
}

static sl_tracked *add(sl_tracked **list, size_t *count, const char *topic,
		       int32_t partition, int64_t next)
{
	sl_tracked *t = realloc(*list, (*count + 1) * sizeof *t);

	if (t == NULL)
		return NULL;
	*list = t;
	t = &t[*count];
	t->topic = topic ? strdup(topic) : NULL;
	if (topic != NULL && t->topic == NULL)
		return NULL;
	t->partition = partition;
	t->next_offset = next;
	(*count)++;
	return t;
}

int sl_positions_set(sl_tracked **list, size_t *count, const char *topic,
		     int32_t partition, int64_t next, int only_forward)
{
	sl_tracked *t = find(*list, *count, topic, partition);

	if (t == NULL)
		return add(list, count, topic, partition, next) ? 0 : -1;
	if (!only_forward || next > t->next_offset)
		t->next_offset = next;
	return 0;
}

static int same_origin(const sl_origin *a, const sl_origin *b)
{
	return a->partition == b->partition && a->offset == b->offset &&
	       (a->topic == b->topic || (a->topic != NULL && b->topic != NULL &&
					 strcmp(a->topic, b->topic) == 0));
}

int sl_positions_advance(sl_tracked **list, size_t *count,
			 const sl_origin *origins, uint32_t n,
			 const sl_origin *stop)
{
	const char *run_topic = NULL;
	int32_t run_partition = -1;
	size_t run = 0;
	uint32_t i;

	for (i = 0; i < n; i++) {
		const sl_origin *o = &origins[i];
		sl_tracked *t;

		if (stop != NULL && same_origin(o, stop))
			break;
		/* a source hands out the same topic string for a partition's
		 * records: one pointer compare per record in a run */
		if (i > 0 && o->topic == run_topic && o->partition == run_partition) {
			t = &(*list)[run];
		} else {
			t = find(*list, *count, o->topic, o->partition);
			if (t == NULL &&
			    (t = add(list, count, o->topic, o->partition, -1)) == NULL)
				return -1;
			run_topic = o->topic;
			run_partition = o->partition;
			run = (size_t)(t - *list);
		}
		if (o->offset + 1 > t->next_offset)
			t->next_offset = o->offset + 1;
	}
	return 0;
}

int64_t sl_positions_of(const sl_tracked *list, size_t count,
			const char *topic, int32_t partition)
{
	const sl_tracked *t = find((sl_tracked *)list, count, topic, partition);

	return t != NULL ? t->next_offset : -1;
}

void sl_positions_forget(sl_tracked *list, size_t *count, const char *topic,
			 int32_t partition)
{
	sl_tracked *t = find(list, *count, topic, partition);

	if (t == NULL)
		return;
	free(t->topic);
	*t = list[--*count];
}

int sl_positions_copy(const sl_tracked *list, size_t count, sl_tracked **out)
{
	size_t i;

	*out = NULL;
	if (count == 0)
		return 0;
	if ((*out = calloc(count, sizeof **out)) == NULL)
		return -1;
	for (i = 0; i < count; i++) {
		(*out)[i] = list[i];
		if (list[i].topic != NULL &&
		    ((*out)[i].topic = strdup(list[i].topic)) == NULL) {
			size_t n = i;

			sl_positions_clear(out, &n);
			return -1;
		}
	}
	return 0;
}

void sl_positions_clear(sl_tracked **list, size_t *count)
{
	size_t i;

	for (i = 0; i < *count; i++)
		free((*list)[i].topic);
	free(*list);
	*list = NULL;
	*count = 0;
}
