/*
 * jsonloop_simdjson.cpp - jsonloop's simdjson baseline: each line with
 * the On-Demand API, the three fields looked up by name in any order
 * (find_field_unordered, as `doc["name"]`), error codes, no exceptions.
 */
#include <cstdio>
#include <cstring>

#include <simdjson.h>

#include "jsonloop.h"

using namespace simdjson;

int jsonloop_simdjson(const jsonloop_lines *in, jsonloop_sums *out)
{
	ondemand::parser parser;

	for (size_t i = 0; i < in->count; i++) {
		const char *line = in->text + in->start[i];
		/* the rest of the file and its padding may be read past the line */
		size_t readable = in->size + JSONLOOP_PADDING - in->start[i];
		ondemand::document doc;
		std::string_view type;
		int64_t user, ts;

		if (parser.iterate(line, in->len[i], readable).get(doc) ||
		    doc["event_type"].get_string().get(type) ||
		    doc["user_id"].get_int64().get(user) ||
		    doc["ts"].get_int64().get(ts)) {
			std::fprintf(stderr, "jsonloop: line %zu: not a user event\n", i + 1);
			return -1;
		}
		out->page_views += type == "page_view";
		out->user_sum += (uint64_t)user;
		out->ts_sum += (uint64_t)ts;
	}
	return 0;
}
