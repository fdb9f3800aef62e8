/**
 * Measurements of the plane: JMH benchmarks of a sandboxed spawn, and whole-process programs for
 * job throughput, kill-switch latency and output floods, driven by {@code scripts/bench.sh}.
 */
package dev.localexec.bench;
