/*
 * edge.c - the formats at the edges of a job (edge.h).  A record keeps
 * the bytes it was read as next to its decoded value, and which codec
 * they are in, so a sink writing the same encoding passes them through.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/error.h"
#include "job/format_opts.h"
#include "runtime/edge.h"
#include "runtime/engine.h"

int sl_edge_decode(sl_stage *s, sl_batch *b, sl_error *err)
{
	uint32_t i, kept = 0;
	int rc = SL_OK;

	for (i = 0; i < b->count; i++) {
		sl_record *r = &b->records[i];
		sl_value *v = sl_arena_alloc(b->arena, 2 * sizeof *v);
		sl_error why;

		if (v == NULL)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		r->origin.stage = s->def->name;
		why.kind = SL_ERR_NONE;
		if (s->format->decode(s->format_self, r->value_raw.data,
				      r->value_raw.len, b->arena, &v[0],
				      &why) != SL_OK)
			rc = sl_record_error(s, r, err, "cannot decode value (%s): %s",
					     s->def->format->name, why.message);
		else if (r->key_raw.data != NULL &&
			 s->key_format->decode(s->key_format_self, r->key_raw.data,
					       r->key_raw.len, b->arena, &v[1],
					       &why) != SL_OK)
			rc = sl_record_error(s, r, err, "cannot decode key (%s): %s",
					     s->def->key_format->name, why.message);
		else
			rc = SL_OK;
		if (rc == SL_ERR)
			break;
		if (rc == SL_SKIP)
			continue;
		r->value = &v[0];
		r->value_codec = s->format_codec;
		if (r->key_raw.data != NULL) {
			r->key = &v[1];
			r->key_codec = s->key_format_codec;
		}
		b->records[kept++] = *r;
	}
	b->count = kept;
	return rc == SL_ERR ? SL_ERR : SL_OK;
}

/*
 * Encode one side of a record unless its bytes already are what @p fmt,
 * as @p mine (the stage's codec), would write.
 */
static int encode_side(const sl_format_class *fmt, void *self,
		       const void *mine, const sl_value *value,
		       const void *codec, int stale, sl_bytes *raw,
		       sl_arena *arena, sl_error *why)
{
	sl_buf buf = { NULL, 0, 0, arena };

	if (value == NULL)
		return raw->data == NULL || codec == mine ? SL_OK :
			sl_error_set(why, SL_ERR_RECORD, "no decoded value to encode");
	/* unchanged and already in this encoding: the bytes as read, and a
	 * value read from no bytes at all (a Kafka tombstone) stays no bytes
	 * rather than becoming an empty value */
	if (!stale && codec == mine)
		return SL_OK;
	if (fmt->encode(self, value, &buf, why) != SL_OK)
		return SL_ERR;
	/* an empty encoding is still a value, not "no key" */
	raw->data = buf.data ? buf.data : (const uint8_t *)"";
	raw->len = buf.len;
	return SL_OK;
}

int sl_edge_encode(sl_stage *s, sl_batch *b, sl_error *err)
{
	uint32_t i, kept = 0;
	int rc = SL_OK;

	for (i = 0; i < b->count; i++) {
		sl_record *r = &b->records[i];
		sl_error why;

		why.kind = SL_ERR_NONE;
		if (encode_side(s->format, s->format_self, s->format_codec,
				r->value, r->value_codec,
				r->flags & SL_RECORD_VALUE_SET, &r->value_raw,
				b->arena, &why) != SL_OK)
			rc = sl_record_error(s, r, err, "cannot encode value (%s): %s",
					     s->def->format->name, why.message);
		else if (encode_side(s->key_format, s->key_format_self,
				     s->key_format_codec, r->key, r->key_codec,
				     r->flags & SL_RECORD_KEY_SET, &r->key_raw,
				     b->arena, &why) != SL_OK)
			rc = sl_record_error(s, r, err, "cannot encode key (%s): %s",
					     s->def->key_format->name, why.message);
		else
			rc = SL_OK;
		if (rc == SL_ERR)
			break;
		if (rc == SL_SKIP)
			continue;
		r->value_codec = s->format_codec;
		r->key_codec = s->key_format_codec;
		r->flags &= ~(uint32_t)(SL_RECORD_VALUE_SET | SL_RECORD_KEY_SET);
		b->records[kept++] = *r;
	}
	b->count = kept;
	return rc == SL_ERR ? SL_ERR : SL_OK;
}

int sl_edge_open_format(sl_engine *e, sl_stage *s, const sl_descriptor *d,
		       int key_side, sl_error *err)
{
	const sl_format_class **fmt = key_side ? &s->key_format : &s->format;
	void **self = key_side ? &s->key_format_self : &s->format_self;
	const void **codec = key_side ? &s->key_format_codec : &s->format_codec;
	const sl_plugin *p;
	int rc = SL_OK;

	if (sl_loader_get(e->loader, e->registry, d, &p, err) != SL_OK)
		return SL_ERR;
	*fmt = p->format;
	*self = NULL;
	*codec = sl_format_options_set(s->def, d, key_side) ? (const void *)codec
							    : (const void *)*fmt;
	if (p->format->open != NULL) {
		s->opening_format = d;
		s->opening_key_format = key_side;
		rc = p->format->open(s, self, err);
		s->opening_format = NULL;
	}
	return rc;
}

void sl_edge_close_format(const sl_format_class *fmt, void *self)
{
	if (fmt != NULL && fmt->close != NULL)
		fmt->close(self);
}
