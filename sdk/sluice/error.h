/*
 * sluice/error.h - errors as values.
 *
 * Functions that can fail return an int status and fill an sl_error the
 * caller owns.  Each layer that passes an error up may prefix context to
 * it (stage name, file:line, topic/partition/offset); the command prints
 * it once, at the top.
 */
#ifndef SLUICE_ERROR_H
#define SLUICE_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes returned by SDK calls and plugin callbacks. */
enum sl_status {
	SL_OK = 0,   /**< success */
	SL_EOF = 1,  /**< a source has no more records (bounded run finished) */
	SL_SKIP = 2, /**< a per-record error was handled: drop this record */
	SL_MORE = 3, /**< an operator emits in parts: more to come (sluice/operator.h) */
	SL_ERR = -1  /**< failure: the sl_error says what and why */
};

/** What kind of failure an sl_error describes. */
typedef enum sl_error_kind {
	SL_ERR_NONE = 0,
	SL_ERR_RUNTIME,   /**< the job cannot go on (exit code 1) */
	SL_ERR_CONFIG,    /**< the job file is wrong (exit code 2) */
	SL_ERR_RECORD,    /**< one record is bad (policy: errors = ...) */
	SL_ERR_RETRIABLE, /**< a transient fault; the same call may succeed */
	SL_ERR_ABORTABLE, /**< the open transaction must be aborted */
	SL_ERR_FATAL,     /**< e.g. a fenced producer: stop, do not retry */
	/**
	 * A client was lost in a way only a new one heals (a transaction the
	 * broker aborted after its timeout, which fences the producer): the
	 * engine closes every stage and opens the job again from its last
	 * committed positions, in the same process.
	 */
	SL_ERR_RESTART
} sl_error_kind;

/** Longest error message kept, including context prefixes. */
#define SL_ERROR_MAX 1024

/** An error: a kind and a message with its context. */
typedef struct sl_error {
	sl_error_kind kind;
	char message[SL_ERROR_MAX];
} sl_error;

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_ERROR_H */
