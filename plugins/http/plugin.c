/*
 * plugin.c - the http plugin's entry point.
 */
#include "http_source.h"

SL_PLUGIN("http", .source = &http_source_class,
	  .host_needs = SL_HOST_SIZE_WITH(decode_check))
