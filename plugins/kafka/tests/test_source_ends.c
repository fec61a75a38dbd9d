/*
 * The Kafka source's bounded run (stop = end), decided on its partition
 * book: finding and adding partitions, where a record stands against its
 * partition's end, when everything held here is read, when to commit
 * the ends at once, and how many partitions the group's committed
 * offsets still leave short.  Crafted books and lists; no broker.
 */
#include "config.h"

#include "check.h"
#include "kafka_source_shared.h"
#include "kafka_topic_pattern.h"

/* The functions under test call nothing of the host: a call would crash
 * the test, which is the failure it should be. */
const sl_host *sl_host_api;

/* A source with @p n partitions of topic "t", ends as given. */
static void book(kafka_source *s, const int64_t *ends, size_t n)
{
	size_t i;

	memset(s, 0, sizeof *s);
	s->stop_at_end = 1;
	s->assigned_once = 1;
	for (i = 0; i < n; i++)
		kafka_source_part(s, "t", (int32_t)i, 1)->end = ends[i];
}

static void unbook(kafka_source *s)
{
	kafka_source_book_free(s);
	memset(s, 0, sizeof *s);
}

static void test_part_book(void)
{
	kafka_source s;
	kafka_part *p, *again;
	int32_t i;
	int all_found = 1;

	memset(&s, 0, sizeof s);
	CHECK(kafka_source_part(&s, "t", 0, 0) == NULL); /* not added */
	CHECK(s.part_count == 0);
	p = kafka_source_part(&s, "t", 3, 1);
	CHECK(p != NULL);
	CHECK_STR(p->topic, "t");
	CHECK(p->partition == 3);
	/* nothing known yet: no end, no commit, nothing read */
	CHECK(p->end == -1);
	CHECK(p->committed == -1);
	CHECK(p->sent == -1);
	CHECK(p->reached == -1);
	CHECK(p->start == RD_KAFKA_OFFSET_INVALID);
	CHECK(!p->assigned && !p->done);
	CHECK(kafka_source_part(&s, "t", 3, 1) == p); /* found, not added twice */
	CHECK(s.part_count == 1);
	CHECK(kafka_source_part(&s, "u", 3, 0) == NULL); /* topic matters */

	/* more than the first allocation: every one found again, each once */
	for (i = 0; i < 40; i++)
		kafka_source_part(&s, "big", i, 1)->end = 100 + i;
	CHECK(s.part_count == 41);
	for (i = 39; i >= 0; i--) {
		again = kafka_source_part(&s, "big", i, 0);
		if (again == NULL || again->end != 100 + i)
			all_found = 0;
	}
	CHECK(all_found);
	CHECK(kafka_source_part(&s, "t", 3, 0)->partition == 3);
	unbook(&s);
}

static void test_subscribed_and_sizes(void)
{
	kafka_source s;

	CHECK(kafka_source_subscribed("orders", "orders"));
	CHECK(!kafka_source_subscribed("orders", "orders2"));
	CHECK(kafka_source_subscribed("^ord.*", "orders2"));
	CHECK(!kafka_source_subscribed("^ord.*", "payments"));
	/* Kafka's own topics are nobody's input, whatever the pattern */
	CHECK(!kafka_source_subscribed("^.*", "__consumer_offsets"));
	CHECK(!kafka_source_subscribed("^(", "x")); /* a broken pattern */

	/* PCRE2, whole names: \d (POSIX ERE reads a 'd'), alternatives
	 * tried until one reaches the end */
	CHECK(kafka_source_subscribed("^orders-\\d+", "orders-12"));
	CHECK(!kafka_source_subscribed("^orders-\\d+", "orders-dd"));
	CHECK(!kafka_source_subscribed("^orders-\\d+", "orders-12-old"));
	CHECK(!kafka_source_subscribed("^orders-\\d+", "old-orders-12"));
	CHECK(kafka_source_subscribed("^^orders-\\d+$", "orders-7"));
	CHECK(kafka_source_subscribed("^a|ab", "ab"));

	memset(&s, 0, sizeof s);
	kafka_source_note_size(&s, "a", 3);
	kafka_source_note_size(&s, "b", 1);
	kafka_source_note_size(&s, "a", 6); /* grown: replaced */
	CHECK(s.size_count == 2);
	CHECK(s.sizes[0].partitions == 6);
	CHECK(s.sizes[1].partitions == 1);
	unbook(&s);
}

/* A pattern that does not compile: PCRE2's message and where in the
 * text, for the error that names topic.pattern. */
static void test_pattern_errors(void)
{
	kafka_topic_pattern *p;
	char why[256];
	size_t at = 0;

	p = kafka_topic_pattern_new("orders-(\\d+", why, sizeof why, &at);
	CHECK(p == NULL);
	CHECK(strstr(why, "missing closing parenthesis") != NULL);
	CHECK(at == 11);
	p = kafka_topic_pattern_new("a{2,1}", why, sizeof why, &at);
	CHECK(p == NULL && at > 0 && at != KAFKA_PATTERN_NO_OFFSET);
	p = kafka_topic_pattern_new("(?<=x+)y", why, sizeof why, &at);
	CHECK(p == NULL); /* a lookbehind of no fixed length */
	p = kafka_topic_pattern_new("(?!tmp-)[a-z]+-\\w+", why, sizeof why, &at);
	CHECK(p != NULL);
	if (p != NULL) {
		CHECK(kafka_topic_pattern_matches(p, "orders-eu"));
		CHECK(!kafka_topic_pattern_matches(p, "tmp-eu"));
		CHECK(!kafka_topic_pattern_matches(p, "orders"));
		kafka_topic_pattern_free(p);
	}
}

static void test_end_step(void)
{
	kafka_source s;
	const int64_t ends[] = { 10, -1 };
	kafka_part *p;

	book(&s, ends, 2);
	p = kafka_source_part(&s, "t", 0, 0);
	CHECK(kafka_part_end_step(p, 0) == KAFKA_BEFORE_END);
	CHECK(p->reached == 1);
	CHECK(kafka_part_end_step(p, 8) == KAFKA_BEFORE_END);
	CHECK(kafka_part_end_step(p, 9) == KAFKA_LAST_BEFORE_END);
	CHECK(p->reached == 10);
	/* a record at or past the end: its last one was a marker */
	CHECK(kafka_part_end_step(p, 10) == KAFKA_PAST_END);
	CHECK(kafka_part_end_step(p, 25) == KAFKA_PAST_END);
	CHECK(p->reached == 26);
	CHECK(kafka_part_end_step(p, 3) == KAFKA_BEFORE_END);
	CHECK(p->reached == 26); /* never back */

	/* no end known (an unbounded run, or not learnt yet): read on */
	p = kafka_source_part(&s, "t", 1, 0);
	CHECK(kafka_part_end_step(p, 1000000) == KAFKA_BEFORE_END);
	CHECK(p->reached == 1000001);
	unbook(&s);
}

static void test_all_read(void)
{
	kafka_source s;
	const int64_t ends[] = { 5, 7, 0 };

	book(&s, ends, 3);
	s.parts[0].assigned = s.parts[1].assigned = 1;
	CHECK(!kafka_source_all_read(&s));
	s.parts[0].done = 1;
	CHECK(!kafka_source_all_read(&s));
	s.parts[1].done = 1;
	/* partition 2 is not held here: someone else reads it */
	CHECK(kafka_source_all_read(&s));

	s.rejoining = 1; /* everything revoked, an assignment on its way */
	CHECK(!kafka_source_all_read(&s));
	s.rejoining = 0;
	s.assigned_once = 0; /* nothing assigned yet: nothing is read */
	CHECK(!kafka_source_all_read(&s));
	s.assigned_once = 1;
	s.stop_at_end = 0; /* an unbounded run is never read to its end */
	CHECK(!kafka_source_all_read(&s));
	unbook(&s);
}

static void test_held_and_committed(void)
{
	kafka_source s;
	const int64_t ends[] = { 5, 7, 0, -1 };

	book(&s, ends, 4);
	CHECK(!kafka_source_all_held_here(&s));
	s.parts[0].assigned = 1;
	CHECK(!kafka_source_all_held_here(&s)); /* partition 1 is elsewhere */
	s.parts[1].assigned = 1;
	/* empty (2) and end unknown (3): nothing to hold */
	CHECK(kafka_source_all_held_here(&s));

	CHECK(!kafka_source_committed_to_ends(&s));
	CHECK(kafka_source_ends_to_commit(&s));
	s.parts[0].committed = 5;
	s.parts[1].committed = 6;
	CHECK(!kafka_source_committed_to_ends(&s));
	s.parts[1].committed = 7;
	CHECK(kafka_source_committed_to_ends(&s));
	CHECK(!kafka_source_ends_to_commit(&s)); /* nothing left to commit */

	s.parts[1].committed = -1;
	CHECK(kafka_source_ends_to_commit(&s));
	s.ends_committed = 1; /* once per assignment */
	CHECK(!kafka_source_ends_to_commit(&s));
	s.ends_committed = 0;
	s.closing = 1; /* no commits through the engine any more */
	CHECK(!kafka_source_ends_to_commit(&s));
	s.closing = 0;
	s.parts[1].assigned = 0; /* the group has to finish it */
	CHECK(!kafka_source_ends_to_commit(&s));
	unbook(&s);

	/* a topic with no records at all: nothing to hold, nothing to commit */
	book(&s, ends + 2, 1);
	CHECK(!kafka_source_all_held_here(&s));
	CHECK(kafka_source_committed_to_ends(&s));
	unbook(&s);
}

static void test_group_offsets(void)
{
	kafka_source s;
	const int64_t ends[] = { 5, 7, 0 };
	rd_kafka_topic_partition_list_t *q;

	book(&s, ends, 3);
	q = kafka_source_ends_query(&s);
	/* the empty partition is not asked about */
	CHECK(q->cnt == 2);
	CHECK(rd_kafka_topic_partition_list_find(q, "t", 0) != NULL);
	CHECK(rd_kafka_topic_partition_list_find(q, "t", 1) != NULL);
	CHECK(rd_kafka_topic_partition_list_find(q, "t", 2) == NULL);

	/* as rd_kafka_committed() answers: nothing committed yet */
	q->elems[0].offset = RD_KAFKA_OFFSET_INVALID;
	q->elems[1].offset = RD_KAFKA_OFFSET_INVALID;
	CHECK(kafka_source_ends_missing(&s, q) == 2);
	q->elems[0].offset = 5;
	q->elems[1].offset = 6;
	CHECK(kafka_source_ends_missing(&s, q) == 1);
	q->elems[1].offset = 7;
	CHECK(kafka_source_ends_missing(&s, q) == 0);
	q->elems[1].offset = 9; /* past the end: a later run's records */
	CHECK(kafka_source_ends_missing(&s, q) == 0);
	/* a transaction's offsets not committed yet come as an error */
	q->elems[0].err = RD_KAFKA_RESP_ERR_UNSTABLE_OFFSET_COMMIT;
	CHECK(kafka_source_ends_missing(&s, q) == 1);
	q->elems[0].err = RD_KAFKA_RESP_ERR_NO_ERROR;
	/* a partition the book does not know cannot be done */
	rd_kafka_topic_partition_list_add(q, "other", 0)->offset = 100;
	CHECK(kafka_source_ends_missing(&s, q) == 1);
	rd_kafka_topic_partition_list_destroy(q);
	unbook(&s);
}

int main(void)
{
	test_part_book();
	test_subscribed_and_sizes();
	test_pattern_errors();
	test_end_step();
	test_all_read();
	test_held_and_committed();
	test_group_offsets();
	return check_done("test_source_ends");
}
