/*
 * kafka_source_poll.c - records from the consumer into a batch.
 *
 * Zero copy: a record's key, value and headers point into librdkafka's
 * message, and the batch holds the messages until the engine releases it
 * (one release callback per batch destroys them all).  The first poll
 * waits up to the engine's timeout; once a record is in, the rest of what
 * librdkafka has already fetched is taken without waiting.
 *
 * stop = end: a partition is finished when a record at or past the end
 * taken at start shows up, or when librdkafka reports the partition's end
 * (under read_committed, its last stable offset) at or past it.  The end
 * event, or the first record past the end when a writer goes on, is what
 * finishes a partition whose last offsets hold transaction markers or
 * aborted records, which are never delivered; the engine is told of both
 * (sl_partition_end), so the offset committed moves past such markers to
 * the end itself, or to the run's end when records past it were left
 * alone.  Once every partition held here is
 * finished, the run ends when the group's committed offsets say every
 * partition is (kafka_source_bounds.c).
 */
#include "kafka_pack.h"
#include "kafka_source_shared.h"

/* The messages a batch's records point into. */
typedef struct held {
	uint32_t count;
	rd_kafka_message_t *msgs[];
} held;

static void release_held(void *arg)
{
	held *h = arg;
	uint32_t i;

	for (i = 0; i < h->count; i++)
		rd_kafka_message_destroy(h->msgs[i]);
}

static int fatal(kafka_source *s, sl_error *err)
{
	char why[512];
	rd_kafka_resp_err_t code = rd_kafka_fatal_error(s->client.rk, why, sizeof why);

	return sl_error_set(err, SL_ERR_FATAL, "Kafka consumer failed for good: %s (%s)",
			    why, rd_kafka_err2name(code));
}

/* An event instead of a record: the end of a partition, or an error. */
static int on_event(kafka_source *s, const rd_kafka_message_t *m, sl_error *err)
{
	const char *topic = m->rkt ? rd_kafka_topic_name(m->rkt) : NULL;
	kafka_part *p;

	switch (m->err) {
	case RD_KAFKA_RESP_ERR__PARTITION_EOF:
		p = topic ? kafka_source_part(s, topic, m->partition, 0) : NULL;
		if (p == NULL)
			return SL_OK;
		if (m->offset > p->reached)
			p->reached = m->offset;
		if (s->stop_at_end && p->end >= 0 && m->offset >= p->end)
			kafka_source_part_done(s, p);
		/* records past a bounded run's end stay for the next run */
		if (p->assigned && SL_HOST_HAS(partition_end))
			sl_partition_end(s->client.stage, topic, m->partition,
					 s->stop_at_end && p->end >= 0 &&
					 m->offset > p->end ? p->end : m->offset);
		return SL_OK;
	case RD_KAFKA_RESP_ERR__FATAL:
		return fatal(s, err);
	/* A bounded run would wait forever for partitions that do not
	 * exist: a missing topic is an error (one topic.pattern matched
	 * when the run started, deleted since, too; a pattern that matches
	 * nothing is an empty run, kafka_source_bounds.c).  Unbounded runs
	 * wait for them to appear, or for topic.pattern to stop matching. */
	case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
	case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
		if (!s->stop_at_end || topic == NULL)
			break;
		return sl_error_set(err, SL_ERR_RUNTIME, "topic %s does not "
				    "exist (stop = end: nothing to wait for)",
				    topic);
	/* the job cannot do what it was asked: stop rather than wait forever */
	case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
	case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
	case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
		if (topic != NULL)
			return sl_error_set(err, SL_ERR_RUNTIME,
					    "topic %s partition %d: %s", topic,
					    (int)m->partition, rd_kafka_message_errstr(m));
		return sl_error_set(err, SL_ERR_RUNTIME, "%s", rd_kafka_message_errstr(m));
	default:
		break;
	}
	/* librdkafka recovers from the others by itself */
	if (topic != NULL)
		sl_log(s->client.stage, SL_LOG_WARN, "topic %s: %s", topic,
		       rd_kafka_message_errstr(m));
	else
		sl_log(s->client.stage, SL_LOG_WARN, "Kafka: %s",
		       rd_kafka_message_errstr(m));
	return SL_OK;
}

static int fill(sl_record *r, rd_kafka_message_t *m, sl_arena *arena, sl_error *err)
{
	rd_kafka_timestamp_type_t type;
	rd_kafka_headers_t *hdrs;
	int64_t ts = rd_kafka_message_timestamp(m, &type);

	r->key_raw.data = m->key;
	r->key_raw.len = m->key_len;
	r->value_raw.data = m->payload;
	r->value_raw.len = m->len;
	r->timestamp = type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? -1 : ts;
	r->origin.topic = rd_kafka_topic_name(m->rkt);
	r->origin.partition = m->partition;
	r->origin.offset = m->offset;
	if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
		size_t i, n = rd_kafka_header_cnt(hdrs);
		sl_header *hv = sl_arena_alloc(arena, n * sizeof *hv);

		if (hv == NULL)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		for (i = 0; i < n; i++) {
			const void *value;
			size_t size;

			rd_kafka_header_get_all(hdrs, i, &hv[i].name, &value, &size);
			hv[i].value.data = value;
			hv[i].value.len = size;
		}
		r->headers = hv;
		r->header_count = (uint32_t)n;
	}
	return SL_OK;
}

/* Whether the record @p m is past the end of a stop = end run. */
static int past_end(kafka_source *s, const rd_kafka_message_t *m)
{
	kafka_part *p = kafka_source_part(s, rd_kafka_topic_name(m->rkt),
					  m->partition, 0);
	enum kafka_end_step step;

	if (p == NULL)
		return 0;
	step = kafka_part_end_step(p, m->offset);
	if (p->end >= 0 && p->done)
		return 1;
	if (step == KAFKA_PAST_END) {
		/* What lies before it and was not handed out is transaction
		 * markers (a writer went on, so no end event came): the
		 * position moves to the end all the same. */
		if (p->assigned && SL_HOST_HAS(partition_end))
			sl_partition_end(s->client.stage, p->topic, p->partition,
					 p->end);
		kafka_source_part_done(s, p);
		return 1;
	}
	if (step == KAFKA_LAST_BEFORE_END)
		kafka_source_part_done(s, p); /* the last one: take it */
	return 0;
}

/*
 * The group has read everything: a repartition topic is emptied.  The
 * consumer stays a member until the job closes it, and answers the
 * group's rebalances meanwhile (the group would wait for it); records of
 * partitions handed over now are past the ends.  Not on the call that
 * ends it, though: when it is the job's last source the job fires what
 * its partitions' state still holds (windows at the end of input) right
 * after, and a revocation served now would drop that state first, with
 * nobody left to fire it if the new owner has finished too.  The group
 * waits for this member until it leaves, moments later.
 */
static int finish(kafka_source *s)
{
	rd_kafka_message_t *m;
	int i;

	if (!s->purged) {
		s->ended = s->purged = 1;
		kafka_source_purge(s, 1);
		return SL_EOF;
	}
	for (i = 0; i < 100 && (m = rd_kafka_consumer_poll(s->client.rk, 0)); i++)
		rd_kafka_message_destroy(m);
	return SL_EOF;
}

/* Messages taken from librdkafka's queue in one call. */
#define TAKE_MAX 256

static void drop(rd_kafka_message_t **msgs, ssize_t from, ssize_t n)
{
	for (; from < n; from++)
		rd_kafka_message_destroy(msgs[from]);
}

/* Record @p m into @p batch, which keeps it until released; with
 * @p only_held NULL the message is only kept (a pack's records follow). */
static int take(kafka_source *s, sl_batch *batch, uint32_t max, held **h,
		rd_kafka_message_t *m, int *only_held, sl_error *err)
{
	sl_record *r;

	(void)s;
	if (*h == NULL) {
		*h = sl_arena_alloc(batch->arena, sizeof **h + max * sizeof (*h)->msgs[0]);
		if (*h == NULL) {
			rd_kafka_message_destroy(m);
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		}
		(*h)->count = 0;
		sl_batch_on_release(batch, release_held, *h);
	}
	(*h)->msgs[(*h)->count++] = m;
	if (only_held == NULL)
		return SL_OK;
	r = sl_batch_push(batch);
	return r != NULL ? fill(r, m, batch->arena, err)
			 : sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
}

/* Whether @p m is a pack of records (kafka_pack.h). */
static int is_pack(const kafka_source *s, const rd_kafka_message_t *m)
{
	return s->role == SL_ROLE_REPARTITION_SOURCE &&
	       m->key_len == KAFKA_PACK_KEY_LEN &&
	       memcmp(m->key, KAFKA_PACK_KEY, KAFKA_PACK_KEY_LEN) == 0;
}

/* The records of pack @p m into @p batch, which keeps it until released;
 * the poll left room for a whole pack. */
static int take_pack(kafka_source *s, sl_batch *batch, uint32_t max, held **h,
		     rd_kafka_message_t *m, sl_error *err)
{
	const char *topic = rd_kafka_topic_name(m->rkt);
	int32_t partition = m->partition;
	int64_t offset = m->offset;
	const uint8_t *data = m->payload;
	size_t len = m->len, at = 1;
	char why[200];
	long n = kafka_pack_count(data, len, why, sizeof why);
	sl_record *r;

	if (n < 0 || n > KAFKA_PACK_RECORDS) {
		if (n > KAFKA_PACK_RECORDS)
			snprintf(why, sizeof why, "%ld records in one pack, more "
				 "than the %d sluice writes", n, KAFKA_PACK_RECORDS);
		sl_error_set(err, SL_ERR_RUNTIME, "topic %s partition %d offset "
			     "%lld: %s (is another program writing to this "
			     "repartition topic?)", topic, (int)partition,
			     (long long)offset, why);
		rd_kafka_message_destroy(m);
		return SL_ERR;
	}
	/* held first: the records point into it */
	if (take(s, batch, max, h, m, NULL, err) != SL_OK)
		return SL_ERR;
	while (n-- > 0) {
		if ((r = sl_batch_push(batch)) == NULL ||
		    kafka_pack_read(data, len, &at, r, batch->arena) != 0)
			return sl_error_set(err, SL_ERR_RUNTIME, "out of memory");
		r->origin.topic = topic;
		r->origin.partition = partition;
		r->origin.offset = offset;
	}
	return SL_OK;
}

/* Hand each of @p msgs to the batch, or to on_event.  SL_OK or SL_ERR. */
static int take_all(kafka_source *s, sl_batch *batch, uint32_t max, held **h,
		    rd_kafka_message_t **msgs, ssize_t n, sl_error *err)
{
	ssize_t i;
	int rc = SL_OK;

	for (i = 0; i < n && rc == SL_OK; i++) {
		rd_kafka_message_t *m = msgs[i];

		if (m->err) {
			rc = on_event(s, m, err);
			rd_kafka_message_destroy(m);
		} else if ((s->stop_at_end || s->role != SL_ROLE_JOB) &&
			   past_end(s, m)) {
			rd_kafka_message_destroy(m);
		} else if (kafka_source_control(s, m)) {
			rd_kafka_message_destroy(m);
		} else if (is_pack(s, m)) {
			rc = take_pack(s, batch, max, h, m, err);
		} else {
			rc = take(s, batch, max, h, m, &(int){ 0 }, err);
		}
	}
	drop(msgs, i, n);
	return rc;
}

/*
 * How many messages to take now: as many as the batch has room for
 * records, up to TAKE_MAX; from a repartition topic, each message may be
 * a whole pack of records, so as many packs as there is room for.
 */
static uint32_t room_for(const kafka_source *s, const sl_batch *batch,
			 uint32_t max)
{
	uint32_t used = batch->count - s->batch_start;
	uint32_t room = used < max ? max - used : 0;

	/* an empty batch takes one pack whatever it holds: the batch
	 * grows (the engine's batches hold far more than a pack anyway) */
	if (s->role == SL_ROLE_REPARTITION_SOURCE)
		room = used == 0 && room > 0 && room < KAFKA_PACK_RECORDS ? 1 :
		       room / KAFKA_PACK_RECORDS;
	return room < TAKE_MAX ? room : TAKE_MAX;
}

/* The group's events: a rebalance callback inside may give up
 * partitions, or fail.  SL_OK or SL_ERR. */
static int serve_group(kafka_source *s, sl_batch *batch, uint32_t max, held **h,
		       sl_error *err)
{
	rd_kafka_message_t *msgs[TAKE_MAX];
	uint32_t want = room_for(s, batch, max);
	ssize_t n = want > 0 ? rd_kafka_consume_batch_queue(s->queue, 0, msgs,
							    want) : 0;

	if (s->failed) {
		drop(msgs, 0, n);
		*err = s->failure;
		return SL_ERR;
	}
	return n > 0 ? take_all(s, batch, max, h, msgs, n, err) : SL_OK;
}

int kafka_source_poll(void *self, sl_batch *batch, uint32_t max, int timeout_ms,
		      sl_error *err)
{
	rd_kafka_message_t *msgs[TAKE_MAX];
	kafka_source *s = self;
	int64_t deadline = kafka_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	held *h = NULL;
	int rc;

	if (s->failed) {
		*err = s->failure;
		return SL_ERR;
	}
	if (!s->ended && kafka_source_all_read(s)) {
		if (kafka_source_commit_ends(s, err) != SL_OK)
			return SL_ERR;
		kafka_source_group_done(s);
	}
	if (s->ended)
		return finish(s);
	if (kafka_source_pattern_tick(s, err) != SL_OK)
		return SL_ERR;
	kafka_source_purge(s, 0);
	kafka_source_report(s);
	if (max == 0)
		return SL_OK;
	s->batch = batch;
	s->batch_start = batch->count;
	rc = serve_group(s, batch, max, &h, err);
	while (rc == SL_OK && room_for(s, batch, max) > 0) {
		uint32_t want = room_for(s, batch, max);
		/* read to the end: only the group's events are waited for */
		ssize_t n = kafka_source_all_read(s) ? 0 :
			    kafka_source_queues_read(s, msgs, want);
		int wait;

		if (n > 0) {
			rc = take_all(s, batch, max, &h, msgs, n, err);
			continue;
		}
		/* nothing more now: hand over what there is, or wait */
		if (h != NULL || (wait = (int)(deadline - kafka_now_ms())) <= 0)
			break;
		kafka_source_queues_wait(s, wait);
		rc = serve_group(s, batch, max, &h, err);
	}
	s->batch = NULL;
	if (rc == SL_OK && kafka_source_all_read(s) && kafka_source_group_done(s))
		return finish(s);
	return rc;
}
