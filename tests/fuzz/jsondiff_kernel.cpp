/*
 * jsondiff_kernel.cpp - which simdjson kernel fuzz_jsondiff runs, for
 * tests/fuzz/jsondiff.test alone (the plugin never chooses one: simdjson
 * does, from the CPU, at run time).
 *
 * What the kernel changes, with simdjson 3.0.1: the DOM parser's two
 * passes (the structural index, and the tape of parsed numbers, strings
 * and containers) run in the dom_parser_implementation that dom::parser
 * takes from get_active_implementation() when it first allocates: the
 * best kernel this CPU runs (icelake, haswell, westmere, fallback; arm64
 * or ppc64 elsewhere).  The decoder's answers must not depend on the
 * kernel, so the test runs the target once per kernel this machine can
 * run.  The plugin shares libsimdjson's active implementation with the
 * target, so both decoders run the kernel chosen here.
 */
#include <cstdio>

#include <simdjson.h>

extern "C" {
int jsondiff_kernels(FILE *out);
int jsondiff_use_kernel(const char *name);
const char *jsondiff_active_kernel(void);
}

/* Print the kernels this CPU runs, one a line, best first. */
extern "C" int jsondiff_kernels(FILE *out)
{
	for (auto impl : simdjson::get_available_implementations())
		if (impl->supported_by_runtime_system() &&
		    std::fprintf(out, "%s\n", impl->name().c_str()) < 0)
			return -1;
	return 0;
}

/* Make @p name the active kernel: 0, or -1 when this CPU cannot run it. */
extern "C" int jsondiff_use_kernel(const char *name)
{
	const simdjson::implementation *impl =
		simdjson::get_available_implementations()[name];

	if (impl == nullptr || !impl->supported_by_runtime_system())
		return -1;
	simdjson::get_active_implementation() = impl;
	return 0;
}

extern "C" const char *jsondiff_active_kernel(void)
{
	static std::string name;

	name = simdjson::get_active_implementation()->name();
	return name.c_str();
}
