/*
 * changelog.c - keyed state kept durable by the job's store.
 *
 * Every stateful stage (one whose operator opened a keyed state store)
 * gets a table in the job's store plugin (sluice/store.h; Kafka keeps a
 * compacted changelog topic per stage), with as many partitions as the
 * stage's input.  State entries belong to the input partition of the
 * record that last wrote them, so a partition's state moves with the
 * partition.  Each commit writes what changed since the last one (under
 * exactly-once inside the transaction, under at-least-once flushed before
 * the positions are committed); a partition's state is read back before
 * any of its records is processed, and after an aborted transaction.
 *
 * An entry: key = state store name, NUL, the store's serialized key;
 * value = the stored bytes, or NULL for a deletion.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/error.h"
#include "runtime/changelog.h"
#include "runtime/log.h"
#include "runtime/telemetry.h"
#include "state/state.h"

/* The job's store, when its state is kept durable. */
struct sl_changelog {
	sl_stage *store;
	uint8_t *key;            /* an entry's key, built for each write */
	size_t key_cap;
};

/* Log restore progress at most this often. */
#define RESTORE_LOG_MS 2000

static int is_stateful(const sl_stage *s)
{
	return s->kind == SL_KIND_OPERATOR && s->state.count > 0;
}

/* What the store calls stage @p s's table, for the log. */
static const char *table_name(const sl_engine *e, const sl_stage *s)
{
	const sl_stage *store = e->changelog->store;
	const sl_store_class *k = store->plugin->store;
	const char *name = SL_STRUCT_HAS(k, sl_store_class, table_name) ?
		k->table_name(store->self, s->state.table) : NULL;

	return name != NULL ? name : s->def->name;
}

int32_t sl_changelog_partition(const sl_stage *s, int32_t partition)
{
	if (partition < 0 || s->state.partitions <= 0)
		return 0;
	return partition % s->state.partitions;
}

static int owns(const sl_stage *s, int32_t p)
{
	size_t i;

	for (i = 0; i < s->state.owned_count; i++)
		if (s->state.owned[i] == p)
			return 1;
	return 0;
}

static int fed_by(const sl_stage *s, const sl_stage *source)
{
	size_t i;

	for (i = 0; i < s->upstream_count; i++)
		if (s->upstream[i] == source)
			return 1;
	return 0;
}

/* ---- restoring ---------------------------------------------------------- */

typedef struct restore_ctx {
	sl_engine *e;
	sl_stage *stage;
	const char *topic;
	uint64_t records;
	int64_t last_log;
	int bad;
} restore_ctx;

static int apply(void *ctx, int32_t partition, const void *key, size_t klen,
		 const void *value, size_t vlen)
{
	restore_ctx *r = ctx;
	const uint8_t *k = key;
	const uint8_t *nul = memchr(k, 0, klen);
	size_t i, name_len;
	int64_t now;

	r->records++;
	now = sl_now_mono_ms();
	if (now - r->last_log >= RESTORE_LOG_MS) {
		r->last_log = now;
		sl_stage_log(r->stage, SL_LOG_INFO, "restoring state from %s: "
			     "%llu records so far", r->topic,
			     (unsigned long long)r->records);
	}
	if (nul == NULL) {
		r->bad++;
		return 0;
	}
	name_len = (size_t)(nul - k);
	for (i = 0; i < r->stage->state.count; i++) {
		sl_state *st = r->stage->state.stores[i];
		const char *name = sl_store_name(st);

		if (strlen(name) != name_len || memcmp(name, k, name_len) != 0)
			continue;
		sl_store_set_partition(st, partition);
		if (sl_store_restore(st, nul + 1, klen - name_len - 1, value,
				     vlen) != 0)
			r->bad++;
		return 0;
	}
	r->bad++; /* a store this operator no longer opens */
	return 0;
}

/* Drop what @p s holds for @p partitions, then read it back. */
static int restore_stage(sl_engine *e, sl_stage *s, const int32_t *partitions,
			 size_t count, sl_error *err)
{
	const sl_stage *store = e->changelog->store;
	const sl_store_class *k = store->plugin->store;
	const char *topic = table_name(e, s);
	restore_ctx r;
	size_t i, j;
	int64_t t0 = sl_now_mono_ms();

	for (i = 0; i < s->state.count; i++)
		for (j = 0; j < count; j++)
			sl_store_drop_partition(s->state.stores[i], partitions[j]);
	memset(&r, 0, sizeof r);
	r.e = e;
	r.stage = s;
	r.topic = topic;
	r.last_log = t0;
	if (k->read(store->self, s->state.table, partitions, count, apply, &r,
		    err) != SL_OK) {
		sl_error_prefix(err, "stage '%s': restoring state from %s: ",
				s->def->name, topic);
		return SL_ERR;
	}
	if (r.bad > 0)
		sl_stage_log(s, SL_LOG_WARN, "%d changelog records of %s could "
			     "not be applied (written for state this operator "
			     "does not open)", r.bad, topic);
	sl_stage_log(s, r.records ? SL_LOG_INFO : SL_LOG_DEBUG,
		     "restored %llu changelog records from %s in %lld ms",
		     (unsigned long long)r.records, topic,
		     (long long)(sl_now_mono_ms() - t0));
	s->state.restores++;
	s->state.restore_ms += sl_now_mono_ms() - t0;
	return SL_OK;
}

/* Stateful stage @p s now holds the state partitions of its input
 * partitions @p partitions: read back those it did not hold. */
static int take_partitions(sl_engine *e, sl_stage *s, const int32_t *partitions,
			   size_t count, sl_error *err)
{
	int32_t *fresh = malloc((count ? count : 1) * sizeof *fresh);
	size_t i, n = 0;
	int rc;

	if (fresh == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	for (i = 0; i < count; i++) {
		int32_t p = sl_changelog_partition(s, partitions[i]);
		int32_t *grown;

		if (owns(s, p))
			continue;
		grown = realloc(s->state.owned, (s->state.owned_count + 1) * sizeof *grown);
		if (grown == NULL) {
			free(fresh);
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		}
		s->state.owned = grown;
		s->state.owned[s->state.owned_count++] = p;
		fresh[n++] = p;
	}
	sl_telemetry_restoring(e, n > 0);
	rc = n ? restore_stage(e, s, fresh, n, err) : SL_OK;
	sl_telemetry_restoring(e, 0);
	free(fresh);
	return rc;
}

/* ---- partitions moving -------------------------------------------------- */

int sl_engine_partitions_assigned(sl_stage *src, const int32_t *partitions,
				  size_t count, sl_error *err)
{
	sl_engine *e = src->engine;
	size_t i;

	if (e->changelog == NULL || count == 0)
		return SL_OK;
	for (i = 0; i < e->stage_count; i++)
		if (is_stateful(&e->stages[i]) && fed_by(&e->stages[i], src) &&
		    take_partitions(e, &e->stages[i], partitions, count, err) != SL_OK)
			return SL_ERR;
	return SL_OK;
}

void sl_engine_partitions_revoked(sl_stage *src, const int32_t *partitions,
				  size_t count)
{
	sl_engine *e = src->engine;
	size_t i, j, k, m;

	if (e->changelog == NULL)
		return;
	for (k = 0; k < e->stage_count; k++) {
		sl_stage *s = &e->stages[k];

		if (!is_stateful(s) || !fed_by(s, src))
			continue;
		for (i = 0; i < count; i++) {
			int32_t p = sl_changelog_partition(s, partitions[i]);

			for (j = 0; j < s->state.owned_count; j++) {
				if (s->state.owned[j] != p)
					continue;
				s->state.owned[j] = s->state.owned[--s->state.owned_count];
				for (m = 0; m < s->state.count; m++)
					sl_store_drop_partition(s->state.stores[m], p);
				break;
			}
		}
	}
}

/* ---- writing ------------------------------------------------------------ */

typedef struct write_ctx {
	sl_changelog *log;
	const sl_stage *stage;
	const char *name;        /* the state store's */
	size_t name_len;
	sl_error *err;
} write_ctx;

static int write_change(void *ctx, int32_t partition, const uint8_t *key,
			size_t klen, const uint8_t *val, size_t vlen)
{
	write_ctx *w = ctx;
	sl_changelog *log = w->log;
	size_t need = w->name_len + 1 + klen;
	const sl_store_class *k = log->store->plugin->store;

	if (need > log->key_cap) {
		uint8_t *grown = realloc(log->key, need * 2);

		if (grown == NULL)
			return sl_error_set(w->err, SL_ERR_RUNTIME, "out of memory");
		log->key = grown;
		log->key_cap = need * 2;
	}
	memcpy(log->key, w->name, w->name_len);
	log->key[w->name_len] = 0;
	memcpy(log->key + w->name_len + 1, key, klen);
	return k->write(log->store->self, w->stage->state.table,
			sl_changelog_partition(w->stage, partition), log->key,
			need, val, vlen, w->err) == SL_OK ? 0 : -1;
}

int sl_changelog_write(sl_engine *e, sl_error *err)
{
	write_ctx w;
	size_t i, j;
	int rc = SL_OK;

	if (e->changelog == NULL)
		return SL_OK;
	memset(&w, 0, sizeof w);
	w.log = e->changelog;
	w.err = err;
	for (i = 0; i < e->stage_count && rc == SL_OK; i++) {
		sl_stage *s = &e->stages[i];

		if (!is_stateful(s))
			continue;
		w.stage = s;
		for (j = 0; j < s->state.count && rc == SL_OK; j++) {
			w.name = sl_store_name(s->state.stores[j]);
			w.name_len = strlen(w.name);
			s->state.changelog_written += sl_store_change_count(s->state.stores[j]);
			if (sl_store_changes(s->state.stores[j], write_change, &w) != 0) {
				sl_error_prefix(err, "stage '%s': writing %s: ",
						s->def->name, table_name(e, s));
				rc = SL_ERR;
			}
		}
	}
	return rc;
}

void sl_changelog_committed(sl_engine *e)
{
	size_t i, j;

	for (i = 0; i < e->stage_count; i++)
		for (j = 0; is_stateful(&e->stages[i]) && j < e->stages[i].state.count; j++)
			sl_store_changes_clear(e->stages[i].state.stores[j]);
}

int sl_changelog_reset(sl_engine *e, sl_error *err)
{
	size_t i, j;

	if (e->changelog == NULL)
		return SL_OK;
	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];

		if (!is_stateful(s))
			continue;
		for (j = 0; j < s->state.count; j++)
			sl_store_changes_clear(s->state.stores[j]);
		if (s->state.owned_count > 0 &&
		    restore_stage(e, s, s->state.owned, s->state.owned_count, err) != SL_OK)
			return SL_ERR;
	}
	return SL_OK;
}

/* ---- opening ------------------------------------------------------------ */

/*
 * Keyed state is partitioned like a stateful stage's input: as many
 * partitions as the most any partitioned source upstream of it has (a
 * guess would create changelogs that never fit the input); records of
 * unpartitioned sources keep their state in partition 0, held from the
 * start.
 */
static int size_stage(sl_stage *s, int *unpartitioned, sl_error *err)
{
	size_t i;

	*unpartitioned = s->upstream_count == 0;
	s->state.partitions = 1;
	for (i = 0; i < s->upstream_count; i++) {
		const sl_stage *src = s->upstream[i];
		const sl_source_class *k = src->plugin->source;
		int32_t n;

		if (!SL_STRUCT_HAS(k, sl_source_class, partition_count)) {
			*unpartitioned = 1;
			continue;
		}
		n = k->partition_count(src->self);
		if (n < 0)
			return sl_error_set(err, SL_ERR_RUNTIME, "stage '%s': "
				"cannot tell how many partitions its input has "
				"(see above), which keyed state is partitioned by",
				src->def->name);
		if (n > s->state.partitions)
			s->state.partitions = n;
	}
	return SL_OK;
}

int sl_changelog_flush(sl_engine *e, int timeout_ms, sl_error *err)
{
	const sl_stage *store = e->changelog ? e->changelog->store : NULL;

	if (store == NULL ||
	    store->plugin->store->flush(store->self, timeout_ms, err) == SL_OK)
		return SL_OK;
	sl_error_prefix(err, "store '%s': ", store->def->name);
	return SL_ERR;
}

/* Under exactly-once the store's writes must be in the job's transaction,
 * which only a store of the transaction owner's plugin can join. */
static int check_transactional(const sl_engine *e, const sl_stage *store,
			       const sl_stage *owner, sl_error *err)
{
	if (e->job->delivery != SL_DELIVERY_EXACTLY_ONCE || owner == NULL ||
	    owner->def->plugin == store->def->plugin)
		return SL_OK;
	return sl_error_set(err, SL_ERR_CONFIG, "%s:%d: store '%s' (plugin %s) "
		"cannot write keyed state into the transaction of sink '%s' "
		"(plugin %s), so delivery = exactly-once cannot hold: use a store "
		"of plugin %s", e->job->path, store->def->line,
		store->def->name, store->def->plugin->name, owner->def->name,
		owner->def->plugin->name, owner->def->plugin->name);
}

void sl_changelog_close(sl_engine *e)
{
	if (e->changelog == NULL)
		return;
	free(e->changelog->key);
	free(e->changelog);
	e->changelog = NULL;
}

int sl_changelog_open(sl_engine *e, const sl_stage *txn_owner, sl_error *err)
{
	static const int32_t zero = 0;
	const sl_store_class *k;
	sl_stage *store = NULL;
	size_t i, j;
	int stateful = 0, unpartitioned;

	/* partitioned like the input even in memory: watermarks and timers
	 * are kept per partition */
	for (i = 0; i < e->stage_count; i++)
		if (is_stateful(&e->stages[i])) {
			stateful++;
			if (size_stage(&e->stages[i], &unpartitioned, err) != SL_OK)
				return SL_ERR;
		}
	for (i = 0; i < e->stage_count && store == NULL; i++)
		if (e->stages[i].kind == SL_KIND_STORE)
			store = &e->stages[i];
	if (stateful == 0)
		return SL_OK;
	if (e->job->delivery == SL_DELIVERY_EXACTLY_ONCE && store == NULL) {
		for (i = 0; !is_stateful(&e->stages[i]); i++)
			;
		return sl_error_set(err, SL_ERR_CONFIG, "%s:%d: stage '%s' keeps "
			"keyed state, and no store can keep it in the job's "
			"transaction (no [store], and no sink whose plugin "
			"provides one), so delivery = exactly-once cannot hold: "
			"state kept in memory is lost by a crash; use delivery = "
			"at-least-once", e->job->path, e->stages[i].def->line,
			e->stages[i].def->name);
	}
	if (e->job->delivery == SL_DELIVERY_NONE || store == NULL) {
		for (i = 0; i < e->stage_count; i++)
			if (is_stateful(&e->stages[i]))
				sl_stage_log(&e->stages[i], SL_LOG_INFO,
					"keyed state is kept in memory only (%s)",
					e->job->delivery == SL_DELIVERY_NONE ?
					"delivery = none" :
					"the job has no store, nor a sink whose "
					"plugin provides one");
		return SL_OK;
	}
	if (check_transactional(e, store, txn_owner, err) != SL_OK)
		return SL_ERR;
	if ((e->changelog = calloc(1, sizeof *e->changelog)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	e->changelog->store = store;
	k = store->plugin->store;
	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];

		if (!is_stateful(s))
			continue;
		for (j = 0; j < s->state.count; j++)
			sl_store_track(s->state.stores[j], 1);
		if (k->prepare(store->self, s->def->name, s->state.partitions,
			       &s->state.table, err) != SL_OK) {
			sl_error_prefix(err, "stage '%s': ", s->def->name);
			return SL_ERR;
		}
		/* records of unpartitioned sources keep their state in
		 * partition 0, held from the start */
		for (j = 0, unpartitioned = s->upstream_count == 0;
		     j < s->upstream_count; j++)
			unpartitioned |= !SL_STRUCT_HAS(s->upstream[j]->plugin->source,
							sl_source_class, partition_count);
		if (unpartitioned && take_partitions(e, s, &zero, 1, err) != SL_OK)
			return SL_ERR;
	}
	return SL_OK;
}
