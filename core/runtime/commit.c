/*
 * commit.c - what a job has committed: source positions and, under
 * exactly-once, the transaction that carries outputs and positions
 * together.
 *
 * at-least-once: flush every sink, then commit every source's positions,
 * so a position is committed only once all records before it are
 * acknowledged.  exactly-once (Kafka Streams' v2 model): one
 * transactional sink owns the job's transaction; each cycle it commits
 * the outputs written since the last cycle with the sources' positions; an
 * abortable failure aborts, rewinds the sources to the last committed
 * positions and goes on.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/error.h"
#include "runtime/changelog.h"
#include "runtime/commit.h"
#include "runtime/commit_pending.h"
#include "runtime/hop.h"
#include "runtime/log.h"
#include "runtime/positions.h"
#include "runtime/retry.h"
#include "runtime/telemetry.h"
#include "runtime/watermark.h"

/* What the commit path keeps between cycles. */
struct sl_commit {
	sl_stage *txn_owner;     /* exactly-once: the sink owning the transaction */
	uint64_t aborts;         /* transactions aborted and retried */
	int txn_doomed;          /* the open transaction must abort */
	int pipelined;           /* at-least-once: cycles wait, records flow */
	sl_commit_queue *pending;
	int txn_pipelined;       /* exactly-once: the job goes on while the
				  * owner commits */
	sl_pending_cycle *in_flight; /* ... what that commit carries */
	uint64_t cycles;         /* at-least-once: cycles begun */
	uint64_t cycle_committed; /* ... the newest whose positions are */
};

#define SOURCE_HAS(s, member) \
	SL_STRUCT_HAS((s)->plugin->source, sl_source_class, member)
#define SINK_HAS(k, member) SL_STRUCT_HAS(k, sl_sink_class, member)

/* Whether the engine keeps @p src's positions: something is told them. */
static int tracks_positions(const sl_source_class *src)
{
	return src->commit != NULL ||
	       SL_STRUCT_HAS(src, sl_source_class, txn_group) ||
	       SL_STRUCT_HAS(src, sl_source_class, delivered);
}

int sl_commit_advance(sl_engine *e, sl_stage *s, const sl_origin *polled,
		      uint32_t count)
{
	const sl_source_class *src = s->plugin->source;
	const sl_failure *f = &e->failure;
	sl_origin stop;

	if (!tracks_positions(src))
		return 0;
	/* the record that failed under errors = fail, and those after it,
	 * are not delivered */
	stop.topic = f->has_topic ? f->topic : NULL;
	stop.partition = f->partition;
	stop.offset = f->offset;
	return sl_positions_advance(&s->positions, &s->position_count, polled,
				    count, f->set && f->source == s ? &stop : NULL);
}

int sl_commit_position(sl_engine *e, sl_stage *s, const char *topic,
		       int32_t partition, int64_t next_offset)
{
	const sl_source_class *src = s->plugin->source;

	(void)e;
	if (!tracks_positions(src))
		return 0;
	return sl_positions_set(&s->positions, &s->position_count, topic,
				partition, next_offset, 1);
}

/* A position array for a plugin call; *p is pos or a malloc'd one. */
static sl_position *as_positions(const sl_tracked *t, size_t n,
				 sl_position *pos, size_t room)
{
	sl_position *p = n > room ? malloc(n * sizeof *p) : pos;
	size_t i;

	if (p == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		p[i].topic = t[i].topic;
		p[i].partition = t[i].partition;
		p[i].next_offset = t[i].next_offset;
	}
	return p;
}

/* Hand a source's positions to one of its callbacks (commit, rewind). */
static int call_with_positions(sl_stage *s, const sl_tracked *list, size_t n,
			       int (*fn)(void *self, const sl_position *positions,
					 size_t count, sl_error *err),
			       sl_error *err)
{
	sl_position pos[64] = { { NULL, 0, 0 } };
	sl_position *p = as_positions(list, n, pos, 64);
	int rc;

	if (p == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	rc = fn(s->self, p, n, err);
	if (p != pos)
		free(p);
	if (rc != SL_OK) {
		sl_error_prefix(err, "stage '%s': ", s->def->name);
		return SL_ERR;
	}
	return SL_OK;
}

static int flush_sinks(sl_engine *e, sl_error *err)
{
	size_t i;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];

		if (s->kind == SL_KIND_SINK &&
		    sl_retry_flush(s, SL_FLUSH_TIMEOUT_MS, err) != SL_OK) {
			sl_error_prefix(err, "stage '%s': ", s->def->name);
			return SL_ERR;
		}
	}
	return SL_OK;
}

/*
 * Commit positions through each source's own commit (no transaction):
 * those of @p c, a cycle that waited for its writes, or (NULL) the
 * sources' own.
 */
static int commit_sources(sl_engine *e, const sl_pending_cycle *c,
			  int skip_txn_sources, sl_error *err)
{
	size_t i;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];
		const sl_tracked *list = c ? c->positions[i] : s->positions;
		size_t n = c ? c->position_counts[i] : s->position_count;

		if (s->kind != SL_KIND_SOURCE || s->plugin->source->commit == NULL ||
		    n == 0 || (skip_txn_sources && SOURCE_HAS(s, txn_group)))
			continue;
		if (call_with_positions(s, list, n, s->plugin->source->commit,
					err) != SL_OK)
			return SL_ERR;
	}
	return SL_OK;
}

/*
 * Tell sources that answer their senders (delivered) that the records
 * before the positions of @p c, a cycle whose writes are delivered, or
 * (NULL) the sources' own now, are delivered as the job's delivery mode
 * promises.
 */
static int tell_delivered(sl_engine *e, const sl_pending_cycle *c)
{
	size_t i;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];
		const sl_tracked *list = c ? c->positions[i] : s->positions;
		size_t n = c ? c->position_counts[i] : s->position_count;
		sl_position pos[64];
		sl_position *p;

		if (s->kind != SL_KIND_SOURCE || n == 0 ||
		    !SOURCE_HAS(s, delivered))
			continue;
		if ((p = as_positions(list, n, pos, 64)) == NULL)
			return -1;
		s->plugin->source->delivered(s->self, p, n);
		if (p != pos)
			free(p);
	}
	return 0;
}

/*
 * A sink's records count as out once a commit has seen them delivered
 * (flushed, acknowledged, in a committed transaction): those written up
 * to @p c's cycle, or (NULL) every record written.
 */
static void count_delivered(sl_engine *e, const sl_pending_cycle *c)
{
	size_t i;

	for (i = 0; i < e->stage_count; i++)
		if (e->stages[i].kind == SL_KIND_SINK)
			e->stages[i].records_out = c ? c->written[i] :
				e->stages[i].records_written;
}

/* An aborted transaction's records are read and written again: they do
 * not count. */
static void uncount_written(sl_engine *e)
{
	size_t i;

	for (i = 0; i < e->stage_count; i++)
		if (e->stages[i].kind == SL_KIND_SINK)
			e->stages[i].records_written = e->stages[i].records_out;
}

/* Whether the transaction owner keeps the positions in its own system
 * (txn_position): the sources' own commits then only follow it. */
static int owner_keeps_positions(const sl_engine *e)
{
	const sl_stage *o = e->commit != NULL ? e->commit->txn_owner : NULL;

	return o != NULL && SINK_HAS(o->plugin->sink, txn_position);
}

/*
 * What a transaction committed: the positions of @p c (a pipelined
 * commit's, taken when it started) or, NULL, the sources' own now.  Kept
 * for a later rewind, and told to sources that keep track.  0 or -1.
 */
static int committed_as(sl_engine *e, const sl_pending_cycle *c)
{
	size_t i, j;

	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];
		const sl_tracked *list = c ? c->positions[i] : s->positions;
		size_t n = c ? c->position_counts[i] : s->position_count;
		sl_position *told;

		if (s->kind != SL_KIND_SOURCE)
			continue;
		for (j = 0; j < n; j++)
			if (sl_positions_set(&s->committed, &s->committed_count,
					     list[j].topic, list[j].partition,
					     list[j].next_offset, 0) != 0)
				return -1;
		/* an owner that keeps the positions did not commit the
		 * source's own: commit_sources does, after it */
		if (n == 0 || !SOURCE_HAS(s, txn_group) ||
		    !SOURCE_HAS(s, txn_committed) || owner_keeps_positions(e))
			continue;
		if ((told = as_positions(list, n, NULL, 0)) == NULL)
			return -1;
		s->plugin->source->txn_committed(s->self, told, n);
		free(told);
	}
	return 0;
}

/* After an abort: sources read again from the last committed positions. */
static int rewind_sources(sl_engine *e, sl_error *err)
{
	size_t i, j;

	/* what a source reported before this, not yet applied, is reported
	 * again as it reads again (inputs.c) */
	e->rewinds++;
	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];

		if (s->kind != SL_KIND_SOURCE)
			continue;
		sl_positions_clear(&s->positions, &s->position_count);
		for (j = 0; j < s->committed_count; j++)
			if (sl_positions_set(&s->positions, &s->position_count,
					     s->committed[j].topic,
					     s->committed[j].partition,
					     s->committed[j].next_offset, 0) != 0)
				return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		if (!SOURCE_HAS(s, rewind))
			return sl_error_set(err, SL_ERR_FATAL,
				"stage '%s': the transaction was aborted, but "
				"plugin '%s' cannot rewind to read its records again",
				s->def->name, s->def->plugin->name);
		if (call_with_positions(s, s->committed, s->committed_count,
					s->plugin->source->rewind, err) != SL_OK)
			return SL_ERR;
	}
	return SL_OK;
}

/* Commit the transaction with the sources' positions now, or (@p start)
 * start committing it. */
static int txn_commit(sl_engine *e, int start, sl_error *err)
{
	sl_stage *owner = e->commit->txn_owner;
	sl_txn_source *part;
	sl_position **lists;
	size_t i, n = 0;
	sl_txn txn;
	int rc = SL_ERR;

	for (i = 0; i < e->stage_count; i++)
		n += e->stages[i].kind == SL_KIND_SOURCE &&
		     SOURCE_HAS(&e->stages[i], txn_group);
	part = calloc(n ? n : 1, sizeof *part);
	lists = calloc(n ? n : 1, sizeof *lists);
	if (part == NULL || lists == NULL) {
		free(part);
		free(lists);
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	}
	n = 0;
	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];

		if (s->kind != SL_KIND_SOURCE || !SOURCE_HAS(s, txn_group))
			continue;
		part[n].stage = s->def->name;
		part[n].group = s->plugin->source->txn_group(s->self);
		part[n].count = s->position_count;
		lists[n] = s->position_count ?
			as_positions(s->positions, s->position_count, NULL, 0) : NULL;
		if (s->position_count && lists[n] == NULL) {
			sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
			goto out;
		}
		part[n].positions = lists[n];
		n++;
	}
	txn.sources = part;
	txn.source_count = n;
	rc = start ? owner->plugin->sink->txn_commit_start(owner->self, &txn, err)
		   : owner->plugin->sink->txn_commit(owner->self, &txn, err);
out:
	for (i = 0; i < n; i++)
		free(lists[i]);
	free(lists);
	free(part);
	return rc;
}

/* After an abort everything since the last commit is read again: event
 * time starts over with it, as the state does. */
static void reset_watermarks(sl_engine *e)
{
	size_t i;

	for (i = 0; i < e->stage_count; i++)
		if (e->stages[i].wm != NULL)
			sl_wm_reset(e->stages[i].wm);
}

/*
 * At-least-once.  State changes go to the store first: durable before the
 * positions that follow them.  Pipelined, the cycle's marks queue up and
 * the newest cycle whose writes are durable is committed; @p sync (or a
 * sink that cannot be marked) flushes and commits the positions of now.
 */
static int alo_cycle(sl_engine *e, int sync, sl_error *err)
{
	sl_commit *c = e->commit;
	sl_pending_cycle *done;
	int rc;

	c->cycles++;
	if (sl_changelog_write(e, err) != SL_OK)
		return SL_ERR;
	if (sync || !c->pipelined || sl_pending_full(c->pending)) {
		if (sl_changelog_flush(e, SL_FLUSH_TIMEOUT_MS, err) != SL_OK ||
		    flush_sinks(e, err) != SL_OK ||
		    commit_sources(e, NULL, 0, err) != SL_OK)
			return SL_ERR;
		if (tell_delivered(e, NULL) != 0)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		sl_changelog_committed(e);
		sl_pending_clear(c->pending, e);
		count_delivered(e, NULL);
		c->cycle_committed = c->cycles;
		return SL_OK;
	}
	/* the writes are handed over: a failure to make them durable stops
	 * the job before its positions are committed */
	sl_changelog_committed(e);
	if (sl_pending_add(&c->pending, e, c->cycles, err) != SL_OK ||
	    sl_pending_take(c->pending, e, &done, err) != SL_OK)
		return SL_ERR;
	if (done == NULL)
		return SL_OK;
	rc = commit_sources(e, done, 0, err);
	if (rc == SL_OK && tell_delivered(e, done) != 0)
		rc = sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	if (rc == SL_OK) {
		count_delivered(e, done);
		c->cycle_committed = done->number;
	}
	sl_pending_cycle_free(e, done);
	return rc;
}

/*
 * Exactly-once: a transaction committed the positions of @p c (a
 * pipelined commit's, taken when it started) or, NULL, the sources' own
 * now.  They count as committed, the sinks' records as delivered, and
 * sources outside the transaction are committed to them.
 */
int sl_commit_stored_position(const sl_engine *e, const sl_stage *source,
			      const char *topic, int32_t partition,
			      int64_t *next_offset, sl_error *err)
{
	const sl_stage *o;

	if (e == NULL || !owner_keeps_positions(e))
		return 0;
	o = e->commit->txn_owner;
	return o->plugin->sink->txn_position(o->self, source->def->name, topic,
					     partition, next_offset, err);
}

static int txn_done(sl_engine *e, const sl_pending_cycle *c, sl_error *err)
{
	sl_telemetry_txn_done(c != NULL ? c->read : sl_pending_records_read(e));
	if (committed_as(e, c) != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	count_delivered(e, c);
	if (tell_delivered(e, c) != 0)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	/* offsets the transaction carried are committed; when the owner
	 * keeps them itself, a Kafka group's are committed after it, for
	 * lag monitoring only */
	return commit_sources(e, c, !owner_keeps_positions(e), err);
}

/*
 * Exactly-once: write what goes into the transaction, then commit it
 * with the positions, or (pipelined, unless @p sync) start committing it
 * and go on: the next cycle finishes it.
 */
static int txn_write_commit(sl_engine *e, int sync, sl_error *why)
{
	sl_commit *c = e->commit;
	sl_pending_cycle *snap = NULL;

	if (c->txn_doomed)
		return sl_error_set(why, SL_ERR_ABORTABLE, "partitions were lost "
				    "with uncommitted records in the transaction");
	if (sl_hop_report(e, why) != SL_OK ||
	    sl_changelog_write(e, why) != SL_OK ||
	    flush_sinks(e, why) != SL_OK)
		return SL_ERR;
	if (!sync && c->txn_pipelined &&
	    (snap = sl_pending_snapshot(e, 0)) == NULL)
		return sl_error_set(why, SL_ERR_RUNTIME, "out of memory");
	if (txn_commit(e, snap != NULL, why) != SL_OK) {
		sl_pending_cycle_free(e, snap);
		return SL_ERR;
	}
	c->in_flight = snap;
	sl_changelog_committed(e);
	return SL_OK;
}

/* An exactly-once commit failed (@p why): an abortable failure aborts
 * and rewinds to the last committed positions; any other stops the job. */
static int txn_failed(sl_engine *e, const sl_error *why, sl_error *err)
{
	sl_stage *owner = e->commit->txn_owner;

	if (why->kind != SL_ERR_ABORTABLE) {
		*err = *why;
		sl_error_prefix(err, "exactly-once commit failed: ");
		return SL_ERR;
	}
	sl_stage_log(owner, SL_LOG_WARN,
		     "transaction aborted (%s); reading again from the last "
		     "committed positions", why->message);
	if (owner->plugin->sink->txn_abort(owner->self, err) != SL_OK)
		return SL_ERR;
	e->commit->txn_doomed = 0;
	e->commit->aborts++;
	uncount_written(e);
	if (sl_changelog_reset(e, err) != SL_OK)
		return SL_ERR;
	reset_watermarks(e);
	return rewind_sources(e, err);
}

/* Exactly-once: the commit started last cycle ends first; then this
 * cycle's transaction is committed, or started. */
static int txn_cycle(sl_engine *e, int sync, sl_error *err)
{
	sl_commit *c = e->commit;
	sl_stage *owner = c->txn_owner;
	sl_pending_cycle *f = c->in_flight;
	sl_error why;
	int rc = SL_OK;

	c->in_flight = NULL;
	if (f != NULL) {
		if (owner->plugin->sink->txn_commit_finish(owner->self, &why) != SL_OK) {
			sl_pending_cycle_free(e, f);
			return txn_failed(e, &why, err);
		}
		rc = txn_done(e, f, err);
		sl_pending_cycle_free(e, f);
		if (rc != SL_OK)
			return SL_ERR;
	}
	if (txn_write_commit(e, sync, &why) != SL_OK)
		return txn_failed(e, &why, err);
	return c->in_flight != NULL ? SL_OK : txn_done(e, NULL, err);
}

static int commit_cycle(sl_engine *e, int sync, sl_error *err)
{
	/* progress reports go out with the records they speak for */
	if (e->job->delivery != SL_DELIVERY_EXACTLY_ONCE &&
	    sl_hop_report(e, err) != SL_OK)
		return SL_ERR;
	if (e->job->delivery == SL_DELIVERY_NONE) {
		if (flush_sinks(e, err) != SL_OK)
			return SL_ERR;
		count_delivered(e, NULL);
		/* nothing is committed, but a source answering its senders
		 * learns that the sinks have the records */
		return tell_delivered(e, NULL) != 0 ?
		       sl_error_set(err, SL_ERR_RUNTIME, "out of memory") : SL_OK;
	}
	if (e->commit == NULL) /* the job failed before it opened */
		return SL_OK;
	if (e->commit->txn_owner == NULL)
		return alo_cycle(e, sync, err);
	return txn_cycle(e, sync, err);
}

/* The cycle, timed and counted for observers (telemetry.h). */
int sl_commit_cycle(sl_engine *e, int sync, sl_error *err)
{
	uint64_t aborts = sl_commit_aborts(e);
	int64_t t0 = sl_telemetry_on ? sl_now_mono_us() : 0;
	int rc = commit_cycle(e, sync, err);
	int txn = e->commit != NULL && e->commit->txn_owner != NULL;

	if (sl_telemetry_on)
		sl_telemetry_commit(sl_now_mono_us() - t0, rc == SL_OK,
				    txn && rc == SL_OK && sl_commit_aborts(e) == aborts,
				    txn && rc != SL_OK && err->kind == SL_ERR_FATAL,
				    sl_commit_aborts(e), sl_pending_records_read(e));
	return rc;
}

void sl_commit_abort(sl_engine *e)
{
	const sl_stage *owner = sl_commit_txn_owner(e);
	sl_error ignored;

	if (owner != NULL && owner->opened)
		owner->plugin->sink->txn_abort(owner->self, &ignored);
}

int sl_commit_open(sl_engine *e, sl_error *err)
{
	sl_stage *owner;
	size_t i;

	if ((e->commit = calloc(1, sizeof *e->commit)) == NULL)
		return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
	e->commit->pipelined = e->job->delivery == SL_DELIVERY_AT_LEAST_ONCE &&
			       sl_pending_possible(e);
	if (e->job->delivery != SL_DELIVERY_EXACTLY_ONCE)
		return SL_OK;
	for (i = 0; i < e->stage_count; i++) {
		sl_stage *s = &e->stages[i];
		const sl_sink_class *k = s->plugin->sink;

		if (s->kind != SL_KIND_SINK)
			continue;
		if (!SINK_HAS(k, txn_begin) || !SINK_HAS(k, txn_commit) ||
		    !SINK_HAS(k, txn_abort))
			return sl_error_set(err, SL_ERR_CONFIG,
				"%s:%d: sink '%s' (plugin %s) cannot take part in a "
				"transaction, so delivery = exactly-once cannot hold; "
				"use delivery = at-least-once or a transactional sink",
				e->job->path, s->def->line, s->def->name,
				s->def->plugin->name);
		if (e->commit->txn_owner == NULL)
			e->commit->txn_owner = s;
		else if (e->commit->txn_owner->def->plugin != s->def->plugin)
			/* only the owner's transaction is committed: a sink of
			 * another system would never commit what it wrote */
			return sl_error_set(err, SL_ERR_CONFIG,
				"%s:%d: sink '%s' (plugin %s) and sink '%s' (plugin "
				"%s) cannot share one transaction, so delivery = "
				"exactly-once cannot hold for both; use "
				"delivery = at-least-once, or one job per system",
				e->job->path, s->def->line, s->def->name,
				s->def->plugin->name, e->commit->txn_owner->def->name,
				e->commit->txn_owner->def->plugin->name);
	}
	owner = e->commit->txn_owner;
	if (owner == NULL)
		return SL_OK;
	e->commit->txn_pipelined = SINK_HAS(owner->plugin->sink, txn_commit_start) &&
				   SINK_HAS(owner->plugin->sink, txn_commit_finish);
	return owner->plugin->sink->txn_begin(owner->self, err);
}

void sl_commit_forget(sl_engine *e, sl_stage *s, const char *topic,
		      int32_t partition)
{
	/*
	 * A partition lost (not revoked: a revoke commits first) with
	 * uncommitted reads: the open transaction holds output of records
	 * another instance will read again.  It must not commit.
	 */
	if (e->commit != NULL && e->commit->txn_owner != NULL &&
	    sl_positions_of(s->positions, s->position_count, topic, partition) >
	    sl_positions_of(s->committed, s->committed_count, topic, partition))
		e->commit->txn_doomed = 1;
	sl_positions_forget(s->positions, &s->position_count, topic, partition);
	sl_positions_forget(s->committed, &s->committed_count, topic, partition);
	if (e->commit != NULL)
		sl_pending_forget(e->commit->pending, (size_t)(s - e->stages),
				  topic, partition);
	if (e->commit != NULL && e->commit->in_flight != NULL) {
		size_t i = (size_t)(s - e->stages);

		sl_positions_forget(e->commit->in_flight->positions[i],
				    &e->commit->in_flight->position_counts[i],
				    topic, partition);
	}
}

void sl_commit_close(sl_engine *e)
{
	if (e->commit != NULL) {
		sl_pending_free(e->commit->pending, e);
		sl_pending_cycle_free(e, e->commit->in_flight);
	}
	free(e->commit);
	e->commit = NULL;
}

uint64_t sl_commit_cycle_next(const sl_engine *e)
{
	return e->commit != NULL ? e->commit->cycles + 1 : 1;
}

uint64_t sl_commit_cycle_committed(const sl_engine *e)
{
	return e->commit != NULL ? e->commit->cycle_committed : 0;
}

uint64_t sl_commit_aborts(const sl_engine *e)
{
	return e->commit != NULL ? e->commit->aborts : 0;
}

const sl_stage *sl_commit_txn_owner(const sl_engine *e)
{
	return e->commit != NULL ? e->commit->txn_owner : NULL;
}

void sl_commit_free(sl_stage *s)
{
	sl_positions_clear(&s->positions, &s->position_count);
	sl_positions_clear(&s->committed, &s->committed_count);
}
