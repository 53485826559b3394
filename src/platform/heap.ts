// How far the V8 heap may grow past what a full GC found live. V8's own policy grows it by up to 4×
// while the process is busy, so a server with ≈ 35–50 MB live sat on 190–240 MB of RSS, most of it
// garbage not yet collected (bench/README.md, "Memory"). A fixed factor bounds the footprint without a
// hard cap: the heap still grows to whatever is live (a hard --max-old-space-size would end the process
// instead), and full GCs come more often, at no throughput measured in the bench.
import v8 from 'node:v8';

/**
 * After each full GC the heap may grow by `percent` % of the live data before the next one. Set at
 * run time: V8 reads the factor when it sizes the heap after every full GC, so the flag applies from
 * the next GC on, as it would from the command line. 0 leaves V8's own policy.
 */
export function applyHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
