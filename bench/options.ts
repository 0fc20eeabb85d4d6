// Shared bench settings: BENCH_SMOKE=1 (npm run bench:smoke, run by CI) runs every benchmark once, on the
// smaller sizes only, so that the benchmarks cannot rot; the figures it prints mean nothing.
export const SMOKE = process.env.BENCH_SMOKE === '1';

/** benchOptions are vitest bench options: the defaults, or a single iteration when smoking. */
export const benchOptions = SMOKE ? { time: 0, iterations: 1, warmupTime: 0, warmupIterations: 0 } : {};
