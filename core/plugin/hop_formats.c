/*
 * hop_formats.c - see hop_formats.h.
 */
#include "config.h"

#include <stdio.h>

#include "base/json_write.h"
#include "base/record_codec.h"
#include "plugin/hop_formats.h"
#include "base/utf8.h"

#define VALUE_FORMAT "sluice-record"
#define KEY_FORMAT "sluice-key"

/* The format calls fill errors themselves: the host table is above. */
static int key_error(sl_error *err, sl_error_kind kind, const char *message)
{
	err->kind = kind;
	snprintf(err->message, sizeof err->message, "%s", message);
	return SL_ERR;
}

static int value_decode(void *self, const uint8_t *data, size_t len,
			sl_arena *arena, sl_value *out, sl_error *err)
{
	(void)self;
	return sl_record_codec_decode(data, len, arena, out, err);
}

static int value_encode(void *self, const sl_value *value, sl_buf *out,
			sl_error *err)
{
	(void)self;
	return sl_record_codec_encode(value, out, err);
}

static int key_decode(void *self, const uint8_t *data, size_t len,
		      sl_arena *arena, sl_value *out, sl_error *err)
{
	char why[128];
	size_t bad;

	(void)self;
	(void)arena;
	if (len > UINT32_MAX)
		return key_error(err, SL_ERR_RECORD, "key of more than 4 GiB");
	if ((bad = sl_utf8_valid_prefix(data, len)) != len) {
		snprintf(why, sizeof why, "key text is not UTF-8 (at byte %zu)", bad);
		return key_error(err, SL_ERR_RECORD, why);
	}
	*out = sl_value_string(len ? (const char *)data : "", len);
	return SL_OK;
}

static int key_encode(void *self, const sl_value *value, sl_buf *out,
		      sl_error *err)
{
	char why[128];
	size_t bad;
	int rc;

	(void)self;
	if (value->type != SL_TSTRING) {
		rc = sl_json_write(value, out);
		return rc == 0 ? SL_OK : rc == -2 ?
			key_error(err, SL_ERR_RECORD, "a key with NaN or Infinity "
				  "has no text") :
			key_error(err, SL_ERR_RUNTIME, "out of memory encoding a key");
	}
	bad = sl_utf8_valid_prefix((const uint8_t *)value->as.s, value->len);
	if (bad != value->len) {
		snprintf(why, sizeof why, "key string is not UTF-8 (at byte %zu)",
			 bad);
		return key_error(err, SL_ERR_RECORD, why);
	}
	if (sl_buf_append(out, value->as.s, value->len) != 0)
		return key_error(err, SL_ERR_RUNTIME, "out of memory encoding a key");
	return SL_OK;
}

static const sl_format_class value_class = {
	.struct_size = sizeof(sl_format_class),
	.decode = value_decode,
	.encode = value_encode,
};

static const sl_format_class key_class = {
	.struct_size = sizeof(sl_format_class),
	.decode = key_decode,
	.encode = key_encode,
};

#define BUILTIN_PLUGIN(name_, class_) {                                      \
	.abi_major = SL_ABI_MAJOR, .struct_size = sizeof(sl_plugin),        \
	.host_size = sizeof(sl_host), .layout = SL_LAYOUT_STAMP,            \
	.name = name_, .format = class_ }

static const sl_plugin value_plugin = BUILTIN_PLUGIN(VALUE_FORMAT, &value_class);
static const sl_plugin key_plugin = BUILTIN_PLUGIN(KEY_FORMAT, &key_class);

#define BUILTIN_DESCRIPTOR(name_, summary_) {                                \
	.name = name_, .kinds = SL_KIND_FORMAT, .library = "",              \
	.abi = SL_ABI_MAJOR, .summary = summary_,                           \
	.path = "(built into sluice)", .subdir = "" }

const sl_descriptor sl_hop_value_format = BUILTIN_DESCRIPTOR(VALUE_FORMAT,
	"values of repartition topics in sluice's binary record codec");
const sl_descriptor sl_hop_key_format = BUILTIN_DESCRIPTOR(KEY_FORMAT,
	"keys of repartition topics as the text keyed stages group by");

const sl_plugin *sl_builtin_plugin(const sl_descriptor *desc)
{
	if (desc == &sl_hop_value_format)
		return &value_plugin;
	if (desc == &sl_hop_key_format)
		return &key_plugin;
	return NULL;
}
