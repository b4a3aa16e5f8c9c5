# Proof part A: benchmarks and the soak run (tests/bench/). Neither runs in `make test`:
# they take from half an hour to over an hour and their figures depend on the machine.
#   make bench   the whole benchmark set (tests/bench/all.sh), an hour or more
#   make soak    30 min at 500 req/s with a flapping forward target (tests/bench/soak.sh);
#                SOAK=5m make soak for a shorter one

.PHONY: soak

soak: deps
	tests/bench/soak.sh
