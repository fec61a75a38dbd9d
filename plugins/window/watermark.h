/*
 * watermark.h - event-time progress across the partitions a window reads.
 *
 * Each source partition (the origin's stage, topic and partition) has
 * seen event times up to some maximum; the watermark is the smallest of
 * those maxima, so no partition's records are declared late just because
 * another partition runs ahead.  A partition that has sent nothing for
 * the idle timeout (wall clock) stops holding the watermark back; when
 * every partition is idle the watermark is the largest maximum, so
 * windows still close when input stops.  The watermark never goes back.
 *
 * A partitioned source (Kafka) makes its partitions known only as they
 * deliver, so one not seen yet counts as a partition that has sent
 * nothing since the first partitioned record: for the idle timeout after
 * it the watermark does not move, which gives every partition the time
 * to show up before another one's event time makes its records late.
 * Unpartitioned inputs (files, generators: partition -1) are one stream
 * each and need no such wait, so their results do not depend on the wall
 * clock.  An idle timeout of 0 turns idleness off: the watermark is the
 * minimum over the inputs seen so far and a silent one holds it back
 * until the end of input.
 */
#ifndef WATERMARK_H
#define WATERMARK_H

#include <sluice/plugin.h>

typedef struct wm_part {
	char *stage;
	char *topic;       /* NULL for sources without topics */
	int32_t partition;
	int64_t max_ts;    /* largest event time seen */
	int64_t seen_ms;   /* wall clock of its last record */
} wm_part;

typedef struct watermark {
	wm_part *parts;
	size_t count, cap;
	size_t last;       /* the partition of the previous record */
	int64_t idle_ms;   /* 0: partitions never go idle */
	int64_t first_ms;  /* wall clock of the first partitioned record */
	int partitioned;   /* a partitioned input was seen */
	int64_t value;     /* the watermark; INT64_MIN before any record */
	int64_t bound;     /* what the partitions allow now (before the max) */
} watermark;

void wm_init(watermark *wm, int64_t idle_ms);
void wm_free(watermark *wm);

/* A record from @p origin with event time @p ts arrived at @p now (wall
 * clock, ms).  0, or -1 when out of memory. */
int wm_observe(watermark *wm, const sl_origin *origin, int64_t ts, int64_t now);

/* Take idleness at wall clock @p now into account. */
void wm_refresh(watermark *wm, int64_t now);

/* Move the watermark to at least @p ts (processing time, end of input). */
void wm_advance(watermark *wm, int64_t ts);

#endif
