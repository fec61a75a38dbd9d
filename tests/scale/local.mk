# Scale-out: several instances of one job, repartition topics, bounded
# runs across a consumer group (real broker; the longest first).
SCALE_TESTS = \
	tests/scale/scale_chaos.test \
	tests/scale/idle_broker_outage.test \
	tests/scale/idle_empty_partition.test \
	tests/scale/bounded_finished.test \
	tests/scale/align_at_end.test \
	tests/scale/eos_end_outage.test \
	tests/scale/bounded_after_kill.test \
	tests/scale/alo_kill_hop.test \
	tests/scale/repartition.test \
	tests/scale/repartition_packs.test \
	tests/scale/eos_pack_abort.test \
	tests/scale/bounded_sources.test \
	tests/scale/eos_instances.test \
	tests/scale/event_time_align.test \
	tests/scale/idle_many_partitions.test \
	tests/scale/read_ahead_memory.test
TESTS += $(SCALE_TESTS)
EXTRA_DIST += $(SCALE_TESTS) tests/scale/scale_lib.sh
check_PROGRAMS += tests/scale/group-lag
tests_scale_group_lag_SOURCES = tests/scale/group-lag.c
tests_scale_group_lag_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS)
tests_scale_group_lag_LDADD = $(RDKAFKA_LIBS)
bench_scripts += tests/scale/bench.sh
