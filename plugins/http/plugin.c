/*
 * plugin.c - the http plugin's entry: its sink (http_sink.c, libcurl)
 * and its source (http_source.c, libmicrohttpd).
 */
#include <sluice/plugin.h>

#include "http_source.h"

extern const sl_sink_class http_sink_class;

SL_PLUGIN("http", .sink = &http_sink_class, .source = &http_source_class,
	  .host_needs = SL_HOST_SIZE_WITH(decode_check))
