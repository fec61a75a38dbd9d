/*
 * json_simdjson.cpp - a JSON record into arena values with simdjson's DOM
 * parser: both of its passes (the structural index and the tape of
 * parsed values) run in the kernel libsimdjson picks for the CPU, then
 * one walk of the tape builds the values.
 *
 * Why C++: simdjson is a C++ library with no C interface, and it is the
 * parser that reaches the goal (tests/seeds/bench.sh measures it beside
 * jansson and yajl).  This is the plugin's only C++: it is compiled with
 * -fno-exceptions (simdjson's error codes) and -fno-rtti, exports nothing
 * (the plugin's symbols are limited to its entry point), and C calls it
 * through json_simd.h.
 *
 * Why the DOM and not On-Demand: this decoder builds every value of the
 * record, which is what the DOM's tape holds.  On-Demand navigates the
 * text instead, in code compiled into this file, which a package cannot
 * build for the best kernel of every machine: it ran as simdjson's
 * portable fallback, and this decoder took 205 ns a user event with it
 * against 164 ns with the DOM (icelake kernel, one core, best of 5).
 *
 * The contract is jansson's (json_decode.c, the reference): what this
 * decoder accepts, jansson accepts, to the same value; what it refuses,
 * the caller hands to jansson, which words the error or, for the few
 * inputs jansson takes and this leaves to it (below), decodes them.
 * tests/fuzz/fuzz_jsondiff.c holds the two to it.  What that takes beyond
 * simdjson's own checks:
 *
 * - Numbers.  An integer is an int64; a real (with '.', 'e' or 'E') is a
 *   double; a real too large for a double is refused (jansson: "real
 *   number overflow").  An integer beyond int64 makes jansson read the
 *   whole document again with every number as a double, then turn the
 *   integral ones that fit back into ints: so does this decoder
 *   (ints_as_real) for one that fits a uint64, including the one
 *   surprise, 1.0 read as 1 in such a document.  simdjson refuses the
 *   other integers beyond int64 (below -2^63, at and past 2^64), which
 *   jansson then reads.  -0 is int 0.
 * - Objects keep input order; a repeated key keeps its first position and
 *   takes its last value.  A key holding NUL (\u0000) is refused: jansson
 *   cannot hold one.  \u0000 inside a string value is kept.
 * - Depth: at most JSON_MAX_DEPTH levels, counting scalars, as jansson.
 * - Nothing may follow the top-level value but whitespace, and a raw NUL
 *   byte is refused anywhere (jansson takes one straight after a number
 *   or a literal as the end of the text, and decodes those).
 *
 * Strings and keys are copied into the arena from the parser's string
 * buffer, which the next record reuses.  The parser copies each record
 * into a padded buffer of its own first (SIMDJSON_PADDING readable bytes
 * after the text, which a record does not promise) and keeps it, and its
 * tape, from one record to the next unless a large record made them grow.
 *
 * Kernels: libsimdjson picks one from the CPU at run time (icelake,
 * haswell, westmere, fallback), so a package built once runs the best of
 * each machine and no build flag is needed.  jsondiff.test runs every
 * kernel the test machine has (SL_JSONDIFF_KERNEL).
 */
#include "config.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include <simdjson.h>

#include "json_simd.h"

using namespace simdjson;

namespace {

/* How a step of the decoder ended. */
enum step {
	STEP_OK,
	STEP_REFUSED, /* not JSON as jansson reads it, or left to jansson */
	STEP_NOMEM,
	STEP_AS_REAL  /* an integer beyond int64: start again, ints_as_real */
};

/* Buffers kept from one record to the next unless they grew past this. */
const size_t KEEP_BELOW = 1u << 20;

/* What a parser is first made for; it grows for larger records. */
const size_t FIRST_CAPACITY = 4096;

/* Objects up to this many members look for repeated keys pairwise. */
const size_t PAIRWISE_MAX = 16;

/* A dom::object's or dom::array's size() stops counting here. */
const size_t SIZE_SATURATED = 0xFFFFFF;

} // namespace

struct json_simd {
	dom::parser parser;
	uint32_t *slots = nullptr;  /* hash table for repeated keys */
	size_t slots_cap = 0;

	/* the record being decoded */
	sl_arena *arena = nullptr;
	bool ints_as_real = false;

	~json_simd() { std::free(slots); }
};

namespace {

/* A parser that takes jansson's depth (the walk below enforces it
 * exactly; one level more here keeps simdjson's count out of it). */
bool parser_ready(dom::parser &parser)
{
	return parser.allocate(FIRST_CAPACITY, JSON_MAX_DEPTH + 1) == SUCCESS;
}

/* A number: simdjson has read it exactly (integers as int64 or uint64,
 * reals as the nearest double, as strtod). */
step number(json_simd &d, dom::element e, dom::element_type type, sl_value *out)
{
	int64_t i;
	uint64_t u;
	double x;

	switch (type) {
	case dom::element_type::INT64:
		i = e.get_int64().value_unsafe();
		*out = d.ints_as_real ? json_int_or_real(static_cast<double>(i)) :
			sl_value_int(i);
		return STEP_OK;
	case dom::element_type::UINT64:
		if (!d.ints_as_real)
			return STEP_AS_REAL;
		u = e.get_uint64().value_unsafe();
		*out = json_int_or_real(static_cast<double>(u));
		return STEP_OK;
	default:
		x = e.get_double().value_unsafe();
		*out = d.ints_as_real ? json_int_or_real(x) : sl_value_double(x);
		return STEP_OK;
	}
}

step value(json_simd &d, dom::element e, sl_value *out, int depth);

/* Members [0, *n) of @p m: the first of each key takes the value of the
 * last; the others go.  Pairwise when few, else hashed. */
bool drop_repeated_keys(json_simd &d, sl_member *m, size_t *n)
{
	size_t kept = 0, i, j, mask;

	if (*n <= PAIRWISE_MAX) {
		for (i = 0; i < *n; i++) {
			for (j = 0; j < kept; j++)
				if (m[j].key_len == m[i].key_len &&
				    std::memcmp(m[j].key, m[i].key, m[i].key_len) == 0)
					break;
			if (j < kept)
				m[j].value = m[i].value;
			else
				m[kept++] = m[i];
		}
		*n = kept;
		return true;
	}
	for (mask = 1; mask < 2 * *n; mask <<= 1)
		;
	if (mask > d.slots_cap) {
		uint32_t *p = static_cast<uint32_t *>(
			std::realloc(d.slots, mask * sizeof *d.slots));
		if (p == nullptr)
			return false;
		d.slots = p;
		d.slots_cap = mask;
	}
	std::memset(d.slots, 0, mask * sizeof *d.slots); /* 0: empty, else index + 1 */
	mask--;
	for (i = 0; i < *n; i++) {
		uint64_t h = 14695981039346656037u; /* FNV-1a */
		size_t k;

		for (k = 0; k < m[i].key_len; k++)
			h = (h ^ static_cast<unsigned char>(m[i].key[k])) * 1099511628211u;
		for (k = h & mask;; k = (k + 1) & mask) {
			uint32_t s = d.slots[k];

			if (s == 0) {
				d.slots[k] = static_cast<uint32_t>(kept + 1);
				m[kept++] = m[i];
				break;
			}
			if (m[s - 1].key_len == m[i].key_len &&
			    std::memcmp(m[s - 1].key, m[i].key, m[i].key_len) == 0) {
				m[s - 1].value = m[i].value;
				break;
			}
		}
	}
	*n = kept;
	return true;
}

/* How many members or items: the tape's count, or one by one past where
 * it saturates. */
template <typename T> size_t count(const T &container)
{
	size_t n = container.size();

	if (n >= SIZE_SATURATED) {
		n = 0;
		for (auto it = container.begin(); it != container.end(); ++it)
			n++;
	}
	return n;
}

step object(json_simd &d, dom::object obj, sl_value *out, int depth)
{
	size_t n = count(obj), i = 0;
	sl_member *members = nullptr;
	step st;

	if (n > 0) {
		members = static_cast<sl_member *>(
			sl_arena_alloc(d.arena, n * sizeof *members));
		if (members == nullptr)
			return STEP_NOMEM;
	}
	for (dom::key_value_pair field : obj) {
		sl_member &m = members[i++];

		/* jansson cannot hold NUL in a key */
		if (std::memchr(field.key.data(), '\0', field.key.size()) != nullptr)
			return STEP_REFUSED;
		if ((m.key = sl_arena_strndup(d.arena, field.key.data(),
					      field.key.size())) == nullptr)
			return STEP_NOMEM;
		m.key_len = static_cast<uint32_t>(field.key.size());
		if ((st = value(d, field.value, &m.value, depth + 1)) != STEP_OK)
			return st;
	}
	if (n > 1 && !drop_repeated_keys(d, members, &n))
		return STEP_NOMEM;
	*out = sl_value_null();
	out->type = SL_TOBJECT;
	out->len = static_cast<uint32_t>(n);
	out->as.members = members;
	return STEP_OK;
}

step array(json_simd &d, dom::array arr, sl_value *out, int depth)
{
	size_t n = count(arr), i = 0;
	sl_value *items = nullptr;
	step st;

	if (n > 0) {
		items = static_cast<sl_value *>(
			sl_arena_alloc(d.arena, n * sizeof *items));
		if (items == nullptr)
			return STEP_NOMEM;
	}
	for (dom::element item : arr)
		if ((st = value(d, item, &items[i++], depth + 1)) != STEP_OK)
			return st;
	*out = sl_value_null();
	out->type = SL_TARRAY;
	out->len = static_cast<uint32_t>(n);
	out->as.items = items;
	return STEP_OK;
}

/* The value @p e at @p depth (the top-level value is at 1). */
step value(json_simd &d, dom::element e, sl_value *out, int depth)
{
	dom::element_type type = e.type();
	std::string_view text;
	const char *s;

	if (depth > JSON_MAX_DEPTH)
		return STEP_REFUSED;
	switch (type) {
	case dom::element_type::ARRAY:
		return array(d, e.get_array().value_unsafe(), out, depth);
	case dom::element_type::OBJECT:
		return object(d, e.get_object().value_unsafe(), out, depth);
	case dom::element_type::STRING:
		text = e.get_string().value_unsafe();
		if ((s = sl_arena_strndup(d.arena, text.data(), text.size())) == nullptr)
			return STEP_NOMEM;
		*out = sl_value_string(s, text.size());
		return STEP_OK;
	case dom::element_type::BOOL:
		*out = sl_value_bool(e.get_bool().value_unsafe());
		return STEP_OK;
	case dom::element_type::NULL_VALUE:
		*out = sl_value_null();
		return STEP_OK;
	default:
		return number(d, e, type, out);
	}
}

/* Give back buffers a large record made grow. */
void trim(json_simd &d)
{
	if (d.parser.capacity() > KEEP_BELOW) {
		d.parser = dom::parser();
		/* a parser that cannot allocate now does on the next record,
		 * with simdjson's depth; it refuses deeper ones to jansson */
		(void)parser_ready(d.parser);
	}
	if (d.slots_cap * sizeof(uint32_t) > KEEP_BELOW) {
		std::free(d.slots);
		d.slots = nullptr;
		d.slots_cap = 0;
	}
}

} // namespace

extern "C" json_simd *json_simd_new(void)
{
	json_simd *d = new (std::nothrow) json_simd();

	if (d != nullptr && !parser_ready(d->parser)) {
		delete d;
		return nullptr;
	}
	return d;
}

extern "C" void json_simd_free(json_simd *d)
{
	delete d;
}

extern "C" int json_simd_decode(json_simd *d, const uint8_t *data, size_t len,
				sl_arena *arena, sl_value *out)
{
	dom::element root;
	error_code code;
	step st;

	/* simdjson reads at most 4 GiB (and sl_value lengths are 32 bits) */
	if (len > 0xFFFFFFFFu - SIMDJSON_PADDING)
		return JSON_SIMD_REFUSED;
	if (len == 0 || std::memchr(data, '\0', len) != nullptr)
		return JSON_SIMD_REFUSED; /* jansson says why, or decides */
	code = d->parser.parse(data, len, true).get(root);
	if (code == MEMALLOC)
		return JSON_SIMD_NOMEM;
	if (code != SUCCESS) {
		st = STEP_REFUSED;
	} else {
		d->arena = arena;
		d->ints_as_real = false;
		st = value(*d, root, out, 1);
		if (st == STEP_AS_REAL) {
			/* rare: what the first walk put in the arena stays unused */
			d->ints_as_real = true;
			st = value(*d, root, out, 1);
		}
	}
	if (len > KEEP_BELOW)
		trim(*d);
	switch (st) {
	case STEP_OK:
		return JSON_SIMD_OK;
	case STEP_NOMEM:
		return JSON_SIMD_NOMEM;
	default:
		return JSON_SIMD_REFUSED;
	}
}
