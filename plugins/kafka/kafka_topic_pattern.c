/*
 * kafka_topic_pattern.c - see kafka_topic_pattern.h.
 *
 * Anchored at both ends by PCRE2's compile options rather than by
 * wrapping the text in `^(?:...)$`: the offsets of its error messages
 * are then the user's, and no text of theirs (an unterminated `\Q`, a
 * trailing `\`) can swallow the wrapping.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_topic_pattern.h"

struct kafka_topic_pattern {
	pcre2_code *code;
	pcre2_match_data *match; /* the source's thread only */
};

kafka_topic_pattern *kafka_topic_pattern_new(const char *text, char *why,
					     size_t size, size_t *offset)
{
	kafka_topic_pattern *p;
	PCRE2_UCHAR message[256];
	PCRE2_SIZE at = 0;
	int code = 0;
	pcre2_code *compiled = pcre2_compile((PCRE2_SPTR)text, PCRE2_ZERO_TERMINATED,
					     PCRE2_UTF | PCRE2_ANCHORED |
					     PCRE2_ENDANCHORED, &code, &at, NULL);

	*offset = KAFKA_PATTERN_NO_OFFSET;
	if (compiled == NULL && code != PCRE2_ERROR_NOMEMORY) {
		if (pcre2_get_error_message(code, message, sizeof message) < 0)
			snprintf((char *)message, sizeof message, "error %d", code);
		snprintf(why, size, "%s", (const char *)message);
		*offset = at;
		return NULL;
	}
	p = compiled != NULL ? calloc(1, sizeof *p) : NULL;
	if (p != NULL)
		p->match = pcre2_match_data_create_from_pattern(compiled, NULL);
	if (p == NULL || p->match == NULL) {
		free(p);
		pcre2_code_free(compiled);
		snprintf(why, size, "out of memory");
		return NULL;
	}
	p->code = compiled;
	return p;
}

int kafka_topic_pattern_matches(kafka_topic_pattern *p, const char *topic)
{
	/* Kafka's own topics (__consumer_offsets, __transaction_state) */
	if (strncmp(topic, "__", 2) == 0)
		return 0;
	return pcre2_match(p->code, (PCRE2_SPTR)topic, PCRE2_ZERO_TERMINATED, 0,
			   0, p->match, NULL) >= 0;
}

void kafka_topic_pattern_free(kafka_topic_pattern *p)
{
	if (p == NULL)
		return;
	pcre2_match_data_free(p->match);
	pcre2_code_free(p->code);
	free(p);
}
