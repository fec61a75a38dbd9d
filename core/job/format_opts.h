/*
 * format_opts.h - options of the formats of a source or sink.
 *
 * A format plugin declares options in its descriptor like any plugin; a
 * stage sets them under the format's name, as Flink's table connectors
 * do (`csv.field-delimiter`): `csv.columns` for the value format and
 * `key.csv.columns` for the key format, so the two never share a setting
 * and a format's option never collides with the stage plugin's own.
 */
#ifndef SL_FORMAT_OPTS_H
#define SL_FORMAT_OPTS_H

#include "job/job.h"

/*
 * The length of the prefix "csv." (value side) or "key.csv." (@p key_side)
 * that stage option @p key starts with for format @p fmt; 0 when none.
 */
size_t sl_format_prefix(const sl_descriptor *fmt, int key_side,
			const char *key);

/*
 * The option of format @p fmt that stage option @p key sets when @p fmt
 * is the stage's key format (@p key_side) or value format; NULL when
 * @p key names none.
 */
const sl_opt_desc *sl_format_option(const sl_descriptor *fmt, int key_side,
				    const char *key);

/*
 * The stage option that sets option @p opt of format @p fmt, in @p buf:
 * "csv.columns", or "key.csv.columns" for the key side.
 */
const char *sl_format_option_key(const sl_descriptor *fmt, int key_side,
				 const char *opt, char *buf, size_t size);

/* Whether stage @p st sets any option of its format @p fmt. */
int sl_format_options_set(const sl_job_stage *st, const sl_descriptor *fmt,
			  int key_side);

#endif /* SL_FORMAT_OPTS_H */
