/*
 * json_scratch.c - a per-thread bump allocator for jansson.
 *
 * Decoding a record with jansson costs a malloc per node, key and string,
 * all freed again a moment later when the tree has been copied into the
 * batch arena.  Routing those through a region that is reset after every
 * record removes the per-record malloc from the hot path.
 *
 * json_set_alloc_funcs() is process-wide, so the hooks fall back to
 * malloc/free on any thread that is not inside scratch_begin/end: other
 * users of jansson in the process are unaffected.  Pointers from the
 * region never escape a decode, so free() never sees one.  The hooks are
 * installed when the plugin is loaded and removed when it is unloaded, so
 * jansson never calls into an unmapped plugin.
 */
#include <pthread.h>
#include <stdlib.h>

#include <jansson.h>

#include "json_internal.h"

/* Large enough for a typical record in one chunk; grows to fit the largest. */
#define FIRST_CHUNK (64u * 1024u)
#define ALIGN 16u

typedef struct chunk {
	struct chunk *next; /* older chunks, freed at reset */
	size_t size;
	size_t used;
	/* data follows, ALIGN-aligned */
} chunk;

typedef struct scratch {
	chunk *head;   /* current chunk */
	size_t peak;   /* bytes needed by the largest decode so far */
	size_t total;  /* bytes handed out in this decode */
	int active;
} scratch;

#define CHUNK_HDR ((sizeof(chunk) + ALIGN - 1) & ~(size_t)(ALIGN - 1))

static pthread_key_t scratch_key;
static int key_ok;

static void scratch_free_all(void *p)
{
	scratch *s = p;
	chunk *c, *next;

	if (s == NULL)
		return;
	for (c = s->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(s);
}

static chunk *chunk_new(size_t size, chunk *next)
{
	chunk *c = malloc(CHUNK_HDR + size);

	if (c != NULL) {
		c->next = next;
		c->size = size;
		c->used = 0;
	}
	return c;
}

static scratch *current(void)
{
	scratch *s;

	if (!key_ok)
		return NULL;
	s = pthread_getspecific(scratch_key);
	return s != NULL && s->active ? s : NULL;
}

static void *scratch_malloc(size_t size)
{
	scratch *s = current();
	chunk *c;
	void *p;

	if (s == NULL)
		return malloc(size);
	size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	c = s->head;
	if (c == NULL || c->size - c->used < size) {
		size_t want = c != NULL ? c->size * 2 : FIRST_CHUNK;
		while (want < size)
			want *= 2;
		c = chunk_new(want, s->head);
		if (c == NULL)
			return NULL;
		s->head = c;
	}
	p = (char *)c + CHUNK_HDR + c->used;
	c->used += size;
	s->total += size;
	return p;
}

static void scratch_free(void *p)
{
	if (current() == NULL)
		free(p);
}

int scratch_begin(void)
{
	scratch *s;

	if (!key_ok)
		return 0;
	s = pthread_getspecific(scratch_key);
	if (s == NULL) {
		s = calloc(1, sizeof *s);
		if (s == NULL || pthread_setspecific(scratch_key, s) != 0) {
			free(s);
			return 0; /* jansson just uses malloc on this thread */
		}
	}
	s->active = 1;
	s->total = 0;
	return 1;
}

/*
 * Keep one chunk.  When a decode needed several, replace them with one
 * that holds the largest decode seen, so steady state is a single chunk
 * that is never freed.
 */
void scratch_end(void)
{
	scratch *s;
	chunk *c, *next;

	if (!key_ok || (s = pthread_getspecific(scratch_key)) == NULL)
		return;
	s->active = 0;
	if (s->total > s->peak)
		s->peak = s->total;
	if (s->head != NULL && s->head->next != NULL) {
		for (c = s->head; c != NULL; c = next) {
			next = c->next;
			free(c);
		}
		s->head = chunk_new(s->peak, NULL);
	}
	if (s->head != NULL)
		s->head->used = 0;
}

__attribute__((constructor)) static void scratch_install(void)
{
	if (pthread_key_create(&scratch_key, scratch_free_all) != 0)
		return;
	key_ok = 1;
	json_set_alloc_funcs(scratch_malloc, scratch_free);
}

__attribute__((destructor)) static void scratch_uninstall(void)
{
	if (!key_ok)
		return;
	json_set_alloc_funcs(malloc, free);
	key_ok = 0;
	/* Once the key is deleted, other threads' regions are no longer freed
	 * at their exit; they leak, which is fine: a plugin is unloaded only
	 * when the process ends. */
	scratch_free_all(pthread_getspecific(scratch_key));
	pthread_setspecific(scratch_key, NULL);
	pthread_key_delete(scratch_key);
}
