/*
 * format_use.c - a format plugin opened by a stage for bytes it reads
 * itself (a join's table values): found by name among the loaded
 * plugins, opened for the stage as the edges open theirs, so its
 * options are the stage's under the format's name, and closed by the
 * stage.  The plugin stays loaded: the loader keeps what it loaded until
 * the run ends, after every stage has closed.
 */
#include "config.h"

#include <stdlib.h>

#include "base/error.h"
#include "runtime/format_use.h"
#include "runtime/stage.h"

struct sl_format_use {
	const sl_format_class *format;
	void *self;
};

sl_format_use *sl_format_use_open(sl_stage *stage, const char *name,
				  sl_error *err)
{
	sl_engine *e = stage->engine;
	const sl_descriptor *d = e != NULL && e->registry != NULL ?
		sl_registry_find(e->registry, name) : NULL;
	const sl_plugin *p;
	sl_format_use *f;
	int rc = SL_OK;

	if (d == NULL || !(d->kinds & SL_KIND_FORMAT)) {
		sl_error_set(err, SL_ERR_CONFIG, "no format plugin '%s'", name);
		return NULL;
	}
	if (sl_loader_get(e->loader, e->registry, d, &p, err) != SL_OK)
		return NULL;
	if ((f = calloc(1, sizeof *f)) == NULL) {
		sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	f->format = p->format;
	if (f->format->open != NULL) {
		const sl_descriptor *was = stage->opening_format;
		int was_key = stage->opening_key_format;

		stage->opening_format = d;
		stage->opening_key_format = 0;
		rc = f->format->open(stage, &f->self, err);
		stage->opening_format = was;
		stage->opening_key_format = was_key;
	}
	if (rc != SL_OK) {
		sl_error_prefix(err, "format '%s': ", name);
		free(f);
		return NULL;
	}
	return f;
}

int sl_format_use_decode(sl_format_use *f, const uint8_t *data, size_t len,
			 sl_arena *arena, sl_value *out, sl_error *err)
{
	return f->format->decode(f->self, data, len, arena, out, err);
}

void sl_format_use_release(sl_format_use *f)
{
	if (f == NULL)
		return;
	if (f->format->close != NULL)
		f->format->close(f->self);
	free(f);
}
