// The shape of docs/benchmarks.json. Times in milliseconds, memory in MiB (2^20 bytes), rates in calls per second.
import type { ProjectionResult } from "./projection.js";

export interface ColdStartVariant {
  key: string;
  label: string;
  runs: number;
  /** Median spawn → `initialize` answered (for bare node: spawn → exit). */
  initMs: number;
  /**
   * Median CPU time used by then (user + system, all threads; 10 ms resolution): steadier than wall time on a
   * busy machine.
   */
  cpuMs: number | null;
  /** Median spawn → first `tools/list` answered. */
  listMs: number | null;
  /** Median resident set size right after that `tools/list`. */
  rssMb: number | null;
  initMsAll: number[];
}

export interface LatencySummary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** One kind of call at one concurrency: medians over the repetitions. */
export interface PhaseSummary {
  runs: number;
  calls: number;
  callsPerSecond: number;
  p50: number;
  p99: number;
  callsPerSecondAll: number[];
  /** Median CPU time per call of each process (ms; /proc, 10 ms resolution over the whole run). */
  cpuPerCallMs: { harness: number | null; server: number | null; sandbox: number | null };
}

export interface Target {
  name: string;
  target: string;
  measured: string;
  met: boolean;
  note: string;
}

export interface BenchResults {
  quick: boolean;
  command: string;
  note: string | null;
  machine: {
    cpu: string;
    cores: number;
    node: string;
    os: string;
    date: string;
    loadAverageAtStart: number[];
    loadAverageAtEnd: number[];
    /** Absent in results from before they were recorded. */
    memoryMb?: number;
    /** V8's default heap limit for a node process on this machine (it scales with the memory). */
    v8HeapLimitMb?: number;
  };
  settings: Record<string, unknown>;
  build: { bundleMs: number; tscMs: number };
  coldStart: ColdStartVariant[];
  cacheEffect: {
    lookups: number;
    upstreamCacheOn: number;
    upstreamCacheOff: number;
    /** Per cache-off throughput run: upstream requests per call (1 = nothing merged, retried or lost). */
    upstreamPerCacheOffCall: number[];
  };
  sequential: {
    rounds: number;
    cacheOff: LatencySummary;
    direct: LatencySummary;
    cacheWarm: LatencySummary;
    echo: LatencySummary;
  };
  concurrency: Array<{
    concurrency: number;
    cacheOff: PhaseSummary;
    direct: PhaseSummary;
    cacheWarm: PhaseSummary;
    echo: PhaseSummary;
  }>;
  /** The server's soak. */
  soak: SoakResult;
  /** The same soak against the minimal server's echo tool: what the runtime alone does to RSS. */
  soakFloor: SoakResult;
  projection: ProjectionResult;
  targets: Target[];
  /** Wall time of the run, build included, without the optional --compare-tsc part. */
  totalSeconds: number;
  /** Wall time of the optional --compare-tsc part (tsc build and its cold starts). */
  optionalSeconds: number;
}

export interface SoakResult {
  calls: number;
  errors: number;
  firstError: string | null;
  seconds: number;
  callsPerSecond: number;
  timedOut: boolean;
  warmupCalls: number;
  /** Upstream requests during the soak (null for the echo floor, which has no upstream). */
  upstreamRequests: number | null;
  rssAfterStartMb: number;
  rssAfterWarmupMb: number;
  rssEndMb: number;
  growthAfterWarmupMb: number;
  growthFromStartMb: number;
  /** Live JS heap right after a full GC, after the warm-up and at the end, and the difference. */
  liveHeapAfterWarmupMb: number;
  liveHeapEndMb: number;
  liveHeapGrowthMb: number;
  /** RSS right after that last full GC (absent in results from before it was measured). */
  rssAfterFullGcEndMb?: number;
  samples: Array<{ calls: number; rssMb: number }>;
}
