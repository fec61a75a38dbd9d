/*
 * file.c - the file plugin's entry point.
 */
#include "file.h"

SL_PLUGIN_DEFINE("file", &file_source_class, &file_sink_class, NULL, NULL)
