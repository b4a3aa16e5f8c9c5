# Monitoring: capture throughput with metrics on against --no-metrics, same run.
.PHONY: bench-metrics
bench-metrics: deps
	tests/bench/metrics.sh
