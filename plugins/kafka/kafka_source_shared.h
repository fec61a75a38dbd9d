/*
 * kafka_source_shared.h - the Kafka source, shared by its files: opening and
 * options (kafka_source.c), polling records (kafka_source_poll.c),
 * partition assignment (kafka_source_rebalance.c) and offset commits
 * (kafka_source_commit.c).
 */
#ifndef SL_KAFKA_SOURCE_SHARED_H
#define SL_KAFKA_SOURCE_SHARED_H

#include "kafka_conf.h"

/* Where a partition starts the first time this process is assigned it. */
enum kafka_start {
	KAFKA_START_COMMITTED = 0, /* the group's offset, else the earliest */
	KAFKA_START_EARLIEST,
	KAFKA_START_LATEST,
	KAFKA_START_TIMESTAMP      /* the first record at or after start_ts */
};

/* A partition this process has been assigned at least once, or, for
 * stop = end, any partition of the input (its end taken at start). */
typedef struct kafka_part {
	char *topic;
	int32_t partition;
	int assigned;
	int64_t start;     /* where its first assignment started (maybe logical) */
	int64_t committed; /* what this consumer last committed, -1 none */
	int64_t sent;      /* what its last commit on the way carries */
	int64_t end;  /* stop = end: the first offset not to read, -1 unknown */
	int done;     /* stop = end: everything before `end` has been read */
	int held_back; /* held by the engine: ahead in event time */
	rd_kafka_queue_t *queue; /* its own, out of the consumer queue */
	int64_t reached; /* the furthest its reading has come (records, ends) */
	size_t queue_peak; /* its queue's longest since the last wake-up */
} kafka_part;

/* How many partitions a topic has, as metadata said. */
typedef struct kafka_topic_size {
	char *topic;
	int32_t partitions;
} kafka_topic_size;

typedef struct kafka_source {
	kafka_client client;     /* first: the opaque of librdkafka's callbacks */
	int delivery;            /* enum sl_delivery */
	int stored_starts;       /* partitions of this assignment starting
				    where the transaction owner says */
	enum kafka_start start;
	int64_t start_ts;        /* KAFKA_START_TIMESTAMP: ms since the epoch */
	int stop_at_end;
	int role;                /* enum sl_stage_role */
	int ended;               /* stop = end: the group has read everything */
	int purged;              /* ... and a repartition topic was emptied */
	int64_t next_group_check; /* stop = end: when to ask the group again */
	int ends_committed;      /* stop = end: committed at once, this assignment */
	int64_t next_wait_log;   /* stop = end: when to say what it waits for */
	int64_t next_purge;      /* repartition sources: when to delete records */
	int assigned_once;       /* the first assignment has happened */
	int rejoining;           /* everything revoked; an assignment follows */
	int closing;             /* close: no more commits through the engine */
	int commit_failures;     /* transient commit failures in a row */

	kafka_part *parts;
	size_t part_count, part_cap;
	size_t last_part;        /* records come in runs from one partition */
	kafka_topic_size *sizes; /* partition counts of the topics read */
	size_t size_count;

	/* The consumer's queue: the group's events (rebalances, errors).
	 * The records and partition ends come in each partition's queue,
	 * read in turn from next_queue on (kafka_source_queues.c); a write
	 * to wake[1] says that one of them has something. */
	rd_kafka_queue_t *queue;
	size_t next_queue;
	int wake[2];
	/* librdkafka's prefetch bounds for each partition, and how big the
	 * records read are, to tell a queue that filled up and stopped its
	 * fetching (kafka_source_prefetch.c) */
	long long prefetch_records, prefetch_bytes;
	uint64_t read_records, read_bytes;
	/* Answers to offset commits, collected by the next commit. */
	rd_kafka_queue_t *commits;
	int commits_in_flight;

	/* The batch poll is filling: a revocation inside poll drops what
	 * it holds of the revoked partitions, which are not ours any more. */
	sl_batch *batch;
	uint32_t batch_start;

	/* exactly-once: the group metadata handed to the transaction */
	rd_kafka_consumer_group_metadata_t *group;

	/* A failure found inside a librdkafka callback, returned by poll. */
	int failed;
	sl_error failure;

	int64_t next_report;     /* when to report positions and lag next */

	/* topic.pattern (kafka_source_pattern.c); NULL under `topics` */
	struct kafka_topic_pattern *pattern;
	rd_kafka_topic_partition_list_t *matched; /* subscribed to, sorted */
	int64_t pattern_every_ms; /* matches checked again this often; <= 0 never */
	int64_t next_pattern_check;
} kafka_source;

extern const sl_source_class kafka_source_class;

/* The source's poll and commit callbacks. */
int kafka_source_poll(void *self, sl_batch *batch, uint32_t max, int timeout_ms,
		      sl_error *err);
int kafka_source_commit(void *self, const sl_position *positions, size_t count,
			sl_error *err);

/* Exactly-once: the group metadata for the transaction, what a
 * committed transaction carried, and the rewind to the last committed
 * positions after an abort. */
void *kafka_source_txn_group(void *self);
void kafka_source_txn_committed(void *self, const sl_position *positions,
				size_t count);
int kafka_source_rewind(void *self, const sl_position *positions, size_t count,
			sl_error *err);

/*
 * Kafka as the state backend (kafka_source_state.c): the most partitions
 * among the subscribed topics (-1 when unknown: the job stops), and the
 * engine told of partitions that come (restoring their state; a failure
 * stops the job at the next poll) and go (@p parts NULL: every partition
 * held, before they are marked unassigned; else after).
 */
int32_t kafka_source_partition_count(void *self);
void kafka_source_state_assigned(kafka_source *s,
				 const rd_kafka_topic_partition_list_t *parts);
void kafka_source_state_revoked(kafka_source *s,
				const rd_kafka_topic_partition_list_t *parts);

/*
 * Bounded runs across the group (kafka_source_bounds.c).  stop = end:
 * the end of every partition of the input, taken when the source opens;
 * whether the group's committed offsets have reached them all, asked at
 * most every second (logging what is still missing and who holds it);
 * and end_input, the same for a repartition topic once its writers are
 * done.
 */
int kafka_source_bounds_open(kafka_source *s, sl_error *err);
int kafka_source_group_done(kafka_source *s);
/* Read to the ends with every partition held here: commit now (once per
 * assignment).  SL_OK or SL_ERR. */
int kafka_source_commit_ends(kafka_source *s, sl_error *err);
int kafka_source_end_input(void *self, sl_error *err);

/*
 * A repartition source (kafka_source_hop.c): whether @p m is the engine's
 * control data (handed to it, not a record), and deleting the records
 * the group has committed (every 30 s, and at the end with @p all).
 */
int kafka_source_control(kafka_source *s, const rd_kafka_message_t *m);
void kafka_source_purge(kafka_source *s, int all);

/* The partitions @p topic has (metadata, cached); 1 when unknown. */
int32_t kafka_source_topic_partitions(kafka_source *s, const char *topic);
/* Remember that @p topic has @p partitions partitions. */
void kafka_source_note_size(kafka_source *s, const char *topic, int32_t partitions);

/* Whether subscription entry @p sub names @p topic: "name", or "^" and
 * the text of topic.pattern (kafka_topic_pattern.h).  The consumer is
 * only ever subscribed to names; the pattern entry stands for the
 * options' request, before the pattern's matches are known. */
int kafka_source_subscribed(const char *sub, const char *topic);

/*
 * topic.pattern (kafka_source_pattern.c).  check: @p text is a PCRE2
 * regular expression (else a configuration error naming the option, with
 * PCRE2's message and offset); the source's check and open both ask.
 * open: compile it into s->pattern and subscribe to the topics of the
 * cluster it matches, waiting for the cluster's topic list (a stop of
 * the job or an unreachable cluster is an error).  tick: in an unbounded
 * run, every s->pattern_every_ms, list the cluster's topics again and
 * resubscribe when the matches changed (a rebalance follows).  SL_OK or
 * SL_ERR with @p err.
 */
int kafka_source_pattern_check(const sl_stage *stage, const char *text,
			       sl_error *err);
int kafka_source_pattern_open(kafka_source *s, const char *text, sl_error *err);
int kafka_source_pattern_tick(kafka_source *s, sl_error *err);
void kafka_source_pattern_close(kafka_source *s);

/* Ask for the offsets of the times in @p q's offsets, in place. */
int kafka_source_offsets_for_times(kafka_source *s,
				   rd_kafka_topic_partition_list_t *q,
				   const char *what, sl_error *err);

/* The rebalance callback (librdkafka's rebalance_cb). */
void kafka_source_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t code,
			    rd_kafka_topic_partition_list_t *parts, void *opaque);

/* The state of @p topic / @p partition, added when new; NULL out of memory. */
kafka_part *kafka_source_part(kafka_source *s, const char *topic,
			      int32_t partition, int add);

/* Free the book of partitions and topic sizes, leaving it empty. */
void kafka_source_book_free(kafka_source *s);

/* Mark @p p read to its end and stop fetching it. */
void kafka_source_part_done(kafka_source *s, kafka_part *p);

/*
 * stop = end, decided on the partition book alone (kafka_source_ends.c).
 * all_read: every partition held here is read to its end (never before
 * the first assignment, nor while an eager rebalance rejoins);
 * all_held_here: every partition with something to read is held here;
 * committed_to_ends: this consumer's answered commits reached every end;
 * ends_to_commit: both hold but the second not yet, and the ends were not
 * committed on this assignment: commit now.
 */
int kafka_source_all_read(const kafka_source *s);
int kafka_source_all_held_here(const kafka_source *s);
int kafka_source_committed_to_ends(const kafka_source *s);
int kafka_source_ends_to_commit(const kafka_source *s);
/* The partitions whose group offsets decide the end (those with records
 * before their end), for rd_kafka_committed(). */
rd_kafka_topic_partition_list_t *kafka_source_ends_query(const kafka_source *s);
/* How many of the group's offsets in @p committed (as rd_kafka_committed
 * answered) fall short of their partitions' ends, or failed. */
int kafka_source_ends_missing(kafka_source *s,
			      const rd_kafka_topic_partition_list_t *committed);

/* Where a record stands against its partition's end. */
enum kafka_end_step {
	KAFKA_BEFORE_END,      /* read it (also: no end known) */
	KAFKA_LAST_BEFORE_END, /* read it; the partition is then done */
	KAFKA_PAST_END         /* drop it: the end was passed over (markers) */
};
/* The record at @p offset of @p p, counted in p->reached. */
enum kafka_end_step kafka_part_end_step(kafka_part *p, int64_t offset);

/*
 * Partitions coming and going, decided on the book alone
 * (kafka_source_assignment.c).  start_at: where newly assigned
 * partitions start: 0 with *@p offset RD_KAFKA_OFFSET_INVALID (the
 * group's offset) or _BEGINNING; 1 when it must be looked up by time,
 * *@p offset the time to ask for (RD_KAFKA_OFFSET_END: the latest).
 * start_found: where a partition starts for the offset that look-up
 * found (-1: none, the end).
 */
int kafka_source_start_at(const kafka_source *s, int64_t *offset);
int64_t kafka_source_start_found(int64_t offset);
/* @p p is held here again, its commits forgotten; 1 when it had been
 * read to its end before (it is paused: resume it). */
int kafka_source_part_assigned(kafka_source *s, kafka_part *p);
/* @p parts are no longer held here, nor held back. */
void kafka_source_parts_revoked(kafka_source *s,
				const rd_kafka_topic_partition_list_t *parts);
/* Those of @p parts whose end is not known yet, to look up (stop = end). */
rd_kafka_topic_partition_list_t *
kafka_source_unknown_ends(kafka_source *s,
			  const rd_kafka_topic_partition_list_t *parts);
/* Drop the records of @p parts from the batch poll is filling (those it
 * added since batch_start, in order); how many were dropped. */
uint32_t kafka_source_drop_revoked(kafka_source *s,
				   const rd_kafka_topic_partition_list_t *parts);

/* Report position, high watermark and lag per partition to the job's
 * metrics, at most once a second (kafka_source_lag.c). */
void kafka_source_report(kafka_source *s);

/* A commit's answer is waited for at most this long. */
#define COMMIT_TIMEOUT_MS 10000

/*
 * Collect the answers to the commits on their way, waiting up to
 * @p timeout_ms for them (0: only those already there).  SL_ERR for a
 * failure that is not transient.
 */
int kafka_source_commits_wait(kafka_source *s, int timeout_ms, sl_error *err);

/* The class's pause_inputs and resume_inputs (kafka_source_align.c). */
int kafka_source_pause_inputs(void *self, const sl_input *inputs, size_t count,
			      sl_error *err);
int kafka_source_resume_inputs(void *self, const sl_input *inputs, size_t count,
			       sl_error *err);
/*
 * A queue per partition (kafka_source_queues.c).  open: the wake-up pipe
 * (SL_OK or SL_ERR); take: @p p's queue out of the consumer queue, before
 * the partition is assigned (0 when librdkafka cannot give it); read: up
 * to @p max messages of the next partition in turn that is not held, 0
 * when none has any; wait: until a queue may have something, at most
 * @p timeout_ms; close: let go of the queues, before the consumer closes.
 */
int kafka_source_queues_open(kafka_source *s, sl_error *err);
int kafka_source_queue_take(kafka_source *s, kafka_part *p);
ssize_t kafka_source_queues_read(kafka_source *s, rd_kafka_message_t **msgs,
				 size_t max);
void kafka_source_queues_wait(kafka_source *s, int timeout_ms);
void kafka_source_queues_close(kafka_source *s);

/*
 * Prefetch (kafka_source_prefetch.c).  init: note the bounds @p conf
 * sets, before the consumer takes it; read: count the size of @p n
 * messages read; check: before reading @p p, whose queue holds @p len,
 * wake its fetcher if the queue filled up and has been read down.
 */
void kafka_source_prefetch_init(kafka_source *s, rd_kafka_conf_t *conf);

/* kafka_source_budget.c: size each partition's prefetch on @p conf to the
 * stage's share of memory.limit over the partitions @p sub names.  SL_OK
 * or SL_ERR. */
int kafka_source_budget(sl_stage *stage,
			const rd_kafka_topic_partition_list_t *sub,
			rd_kafka_conf_t *conf, sl_error *err);
void kafka_source_prefetch_read(kafka_source *s, rd_kafka_message_t **msgs,
				size_t n);
void kafka_source_prefetch_check(kafka_source *s, kafka_part *p, size_t len);

/* Keep the first failure found in a callback for poll to return. */
void kafka_source_fail(kafka_source *s, const sl_error *err);

#endif
