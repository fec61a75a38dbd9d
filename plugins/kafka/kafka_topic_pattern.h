/*
 * kafka_topic_pattern.h - `topic.pattern`: a PCRE2 regular expression
 * matched against whole topic names (as Java's pattern subscriptions
 * match), Kafka's own internal topics (`__consumer_offsets`, ...) never
 * matching.  Sluice matches names itself, on the cluster's topic list,
 * and subscribes to the names that match: librdkafka's own pattern
 * subscriptions take POSIX extended expressions, without `\d`, `\w`,
 * lazy quantifiers or lookarounds.
 */
#ifndef SL_KAFKA_TOPIC_PATTERN_H
#define SL_KAFKA_TOPIC_PATTERN_H

#include <stddef.h>

typedef struct kafka_topic_pattern kafka_topic_pattern;

/* *offset of kafka_topic_pattern_new() when no fault of the text's is
 * the cause (memory ran out). */
#define KAFKA_PATTERN_NO_OFFSET ((size_t)-1)

/*
 * Compile @p text.  NULL when it is not a regular expression, with
 * PCRE2's message in @p why and the offset in @p text where it found the
 * fault in *@p offset, or when memory ran out (@p why says so, *@p offset
 * is KAFKA_PATTERN_NO_OFFSET).
 */
kafka_topic_pattern *kafka_topic_pattern_new(const char *text, char *why,
					     size_t size, size_t *offset);

/* Whether @p pattern matches all of @p topic, which is not internal. */
int kafka_topic_pattern_matches(kafka_topic_pattern *pattern, const char *topic);

void kafka_topic_pattern_free(kafka_topic_pattern *pattern);

#endif
