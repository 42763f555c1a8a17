// Millisecond durations for log lines, rounded to a tenth.

export function elapsedMs(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
