/*
 * loader.c - plugin libraries through libltdl, checked before use.
 *
 * libltdl's own dlopen loader binds symbols lazily (RTLD_LAZY): a library
 * using a symbol that nothing defines loads fine and then kills the
 * process ("symbol lookup error", exit 127) on its first call.  It is
 * replaced by the loader below, which binds every symbol at load
 * (RTLD_NOW), so such a library is refused with dlerror()'s reason
 * naming the symbol, keeps that reason (libltdl reduces every failure to
 * "file not found"), and refuses a library someone else could have
 * replaced (trust.h).  libltdl still resolves .la files and extensions.
 */
#include "config.h"

#include <dlfcn.h>
#include <ltdl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "plugin/hop_formats.h"
#include "plugin/loader.h"
#include "plugin/trust.h"

/* Whether plugin struct @p p, as its plugin built it, has @p member. */
#define PLUGIN_HOLDS(p, member) SL_STRUCT_HOLDS(p, sl_plugin, member)

typedef struct loaded {
	const sl_descriptor *desc;
	lt_dlhandle handle;
	const sl_plugin *plugin;
} loaded;

struct sl_loader {
	const sl_host *host;
	loaded *items;
	size_t count;
	int ltdl_ready;
};

/* Why the last library that exists could not be opened ("" if none). */
static char open_error[1024];

/* @p file and its folder may be loaded from; else the reason in open_error. */
static int trusted(const char *file)
{
	const char *slash = strrchr(file, '/');
	char dir[4096], why[256];

	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else /* "/" for a file at the root */
		snprintf(dir, sizeof dir, "%.*s",
			 slash == file ? 1 : (int)(slash - file), file);
	if (sl_untrusted(dir, why, sizeof why)) {
		snprintf(open_error, sizeof open_error, "%.700s: not loaded: its "
			 "folder is %s", file, why);
		return 0;
	}
	if (sl_untrusted(file, why, sizeof why)) {
		snprintf(open_error, sizeof open_error, "%.700s: not loaded: it is %s",
			 file, why);
		return 0;
	}
	return 1;
}

static lt_module strict_open(lt_user_data data, const char *file,
			     lt_dladvise advise)
{
	void *h;

	(void)data;
	(void)advise; /* sluice asks for no global symbols */
	if (file != NULL && access(file, F_OK) == 0 && !trusted(file))
		return NULL;
	h = dlopen(file, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *why = dlerror();

		/* libltdl tries names that do not exist; keep the real failure */
		if (file != NULL && access(file, F_OK) == 0)
			snprintf(open_error, sizeof open_error, "%s",
				 why ? why : "dlopen failed");
	}
	return h;
}

static int strict_close(lt_user_data data, lt_module module)
{
	(void)data;
	return dlclose(module);
}

static void *strict_sym(lt_user_data data, lt_module module, const char *name)
{
	(void)data;
	return dlsym(module, name);
}

/* Put the loader above in the place of libltdl's; 0, or -1. */
static int use_strict_loader(void)
{
	lt_dlvtable *v;

	if (lt_dlloader_find("sl_strict") != NULL)
		return 0; /* still there from an earlier sl_loader_new() */
	/* libltdl frees the loaders it is given at lt_dlexit(), and this one */
	free(lt_dlloader_remove("lt_dlopen"));
	if (lt_dlloader_find("lt_dlopen") != NULL || (v = calloc(1, sizeof *v)) == NULL)
		return -1;
	v->name = "sl_strict";
	v->module_open = strict_open;
	v->module_close = strict_close;
	v->find_sym = strict_sym;
	v->priority = LT_DLLOADER_PREPEND;
	return lt_dlloader_add(v);
}

sl_loader *sl_loader_new(const sl_host *host)
{
	sl_loader *l = calloc(1, sizeof *l);

	if (l == NULL)
		return NULL;
	l->host = host;
	if (lt_dlinit() == 0) {
		if (use_strict_loader() == 0)
			l->ltdl_ready = 1;
		else
			lt_dlexit();
	}
	return l;
}

void sl_loader_free(sl_loader *l)
{
	size_t i;

	if (l == NULL)
		return;
	/*
	 * Under AddressSanitizer an unloaded library's frames cannot be
	 * symbolized in a leak report; keep them mapped there.
	 */
#ifndef SL_KEEP_PLUGINS_LOADED
	for (i = 0; i < l->count; i++)
		lt_dlclose(l->items[i].handle);
#else
	(void)i;
#endif
	free(l->items);
	/* lt_dlexit() would unload them all the same, and what librdkafka
	 * allocated for its globals would look leaked */
#ifndef SL_KEEP_PLUGINS_LOADED
	if (l->ltdl_ready)
		lt_dlexit();
#endif
	free(l);
}

/* Try ROOT/SUBDIR/LIBRARY under every root, as libltdl resolves .la/.so. */
static lt_dlhandle open_library(const sl_registry *reg, const sl_descriptor *d,
				char *tried, size_t tried_size)
{
	size_t i, used = 0;

	tried[0] = '\0';
	for (i = 0; i < reg->root_count; i++) {
		char path[4096];
		lt_dlhandle h;

		snprintf(path, sizeof path, "%s%s%s/%s", reg->roots[i],
			 d->subdir[0] ? "/" : "", d->subdir, d->library);
		open_error[0] = '\0';
		h = lt_dlopenext(path);
		if (h != NULL)
			return h;
		if (used < tried_size)
			used += (size_t)snprintf(tried + used, tried_size - used,
						 "%s%s.{la,so} (%s)",
						 used ? ", " : "", path,
						 open_error[0] ? open_error : lt_dlerror());
	}
	return NULL;
}

static const char *kind_missing(const sl_descriptor *d, const sl_plugin *p)
{
	/* the first class of the ABI ends at close; stores came with read */
	if ((d->kinds & SL_KIND_SOURCE) && (p->source == NULL ||
	    !SL_STRUCT_HOLDS(p->source, sl_source_class, close)))
		return "source";
	if ((d->kinds & SL_KIND_SINK) && (p->sink == NULL ||
	    !SL_STRUCT_HOLDS(p->sink, sl_sink_class, close)))
		return "sink";
	if ((d->kinds & SL_KIND_OPERATOR) && (p->op == NULL ||
	    !SL_STRUCT_HOLDS(p->op, sl_operator_class, close)))
		return "operator";
	if ((d->kinds & SL_KIND_FORMAT) && (p->format == NULL ||
	    !SL_STRUCT_HOLDS(p->format, sl_format_class, close)))
		return "format";
	if ((d->kinds & SL_KIND_STORE) && (!PLUGIN_HOLDS(p, store) ||
	    p->store == NULL || !SL_STRUCT_HOLDS(p->store, sl_store_class, read)))
		return "store";
	return NULL;
}

/*
 * A callback that the engine calls unconditionally and @p p leaves NULL
 * ("process"), with its kind ("operator"), or NULL when there is none.
 * Optional ones (close, tick, the transaction calls, ...) are checked
 * where they are used.
 */
static const char *callback_missing(const sl_descriptor *d, const sl_plugin *p,
				    const char **kind)
{
	const char *name = NULL;

	if (d->kinds & SL_KIND_SOURCE) {
		*kind = "source";
		name = !p->source->open ? "open" : !p->source->poll ? "poll" : NULL;
	}
	if (name == NULL && (d->kinds & SL_KIND_SINK)) {
		*kind = "sink";
		name = !p->sink->open ? "open" : !p->sink->write ? "write" :
			!p->sink->flush ? "flush" : NULL;
	}
	if (name == NULL && (d->kinds & SL_KIND_OPERATOR)) {
		*kind = "operator";
		name = !p->op->open ? "open" : !p->op->process ? "process" : NULL;
	}
	if (name == NULL && (d->kinds & SL_KIND_FORMAT)) {
		*kind = "format";
		name = !p->format->decode ? "decode" :
			!p->format->encode ? "encode" : NULL;
	}
	if (name == NULL && (d->kinds & SL_KIND_STORE)) {
		*kind = "store";
		name = !p->store->open ? "open" : !p->store->prepare ? "prepare" :
			!p->store->write ? "write" : !p->store->flush ? "flush" :
			!p->store->read ? "read" : NULL;
	}
	return name;
}

static int check_plugin(const sl_descriptor *d, const char *file,
			const sl_plugin *p, const sl_host *host, sl_error *err)
{
	const char *kind, *callback;

	if (p == NULL)
		return sl_error_setf(err, SL_ERR_CONFIG,
			"plugin '%s' (%s): its entry function returned nothing",
			d->name, file);
	if (p->abi_major != SL_ABI_MAJOR)
		return sl_error_setf(err, SL_ERR_CONFIG,
			"plugin '%s' (%s) is built for plugin ABI %u, but this "
			"sluice speaks ABI %d: rebuild it against this SDK",
			d->name, file, p->abi_major, SL_ABI_MAJOR);
	if (!PLUGIN_HOLDS(p, format))
		return sl_error_setf(err, SL_ERR_CONFIG,
			"plugin '%s' (%s): its plugin struct is truncated "
			"(%u bytes): rebuild it against this SDK",
			d->name, file, p->struct_size);
	/* built against a newer SDK (a larger host table) is fine: such a
	 * plugin checks SL_HOST_HAS() before calling what is newer, or says
	 * what it cannot run without */
	if (PLUGIN_HOLDS(p, host_needs) && p->host_needs > host->struct_size)
		return sl_error_setf(err, SL_ERR_CONFIG,
			"plugin '%s' (%s) needs a newer sluice: it calls host "
			"functions up to byte %u of the host table, this sluice's "
			"table has %zu bytes (upgrade sluice, or use a build of the "
			"plugin for this version)", d->name, file, p->host_needs,
			(size_t)host->struct_size);
	if (PLUGIN_HOLDS(p, layout) && p->layout != SL_LAYOUT_STAMP)
		return sl_error_setf(err, SL_ERR_CONFIG,
			"plugin '%s' (%s) was built with another layout of "
			"records and batches (stamp %#x, this sluice %#x): its "
			"SDK headers are not this sluice's; rebuild it against "
			"this SDK", d->name, file, p->layout, SL_LAYOUT_STAMP);
	if (p->name == NULL || strcmp(p->name, d->name) != 0)
		return sl_error_setf(err, SL_ERR_CONFIG,
			"plugin '%s' (%s) calls itself '%s': descriptor and "
			"library do not match", d->name, file,
			p->name ? p->name : "(null)");
	if ((kind = kind_missing(d, p)) != NULL)
		return sl_error_setf(err, SL_ERR_CONFIG,
			"plugin '%s' (%s): its descriptor lists kind %s, but the "
			"library does not provide it", d->name, file, kind);
	if ((callback = callback_missing(d, p, &kind)) != NULL)
		return sl_error_setf(err, SL_ERR_CONFIG,
			"plugin '%s' (%s): its %s has no %s callback (NULL): "
			"the engine must call it", d->name, file, kind, callback);
	return SL_OK;
}

int sl_loader_get(sl_loader *l, const sl_registry *reg,
		  const sl_descriptor *d, const sl_plugin **out, sl_error *err)
{
	char tried[2048];
	const lt_dlinfo *info;
	const sl_plugin *p;
	sl_plugin_entry_fn entry;
	lt_dlhandle h;
	loaded *grown;
	const char *file;
	size_t i;

	if ((*out = sl_builtin_plugin(d)) != NULL)
		return SL_OK;
	for (i = 0; i < l->count; i++) {
		if (l->items[i].desc == d) {
			*out = l->items[i].plugin;
			return SL_OK;
		}
	}
	if (!l->ltdl_ready)
		return sl_error_setf(err, SL_ERR_RUNTIME,
			"cannot initialise libltdl: %s", lt_dlerror());
	if (d->abi != SL_ABI_MAJOR)
		return sl_error_setf(err, SL_ERR_CONFIG,
			"plugin '%s' (%s) declares plugin ABI %d, but this sluice "
			"speaks ABI %d: rebuild it against this SDK",
			d->name, d->path, d->abi, SL_ABI_MAJOR);
	h = open_library(reg, d, tried, sizeof tried);
	if (h == NULL)
		return sl_error_setf(err, SL_ERR_CONFIG,
			"plugin '%s' (%s): cannot load library '%s'; tried %s",
			d->name, d->path, d->library, tried);
	info = lt_dlgetinfo(h);
	file = info && info->filename ? info->filename : d->library;
	*(void **)&entry = lt_dlsym(h, SL_PLUGIN_ENTRY_NAME);
	if (entry == NULL) {
		sl_error_setf(err, SL_ERR_CONFIG,
			"plugin '%s' (%s) has no entry symbol '%s': not a sluice "
			"plugin, or built without SL_PLUGIN_DEFINE",
			d->name, file, SL_PLUGIN_ENTRY_NAME);
		lt_dlclose(h);
		return SL_ERR;
	}
	p = entry(l->host);
	if (check_plugin(d, file, p, l->host, err) != SL_OK) {
		lt_dlclose(h);
		return SL_ERR;
	}
	grown = realloc(l->items, (l->count + 1) * sizeof *grown);
	if (grown == NULL) {
		lt_dlclose(h);
		return sl_error_setf(err, SL_ERR_RUNTIME, "out of memory");
	}
	l->items = grown;
	l->items[l->count].desc = d;
	l->items[l->count].handle = h;
	l->items[l->count].plugin = p;
	*out = l->items[l->count++].plugin;
	return SL_OK;
}
