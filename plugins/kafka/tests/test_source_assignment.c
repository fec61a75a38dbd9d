/*
 * What partitions coming and going change in the Kafka source's books:
 * where newly assigned partitions start under each `start` setting and
 * after the first assignment, a partition handed back (its commits
 * forgotten, a finished one read again), revoked partitions, which ends
 * are still to be learnt, and the records of revoked partitions dropped
 * from the batch being filled.  Crafted books and lists; no broker.
 */
#include "config.h"

#include "check.h"
#include "kafka_source_shared.h"

/* The functions under test call nothing of the host: a call would crash
 * the test, which is the failure it should be. */
const sl_host *sl_host_api;

static void unbook(kafka_source *s)
{
	kafka_source_book_free(s);
	memset(s, 0, sizeof *s);
}

static rd_kafka_topic_partition_list_t *list_of(const char *topic,
						 const int32_t *parts, int n)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
	int i;

	for (i = 0; i < n; i++)
		rd_kafka_topic_partition_list_add(l, topic, parts[i]);
	return l;
}

static void test_start(void)
{
	kafka_source s;
	int64_t at = 0;

	memset(&s, 0, sizeof s);
	s.start = KAFKA_START_COMMITTED;
	CHECK(kafka_source_start_at(&s, &at) == 0);
	CHECK(at == RD_KAFKA_OFFSET_INVALID);

	s.start = KAFKA_START_EARLIEST;
	CHECK(kafka_source_start_at(&s, &at) == 0);
	CHECK(at == RD_KAFKA_OFFSET_BEGINNING);

	/* latest and timestamp are looked up, by time */
	s.start = KAFKA_START_LATEST;
	CHECK(kafka_source_start_at(&s, &at) == 1);
	CHECK(at == RD_KAFKA_OFFSET_END);
	s.start = KAFKA_START_TIMESTAMP;
	s.start_ts = 1700000000000LL;
	CHECK(kafka_source_start_at(&s, &at) == 1);
	CHECK(at == 1700000000000LL);

	/* after the first assignment every setting resumes from the group */
	s.assigned_once = 1;
	at = 0;
	CHECK(kafka_source_start_at(&s, &at) == 0);
	CHECK(at == RD_KAFKA_OFFSET_INVALID);
	s.start = KAFKA_START_EARLIEST;
	CHECK(kafka_source_start_at(&s, &at) == 0);
	CHECK(at == RD_KAFKA_OFFSET_INVALID);

	/* a look-up's answer: -1 (every record older) starts at the end */
	CHECK(kafka_source_start_found(42) == 42);
	CHECK(kafka_source_start_found(0) == 0);
	CHECK(kafka_source_start_found(-1) == RD_KAFKA_OFFSET_END);
}

static void test_assigned_again(void)
{
	kafka_source s;
	kafka_part *p;

	memset(&s, 0, sizeof s);
	p = kafka_source_part(&s, "t", 0, 1);
	s.ends_committed = 1;
	CHECK(kafka_source_part_assigned(&s, p) == 0); /* new: nothing to resume */
	CHECK(p->assigned == 1);
	CHECK(s.ends_committed == 0); /* the ends are to be committed again */

	/* handed back after it was finished and committed: another owner
	 * may have moved its offset, and an aborted transaction may have
	 * lost what was read, so it is read again up to the same end */
	p->end = 50;
	p->done = 1;
	p->committed = 50;
	p->sent = 50;
	p->reached = 50;
	s.ends_committed = 1;
	CHECK(kafka_source_part_assigned(&s, p) == 1); /* paused: resume it */
	CHECK(p->done == 0);
	CHECK(p->committed == -1);
	CHECK(p->sent == -1);
	CHECK(p->end == 50); /* the run's bound stays */
	CHECK(s.ends_committed == 0);
	unbook(&s);
}

static void test_revoked(void)
{
	kafka_source s;
	const int32_t gone[] = { 1, 7 };
	rd_kafka_topic_partition_list_t *l = list_of("t", gone, 2);
	int32_t i;

	memset(&s, 0, sizeof s);
	for (i = 0; i < 3; i++) {
		kafka_part *p = kafka_source_part(&s, "t", i, 1);

		p->assigned = 1;
		p->held_back = 1;
	}
	kafka_source_parts_revoked(&s, l);
	CHECK(s.parts[0].assigned == 1 && s.parts[0].held_back == 1);
	CHECK(s.parts[1].assigned == 0 && s.parts[1].held_back == 0);
	CHECK(s.parts[2].assigned == 1 && s.parts[2].held_back == 1);
	/* partition 7 was never held here: not added by its revocation */
	CHECK(s.part_count == 3);
	rd_kafka_topic_partition_list_destroy(l);
	unbook(&s);
}

static void test_unknown_ends(void)
{
	kafka_source s;
	const int32_t parts[] = { 0, 1, 2, 9 };
	rd_kafka_topic_partition_list_t *l = list_of("t", parts, 4), *q;

	memset(&s, 0, sizeof s);
	kafka_source_part(&s, "t", 0, 1)->end = 12; /* seen at the first assignment */
	kafka_source_part(&s, "t", 1, 1);
	kafka_source_part(&s, "t", 2, 1)->end = 0; /* empty, but known */
	q = kafka_source_unknown_ends(&s, l);
	CHECK(q->cnt == 1);
	CHECK(q->cnt == 1 && q->elems[0].partition == 1 &&
	      q->elems[0].offset == RD_KAFKA_OFFSET_END);
	rd_kafka_topic_partition_list_destroy(q);
	rd_kafka_topic_partition_list_destroy(l);
	unbook(&s);
}

/* A record of "t" @p partition at @p offset. */
static sl_record rec(int32_t partition, int64_t offset)
{
	sl_record r;

	memset(&r, 0, sizeof r);
	r.origin.topic = "t";
	r.origin.partition = partition;
	r.origin.offset = offset;
	return r;
}

static void test_drop_revoked(void)
{
	kafka_source s;
	sl_record records[8];
	sl_batch batch;
	const int32_t gone[] = { 1 };
	rd_kafka_topic_partition_list_t *l = list_of("t", gone, 1);

	memset(&s, 0, sizeof s);
	CHECK(kafka_source_drop_revoked(&s, l) == 0); /* not filling a batch */

	memset(&batch, 0, sizeof batch);
	batch.records = records;
	batch.capacity = 8;
	/* two records from an earlier poll call, then this one's */
	records[0] = rec(1, 10);
	records[1] = rec(0, 20);
	records[2] = rec(1, 11);
	records[3] = rec(0, 21);
	records[4] = rec(1, 12);
	records[5] = rec(2, 30);
	batch.count = 6;
	s.batch = &batch;
	s.batch_start = 2;
	CHECK(kafka_source_drop_revoked(&s, l) == 2);
	CHECK(batch.count == 4);
	/* the earlier ones are the engine's already; the rest keep order */
	CHECK(records[0].origin.partition == 1 && records[0].origin.offset == 10);
	CHECK(records[1].origin.offset == 20);
	CHECK(records[2].origin.partition == 0 && records[2].origin.offset == 21);
	CHECK(records[3].origin.partition == 2 && records[3].origin.offset == 30);
	CHECK(kafka_source_drop_revoked(&s, l) == 0); /* nothing more */
	rd_kafka_topic_partition_list_destroy(l);
}

int main(void)
{
	test_start();
	test_assigned_again();
	test_revoked();
	test_unknown_ends();
	test_drop_revoked();
	return check_done("test_source_assignment");
}
