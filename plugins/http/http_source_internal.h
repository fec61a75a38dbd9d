/*
 * http_source_internal.h - what the http source's files share: a request
 * between libmicrohttpd's thread and the run loop, the instance, and the
 * functions each side calls.
 */
#ifndef SL_HTTP_SOURCE_INTERNAL_H
#define SL_HTTP_SOURCE_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>

#include "http_source.h"

/* How long close waits for answered connections to send their answer. */
#define CLOSE_WAIT_MS 5000

/* 413: libmicrohttpd renamed its constant (0.9.74), the number stays. */
#define HS_TOO_LARGE 413

enum hs_state { HS_READING, HS_WAITING, HS_HANDED, HS_ANSWERED };

struct hs_request {
	struct hs_request *next;
	struct MHD_Connection *conn;
	enum hs_state state;
	uint8_t *body;
	size_t len, cap;
	int too_big;
	uint32_t records;     /* records the body holds */
	uint32_t handed;      /* ... handed out so far */
	size_t cursor;        /* where the next line starts */
	int64_t end_offset;   /* offset after its last record */
	unsigned status;      /* the answer, once HS_ANSWERED */
	char *answer;
	int suspended;        /* resumed: counted in open_answers */
};

typedef struct hs_source {
	sl_stage *stage;
	hs_options opt;
	char *topic;          /* origin.topic of every record */
	struct MHD_Daemon *daemon;

	pthread_mutex_t lock;
	pthread_cond_t ready;     /* a request was queued */
	pthread_cond_t finished;  /* an answered connection completed */
	hs_request *waiting, *waiting_tail;
	uint64_t unanswered;      /* records waiting or handed out */
	unsigned open_answers;    /* resumed connections not completed */
	int closing;

	/* the run loop's thread only */
	hs_request *current;      /* partly handed out */
	hs_request *handed, *handed_tail;
	int64_t next_offset;
} hs_source;

/* {"KEY":"TEXT"} and a newline, TEXT escaped; malloc'd (NULL: no memory). */
char *hs_json_message(const char *key, const char *text);

/* The records of a request's body (http_source_lines.c): how many, and
 * the next one from its cursor (1, or 0 at its end). */
uint32_t hs_count_records(const hs_source *s, const hs_request *q);
int hs_next_record(const hs_source *s, hs_request *q, const uint8_t **data,
		   size_t *len);

/* The run loop's side (http_source.c): answer a suspended request, which
 * resumes its connection; @p body is taken over. */
void hs_answer(hs_source *s, hs_request *q, unsigned status, char *body);
void hs_answer_error(hs_source *s, hs_request *q, unsigned status,
		     const char *why);
void hs_answer_ok(hs_source *s, hs_request *q);
void hs_request_free(hs_request *q);

/* libmicrohttpd's side (http_source_server.c): its access handler and
 * its completion callback, with the instance as their closure. */
enum MHD_Result hs_on_request(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_size, void **con_cls);
void hs_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		     enum MHD_RequestTerminationCode why);

#endif
