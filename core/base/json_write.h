/*
 * json_write.h - compact JSON text of an sl_value (the host's
 * value_to_json, also used for aggregate output and messages).
 */
#ifndef SL_JSON_WRITE_H
#define SL_JSON_WRITE_H

#include <sluice/batch.h>

/* 0, -1 out of memory, -2 a NaN or infinite number. */
int sl_json_write(const sl_value *value, sl_buf *buf);

#endif
