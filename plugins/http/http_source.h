/*
 * http_source.h - the http source: records POSTed to an HTTP endpoint,
 * each request answered once its records are delivered.
 */
#ifndef SL_HTTP_SOURCE_H
#define SL_HTTP_SOURCE_H

#include <sluice/plugin.h>

extern const sl_source_class http_source_class;

/* One request between the HTTP thread and the run loop (http_source.c). */
typedef struct hs_request hs_request;

/* The parsing of options both check and open do (http_source_opts.c). */
typedef struct hs_options {
	char host[256];     /* listen's host part ("" or "*": every address) */
	uint16_t port;
	const char *path;
	const char *token;  /* NULL: no authentication */
	size_t body_max;
	int split_lines;
	uint32_t queue_max;  /* records waiting or in the job, unanswered */
	int64_t retry_after; /* seconds, in a 503's Retry-After */
	int commit_eager;    /* commit as soon as requests wait for it */
} hs_options;

/* Read and check the stage's options into @p o.  SL_OK or SL_ERR
 * (sl_config_error naming the option). */
int hs_options_read(const sl_stage *stage, hs_options *o, sl_error *err);

/* Whether @p given (of @p given_len bytes) equals @p expected, in a time
 * that does not depend on where they differ. */
int hs_token_equal(const char *given, size_t given_len, const char *expected);

#endif
