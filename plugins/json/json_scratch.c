/*
 * json_scratch.c - a bump allocator for jansson.
 *
 * Decoding a record with jansson costs a malloc per node, key and string,
 * all freed again a moment later when the tree has been copied into the
 * batch arena.  Routing those through a region that is reset after every
 * record removes the per-record malloc from the hot path.  (With simdjson
 * jansson decodes only the records simdjson's decoder refuses; without,
 * every record.)
 *
 * json_set_alloc_funcs() is process-wide, so the hooks must tell the
 * decoding thread from any other.  There is one region, held by one
 * thread at a time from scratch_begin() to scratch_end(): the hooks serve
 * its holder from the region and everyone else (another thread decoding
 * at the same time, another user of jansson) with malloc/free.  Telling
 * them apart is one pthread_self() per allocation, no thread-specific data
 * lookup.  Pointers from the region never escape a decode, so free()
 * never sees one.  The hooks are installed when the plugin is loaded and
 * removed when it is unloaded, so jansson never calls into an unmapped
 * plugin.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
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
} scratch;

#define CHUNK_HDR ((sizeof(chunk) + ALIGN - 1) & ~(size_t)(ALIGN - 1))

static scratch region;
/* The thread holding the region (its pthread_self()), 0 when none.  Only
 * the holder ever sees its own id here, so a relaxed read in the hooks is
 * enough; taking and giving back order the region's use. */
static atomic_uintptr_t holder;
static int installed;

static uintptr_t self_id(void)
{
	/* pthread_t is an integer or a pointer wherever Sluice builds */
	return (uintptr_t)pthread_self();
}

static void chunks_free(chunk *c)
{
	chunk *next;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
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

/* The region when this thread holds it, else NULL. */
static scratch *current(void)
{
	return atomic_load_explicit(&holder, memory_order_relaxed) == self_id()
		? &region : NULL;
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
	uintptr_t none = 0;

	if (!installed ||
	    !atomic_compare_exchange_strong_explicit(&holder, &none, self_id(),
						     memory_order_acquire,
						     memory_order_relaxed))
		return 0; /* another thread decodes: this one uses malloc */
	region.total = 0;
	return 1;
}

/*
 * Keep one chunk.  When a decode needed several, replace them with one
 * that holds the largest decode seen, so steady state is a single chunk
 * that is never freed.  Then give the region back.
 */
void scratch_end(void)
{
	scratch *s = current();

	if (s == NULL)
		return;
	if (s->total > s->peak)
		s->peak = s->total;
	if (s->head != NULL && s->head->next != NULL) {
		chunks_free(s->head);
		s->head = chunk_new(s->peak, NULL);
	}
	if (s->head != NULL)
		s->head->used = 0;
	atomic_store_explicit(&holder, 0, memory_order_release);
}

__attribute__((constructor)) static void scratch_install(void)
{
	installed = 1;
	json_set_alloc_funcs(scratch_malloc, scratch_free);
}

/* A plugin is unloaded when the process ends, or by a test: no decode is
 * running then. */
__attribute__((destructor)) static void scratch_uninstall(void)
{
	json_set_alloc_funcs(malloc, free);
	installed = 0;
	chunks_free(region.head);
	region.head = NULL;
}
