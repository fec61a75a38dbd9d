/*
 * watermark.h - event-time progress of a stage's inputs (watermark.c).
 *
 * A stage that orders records by event time (a window) keeps its state
 * partitioned like its input, and so is its watermark: each partition of
 * the stage's state has its own, the event time up to which the inputs
 * feeding that partition have delivered, as Kafka Streams keeps a stream
 * time per task.  A key's records all come through one partition, so a
 * window fires when its own partition has moved past its end, however far
 * behind or ahead other partitions are; and a partition handed to this
 * instance brings no record older than a watermark it never had (its
 * watermark starts anew with it, as its state is restored with it).
 *
 * A partition is fed by the inputs numbered like it: the partitions of
 * that number of the sources upstream (several topics, co-partitioned),
 * or for unpartitioned sources (files, generators: partition -1) the one
 * partition 0.  Each input has seen event times up to some maximum; the
 * partition's watermark is the smallest of those maxima, and an idle
 * input stops holding it back (when all are idle it is the largest).
 * An input is idle once it has stayed at its end (nothing to read) for
 * the idle timeout (wall clock), when its source reports its ends (a
 * Kafka partition's EOF, sl_wm_at_end): an input with records left to
 * read that delivers nothing (held back, slow to fetch, its broker
 * unreachable) is not idle, or its records would come late once they
 * arrive, as Kafka Streams waits for a partition with lag.  An input of
 * a source that cannot tell is idle once it has delivered nothing for
 * the idle timeout.  Inputs are reported by
 * their source when assigned (sl_inputs_assigned), so one that has not
 * delivered yet holds its partition back, or learnt from their records.
 * A watermark never goes back while its partition stays here.
 *
 * Across a repartition topic the records of one input come from every
 * partition upstream, in no event-time order, so the records cannot tell
 * the watermark.  There each input is a partition of the topic, and the
 * instances writing it report, for each upstream partition they read, its
 * largest event time and whether it is idle (hop.c); the input's event
 * time is the smallest over those upstream partitions, every one of which
 * must have reported.
 */
#ifndef SL_WATERMARK_H
#define SL_WATERMARK_H

#include <stdint.h>
#include <sluice/plugin.h>

/* What the writers of a repartition topic said of one upstream partition. */
typedef struct sl_wm_origin {
	char *stage;          /* the upstream source stage */
	char *topic;          /* NULL for a source without topics */
	int32_t partition;
	int32_t partitions;   /* how many its topic has (1 without topics) */
	int64_t max_ts;
	int idle;
	int64_t next;         /* the offset it has been written through, -1 */
	uint64_t id;          /* sl_hop_origin_id of stage and topic */
} sl_wm_origin;

typedef struct sl_wm_input {
	char *stage;          /* the source stage, as in sl_origin.stage */
	char *topic;          /* NULL for sources without topics */
	int32_t partition;
	int32_t partitions;   /* how many its topic has: 1 unless reported */
	int32_t group;        /* the state partition it feeds */
	int64_t max_ts;       /* largest event time seen; INT64_MIN none */
	int64_t seen_ms;      /* wall clock of its last record or assignment */
	int assigned;         /* reported by its source, not learnt */
	int ends;             /* its source reports its ends: idle only there */
	int64_t next_offset;  /* after the last record seen; -1 none */
	int64_t end_offset;   /* the end it was last at */
	int64_t end_ms;       /* wall clock it got there; INT64_MIN: not there */
	int finished;         /* that end is where this run stops reading it */
	sl_wm_origin *origins; /* a repartition topic's: the reports */
	size_t origin_count, origin_cap;
	size_t origin_next;   /* where the next report line's origin likely is */
	int complete;         /* every partition of every topic reported */
} sl_wm_input;

/* The watermark of one partition of the stage's state. */
typedef struct sl_wm_group {
	int32_t group;
	uint32_t inputs;      /* how many inputs feed it */
	int64_t value;        /* INT64_MIN before any */
	uint64_t as_of;       /* reported: the inputs' changes it is as of */
} sl_wm_group;

typedef struct sl_watermark {
	sl_wm_input *inputs;
	size_t count, cap;
	size_t last;          /* the input of the previous record */
	sl_wm_group *groups;
	size_t group_count, group_cap;
	size_t last_group;
	int64_t idle_ms;      /* 0: inputs never go idle */
	int reported;         /* inputs are repartition topic partitions */
	char **assigning;     /* stages whose sources report assignments */
	size_t assigning_count;
	uint64_t changes;     /* reported: counts changes to the inputs */
} sl_watermark;

void sl_wm_init(sl_watermark *wm, int64_t idle_ms, int reported);
void sl_wm_free(sl_watermark *wm);

/* The state partition records of input partition @p partition feed. */
int32_t sl_wm_group_of(int32_t partition);

/*
 * A record from @p origin with event time @p ts arrived at @p now (wall
 * clock, ms).  0, or -1 when out of memory.  A reported watermark takes
 * nothing from records; nor does an input not assigned of a stage whose
 * source reports its assignments (a record of a partition just revoked,
 * still on its way: counted, it would make an input of a partition not
 * read here).
 */
int sl_wm_observe(sl_watermark *wm, const sl_origin *origin, int64_t ts,
		  int64_t now);

/* The watermark of state partition @p group at wall clock @p now. */
int64_t sl_wm_value(sl_watermark *wm, int32_t group, int64_t now);

/* A source reports @p partition of @p topic (which has @p partitions)
 * assigned at @p now, or gone; @p ends: the source reports the input's
 * ends (sl_wm_at_end), so it is idle only there.  0, or -1 when out of
 * memory. */
int sl_wm_assigned(sl_watermark *wm, const char *stage, const char *topic,
		   int32_t partition, int32_t partitions, int ends,
		   int64_t now);
void sl_wm_revoked(sl_watermark *wm, const char *stage, const char *topic,
		   int32_t partition);

/*
 * A report read from partition @p partition of repartition topic @p topic
 * (of source @p stage): upstream partition @p origin has seen event times
 * up to @p max_ts and is idle or not.  0, or -1 when out of memory.
 */
int sl_wm_report(sl_watermark *wm, const char *stage, const char *topic,
		 int32_t partition, const sl_wm_origin *origin, int64_t now);

/*
 * Forget every event time seen (after an aborted transaction: what was
 * read since the last commit is read again, and must not find its own
 * watermark ahead of it).  The inputs stay.
 */
void sl_wm_reset(sl_watermark *wm);

/* Input (@p stage, @p topic, @p partition) of @p wm, or NULL: what it
 * has delivered (max_ts), when (seen_ms) and whether it is at its end
 * (end_ms). */
const sl_wm_input *sl_wm_input_of(const sl_watermark *wm, const char *stage,
				  const char *topic, int32_t partition);

/*
 * Input (@p stage, @p topic, @p partition) has been read to its end,
 * @p offset, as of @p now: every record before @p offset has been seen
 * (an end behind a record seen is out of date, and ignored).  It stays
 * there until a record of it is seen.  @p finished: nothing more of it
 * is read in this run (a bounded run's stop), so it is idle at once,
 * whatever the idle timeout.
 */
void sl_wm_at_end(sl_watermark *wm, const char *stage, const char *topic,
		  int32_t partition, int64_t offset, int finished,
		  int64_t now);

/* Input (@p stage, @p topic, @p partition) is alive at @p now though it
 * delivers nothing: the engine paused it, it has records waiting.  (An
 * input whose source reports its ends is idle only at its end, and the
 * engine never holds an input at its end: align.c.) */
void sl_wm_touch(sl_watermark *wm, const char *stage, const char *topic,
		 int32_t partition, int64_t now);

/* The inputs in a report's order: calls @p fn for each, stopping at a
 * non-zero return.  What a repartition sink reports of its inputs. */
int sl_wm_each(const sl_watermark *wm, int64_t now,
	       int (*fn)(void *ctx, const sl_wm_input *in, int idle), void *ctx);

#endif
