/*
 * plugin.c - the http plugin's entry: its sink (http_sink.c).
 */
#include <sluice/plugin.h>

extern const sl_sink_class http_sink_class;

SL_PLUGIN("http", .sink = &http_sink_class)
