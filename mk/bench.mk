# Benchmarks and the soak run (tests/bench/, figures in docs/BENCHMARKS.md). None runs in
# `make test`: they take from minutes to over an hour and their figures depend on the machine.
#   make bench          the whole benchmark set (tests/bench/all.sh), an hour or more
#   make soak           30 min at 500 req/s with a flapping forward target (tests/bench/soak.sh);
#                       SOAK=5m make soak for a shorter one
#   make bench-metrics  capture throughput with metrics on against --no-metrics, same run

.PHONY: bench soak bench-metrics

bench: deps
	tests/bench/all.sh

soak: deps
	tests/bench/soak.sh

bench-metrics: deps
	tests/bench/metrics.sh
