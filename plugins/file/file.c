/*
 * file.c - the file plugin's entry point.
 */
#include "file.h"

SL_PLUGIN("file", .source = &file_source_class, .sink = &file_sink_class)
