/*
 * json_simdjson.cpp - a JSON record straight into arena values, in one
 * pass, with simdjson's On-Demand API.
 *
 * Why C++: simdjson is a C++ library with no C interface, and it is the
 * parser that reaches the goal (tests/seeds/bench.sh measures it beside
 * jansson and yajl).  This is the plugin's only C++: it is compiled with
 * -fno-exceptions (simdjson's error codes) and -fno-rtti, exports nothing
 * (the plugin's symbols are limited to its entry point), and C calls it
 * through json_simd.h.
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
 *   (ints_as_real), including the one surprise, 1.0 read as 1 in such a
 *   document.  -0 is int 0.  Numbers of 20 digits or more in mantissa or
 *   exponent go to jansson (number() says why).
 * - Objects keep input order; a repeated key keeps its first position and
 *   takes its last value.  A key holding NUL (\u0000) is refused: jansson
 *   cannot hold one.  \u0000 inside a string value is kept.
 * - Depth: at most JSON_MAX_DEPTH levels, counting scalars, as jansson.
 * - Nothing may follow the top-level value but whitespace.  (A raw NUL
 *   byte anywhere is refused; jansson takes one straight after a number
 *   or a literal as the end of the text, and decodes those.)
 *
 * simdjson needs SIMDJSON_PADDING readable bytes after the text, which a
 * record does not promise: the record is copied into the decoder's own
 * padded buffer first (a record is small; the copy is cheap beside the
 * parse), a record that is one scalar between brackets (only_item() says
 * why).  Strings and keys without escapes then point into the record's
 * own bytes, which outlive the value (sluice/format.h); only escaped ones
 * are copied, unescaped, into the arena.
 *
 * Kernels.  With no -march, simdjson.h compiles On-Demand's navigation
 * and number parsing as simdjson::fallback (its builtin implementation;
 * 3.0.1's header has On-Demand for that one only), but the SIMD part, the
 * structural index (stage 1), and string unescaping go through the
 * parser's dom_parser_implementation, which libsimdjson picks from the
 * CPU at run time (icelake, haswell, westmere, fallback): a package built
 * once runs the best kernel of each machine, and no build flag is needed.
 * Compiling the rest for haswell (-mavx2 ..., measured as an experiment)
 * made the decode no faster in the seed benchmark.  jsondiff.test runs
 * every kernel the test machine has (SL_JSONDIFF_KERNEL).
 *
 * Two bugs of simdjson 3.0.1 (Debian bookworm's), found by the tests and
 * the fuzz target, are worked around here: number() and only_item() say
 * which.  The workarounds stay right with a simdjson that has them fixed.
 */
#include "config.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include <simdjson.h>

#include "json_simd.h"

using namespace simdjson;

namespace {

/* How a step of the decoder ended. */
enum step {
	STEP_OK,
	STEP_REFUSED, /* not JSON as jansson reads it */
	STEP_NOMEM,
	STEP_AS_REAL  /* an integer beyond int64: start again, ints_as_real */
};

/* Buffers kept from one record to the next unless they grew past this. */
const size_t KEEP_BELOW = 1u << 20;

/* Objects up to this many members look for repeated keys pairwise. */
const size_t PAIRWISE_MAX = 16;

/* A growable array of plain structs (sl_value, sl_member), malloc'd. */
template <typename T> struct stack {
	T *at = nullptr;
	size_t len = 0;
	size_t cap = 0;

	bool push(const T &v)
	{
		if (len == cap && !grow())
			return false;
		at[len++] = v;
		return true;
	}
	bool grow()
	{
		size_t n = cap != 0 ? 2 * cap : 64;
		T *p = static_cast<T *>(std::realloc(at, n * sizeof(T)));

		if (p == nullptr)
			return false;
		at = p;
		cap = n;
		return true;
	}
	void release()
	{
		std::free(at);
		at = nullptr;
		len = cap = 0;
	}
	~stack() { std::free(at); }
};

} // namespace

struct json_simd {
	ondemand::parser parser;
	char *copy = nullptr;       /* the text parsed, then SIMDJSON_PADDING zeros */
	size_t copy_cap = 0;
	stack<sl_value> items;      /* items of the arrays being read */
	stack<sl_member> members;   /* members of the objects being read */
	uint32_t *slots = nullptr;  /* hash table for repeated keys */
	size_t slots_cap = 0;

	/* the record being decoded */
	sl_arena *arena = nullptr;
	const uint8_t *data = nullptr; /* its bytes, which outlive the value */
	const char *text = nullptr;    /* where they are in the copy */
	size_t text_len = 0;           /* the copy's length: the record's, + 2 if wrapped */
	bool wrapped = false;          /* a scalar, copied as "[" record "]" */
	bool ints_as_real = false;

	~json_simd()
	{
		std::free(copy);
		std::free(slots);
	}
};

namespace {

/*
 * The closing quote of the string whose text starts at @p raw (just after
 * its opening quote, in the padded copy) when the string has no escape;
 * NULL when a backslash comes first.  simdjson's first stage has checked
 * every string of the document (closed; UTF-8; no raw control character,
 * so no NUL, and the padding's zeros stop the scan all the same): this
 * only tells a plain string, whose bytes are its text, from one that
 * needs unescaping.
 */
const char *plain_end(const char *raw)
{
	while (*raw != '"' && *raw != '\\' && *raw != '\0')
		raw++;
	return *raw == '"' ? raw : nullptr;
}

/* Where the bytes at @p p of the padded copy are in the record itself. */
const char *in_record(const json_simd &d, const char *p)
{
	return reinterpret_cast<const char *>(d.data) + (p - d.text);
}

/* A copy of unescaped @p text in the arena. */
step arena_text(json_simd &d, std::string_view text, const char **out)
{
	char *s = static_cast<char *>(
		sl_arena_alloc(d.arena, text.size() != 0 ? text.size() : 1));

	if (s == nullptr)
		return STEP_NOMEM;
	std::memcpy(s, text.data(), text.size());
	*out = s;
	return STEP_OK;
}

/*
 * A number.
 *
 * simdjson 3.0.1 reads some reals with more than 19 digits wrongly in
 * On-Demand (0.1000000000000000055511151231257827 gives 1.8e-36): every
 * real with more digits than an int64 holds goes to jansson (strtod), as
 * does an exponent of 20 digits or more, which simdjson refuses.
 */
step number(json_simd &d, ondemand::value &v, sl_value *out)
{
	const size_t max_digits = 19;
	const char *raw;
	int64_t i;
	double x;
	size_t sign, whole, fraction = 0;
	bool real;

	if (!d.ints_as_real && v.get_int64().get(i) == SUCCESS) {
		*out = sl_value_int(i);
		return STEP_OK;
	}
	/* A real, an integer beyond int64, or not a number (a failed get
	 * leaves the value where it was). */
	raw = v.raw_json_token().data();
	sign = raw[0] == '-';
	whole = std::strspn(raw + sign, "0123456789");
	if (raw[sign + whole] == '.')
		fraction = std::strspn(raw + sign + whole + 1, "0123456789");
	real = raw[sign + whole] == '.' || raw[sign + whole] == 'e' ||
	       raw[sign + whole] == 'E';
	if (real && whole + fraction > max_digits)
		return STEP_REFUSED;
	if (v.get_double().get(x) != SUCCESS)
		return STEP_REFUSED; /* not a number, or beyond a double */
	if (d.ints_as_real) {
		*out = json_int_or_real(x);
		return STEP_OK;
	}
	if (!real)
		return STEP_AS_REAL; /* an integer beyond int64 */
	*out = sl_value_double(x);
	return STEP_OK;
}

/*
 * A string value.  A plain one (no escape) is its raw bytes, in the record;
 * one with escapes is unescaped by simdjson (which checks them) into the
 * arena.  Either way the token is consumed (get_raw_json_string() costs a
 * pointer): one left unread, the container's iteration skips it, and
 * simdjson 3.0.1 skips an unread string followed by ':' as a key, then
 * what follows up to the next bracket: ["a":1:""}] read as ["a"].
 */
step string(json_simd &d, ondemand::value &v, sl_value *out)
{
	const char *raw = v.raw_json_token().data(), *end = plain_end(raw + 1), *s;
	ondemand::raw_json_string consumed;
	std::string_view text;
	step st;

	if (end != nullptr) {
		if (v.get_raw_json_string().get(consumed) != SUCCESS)
			return STEP_REFUSED;
		*out = sl_value_string(in_record(d, raw + 1),
				       static_cast<size_t>(end - raw - 1));
		return STEP_OK;
	}
	if (v.get_string().get(text) != SUCCESS)
		return STEP_REFUSED;
	if ((st = arena_text(d, text, &s)) != STEP_OK)
		return st;
	*out = sl_value_string(s, text.size());
	return STEP_OK;
}

step value(json_simd &d, ondemand::value &v, sl_value *out, int depth);

/* Members [base, base + *n) of d.members: the first of each key takes the
 * value of the last; the others go.  Pairwise when few, else hashed. */
bool drop_repeated_keys(json_simd &d, size_t base, size_t *n)
{
	sl_member *m = d.members.at + base;
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

step object(json_simd &d, ondemand::object obj, sl_value *out, int depth)
{
	size_t base = d.members.len, n;
	sl_member *members = nullptr;
	step st;

	for (auto f : obj) {
		ondemand::field field;
		std::string_view key;
		sl_member m;
		const char *raw, *end;

		if (std::move(f).get(field) != SUCCESS)
			return STEP_REFUSED;
		raw = field.key().raw();
		if ((end = plain_end(raw)) != nullptr) {
			m.key = in_record(d, raw);
			key = std::string_view(raw, static_cast<size_t>(end - raw));
		} else if (field.unescaped_key().get(key) != SUCCESS ||
			   std::memchr(key.data(), '\0', key.size()) != nullptr) {
			return STEP_REFUSED; /* jansson cannot hold NUL in a key */
		} else if ((st = arena_text(d, key, &m.key)) != STEP_OK) {
			return st;
		}
		m.key_len = static_cast<uint32_t>(key.size());
		if ((st = value(d, field.value(), &m.value, depth + 1)) != STEP_OK)
			return st;
		if (!d.members.push(m))
			return STEP_NOMEM;
	}
	n = d.members.len - base;
	if (n > 0) {
		if (!drop_repeated_keys(d, base, &n))
			return STEP_NOMEM;
		members = static_cast<sl_member *>(
			sl_arena_alloc(d.arena, n * sizeof *members));
		if (members == nullptr)
			return STEP_NOMEM;
		std::memcpy(members, d.members.at + base, n * sizeof *members);
	}
	d.members.len = base;
	*out = sl_value_null();
	out->type = SL_TOBJECT;
	out->len = static_cast<uint32_t>(n);
	out->as.members = members;
	return STEP_OK;
}

step array(json_simd &d, ondemand::array arr, sl_value *out, int depth)
{
	size_t base = d.items.len, n;
	sl_value *items = nullptr;
	step st;

	for (auto c : arr) {
		ondemand::value v;
		sl_value item;

		if (c.get(v) != SUCCESS)
			return STEP_REFUSED;
		if ((st = value(d, v, &item, depth + 1)) != STEP_OK)
			return st;
		if (!d.items.push(item))
			return STEP_NOMEM;
	}
	n = d.items.len - base;
	if (n > 0) {
		items = static_cast<sl_value *>(
			sl_arena_alloc(d.arena, n * sizeof *items));
		if (items == nullptr)
			return STEP_NOMEM;
		std::memcpy(items, d.items.at + base, n * sizeof *items);
	}
	d.items.len = base;
	*out = sl_value_null();
	out->type = SL_TARRAY;
	out->len = static_cast<uint32_t>(n);
	out->as.items = items;
	return STEP_OK;
}

/* The value @p v at @p depth (the top-level value is at 1). */
step value(json_simd &d, ondemand::value &v, sl_value *out, int depth)
{
	ondemand::json_type type;
	ondemand::array arr;
	ondemand::object obj;
	bool b;

	if (depth > JSON_MAX_DEPTH || v.type().get(type) != SUCCESS)
		return STEP_REFUSED;
	switch (type) {
	case ondemand::json_type::array:
		if (v.get_array().get(arr) != SUCCESS)
			return STEP_REFUSED;
		return array(d, arr, out, depth);
	case ondemand::json_type::object:
		if (v.get_object().get(obj) != SUCCESS)
			return STEP_REFUSED;
		return object(d, obj, out, depth);
	case ondemand::json_type::number:
		return number(d, v, out);
	case ondemand::json_type::string:
		return string(d, v, out);
	case ondemand::json_type::boolean:
		if (v.get_bool().get(b) != SUCCESS)
			return STEP_REFUSED;
		*out = sl_value_bool(b);
		return STEP_OK;
	case ondemand::json_type::null:
		if (v.is_null().get(b) != SUCCESS || !b)
			return STEP_REFUSED;
		*out = sl_value_null();
		return STEP_OK;
	}
	return STEP_REFUSED;
}

/*
 * The one value of the wrapped document "[" record "]": a record that is
 * one scalar.  simdjson 3.0.1 reads a top-level scalar from a copy in a
 * fixed buffer, cutting a token as long as the buffer short instead of
 * refusing it ("falsex" reads as false, "-92023372036854775809" as
 * -9202337203685477580) and refusing one longer (a number followed by
 * many spaces): inside an array, a scalar is read in place.  "1, 2" would
 * make two items: exactly one is the record.
 */
step only_item(json_simd &d, ondemand::array arr, sl_value *out)
{
	size_t n = 0;
	step st;

	for (auto c : arr) {
		ondemand::value v;

		if (c.get(v) != SUCCESS || n++ > 0)
			return STEP_REFUSED;
		if ((st = value(d, v, out, 1)) != STEP_OK)
			return st;
	}
	return n == 1 ? STEP_OK : STEP_REFUSED;
}

/* The whole document, once (d.ints_as_real says how integers are read). */
step document(json_simd &d, sl_value *out)
{
	ondemand::document doc;
	ondemand::json_type type;
	ondemand::array arr;
	ondemand::object obj;
	step st;

	if (d.parser.iterate(d.copy, d.text_len, d.copy_cap).get(doc) != SUCCESS ||
	    doc.type().get(type) != SUCCESS)
		return STEP_REFUSED;
	if (type == ondemand::json_type::array) {
		if (doc.get_array().get(arr) != SUCCESS)
			return STEP_REFUSED;
		st = d.wrapped ? only_item(d, arr, out) : array(d, arr, out, 1);
	} else if (type == ondemand::json_type::object && !d.wrapped) {
		if (doc.get_object().get(obj) != SUCCESS)
			return STEP_REFUSED;
		st = object(d, obj, out, 1);
	} else {
		return STEP_REFUSED;
	}
	/* Only whitespace after the value: the iterator is at the end of the
	 * document (OUT_OF_BOUNDS), not at another token. */
	if (st == STEP_OK && doc.current_location().error() != OUT_OF_BOUNDS)
		return STEP_REFUSED;
	return st;
}

/* Give back buffers a large record made grow. */
void trim(json_simd &d)
{
	if (d.copy_cap > KEEP_BELOW) {
		std::free(d.copy);
		d.copy = nullptr;
		d.copy_cap = 0;
	}
	if (d.parser.capacity() > KEEP_BELOW)
		d.parser = ondemand::parser();
	if (d.items.cap * sizeof(sl_value) > KEEP_BELOW)
		d.items.release();
	if (d.members.cap * sizeof(sl_member) > KEEP_BELOW)
		d.members.release();
	if (d.slots_cap * sizeof(uint32_t) > KEEP_BELOW) {
		std::free(d.slots);
		d.slots = nullptr;
		d.slots_cap = 0;
	}
}

/* JSON whitespace. */
bool blank(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

} // namespace

extern "C" json_simd *json_simd_new(void)
{
	return new (std::nothrow) json_simd();
}

extern "C" void json_simd_free(json_simd *d)
{
	delete d;
}

extern "C" int json_simd_decode(json_simd *d, const uint8_t *data, size_t len,
				sl_arena *arena, sl_value *out)
{
	size_t i, need;
	step st;

	/* simdjson reads at most 4 GiB (and sl_value lengths are 32 bits) */
	if (len > 0xFFFFFFFFu - SIMDJSON_PADDING - 2)
		return JSON_SIMD_REFUSED;
	/* An array or an object is parsed as it is; anything else, wrapped
	 * in brackets (only_item() says why). */
	for (i = 0; i < len && blank(data[i]); i++)
		;
	d->wrapped = i == len || (data[i] != '[' && data[i] != '{');
	d->text_len = len + (d->wrapped ? 2 : 0);
	need = d->text_len + SIMDJSON_PADDING;
	if (d->copy_cap < need) {
		char *p = static_cast<char *>(std::malloc(need));

		if (p == nullptr)
			return JSON_SIMD_NOMEM;
		std::free(d->copy);
		d->copy = p;
		d->copy_cap = need;
	}
	d->text = d->copy + (d->wrapped ? 1 : 0);
	if (len > 0)
		std::memcpy(d->copy + (d->wrapped ? 1 : 0), data, len);
	if (d->wrapped) {
		d->copy[0] = '[';
		d->copy[len + 1] = ']';
	}
	std::memset(d->copy + d->text_len, 0, SIMDJSON_PADDING);
	d->arena = arena;
	d->data = data;
	d->ints_as_real = false;
	d->items.len = d->members.len = 0;
	st = document(*d, out);
	if (st == STEP_AS_REAL) {
		/* rare: what the first pass put in the arena stays unused */
		d->ints_as_real = true;
		d->items.len = d->members.len = 0;
		st = document(*d, out);
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
