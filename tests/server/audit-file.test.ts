// The audit file attacked the way a hostile or careless deployment would: symlinks into other files, files
// others can read, hard links, FIFOs, kernel pseudo-files; then a disk that fails at write time. Real files and
// real descriptors throughout: /dev/full answers every write with ENOSPC, a FIFO fills up like a stuck disk.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { constants } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/errors.js";
import { type AuditRecord, type AuditSink, AuditTrail, type AuditWriteFailure } from "../../src/pipeline/audit.js";
import { fdSink, fileSink, openAuditFile } from "../../src/pipeline/audit-file.js";

/** The principal of a stdio session, as a record names it. */
const LOCAL = { subject: "local", client: null };

const folder = () => mkdtempSync(join(tmpdir(), "audit-file-"));

/** The one sentence openAuditFile refuses `path` with. */
function refusal(path: string): string {
  try {
    closeSync(openAuditFile(path));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    const problems = (error as ConfigurationError).problems;
    expect(problems).toHaveLength(1);
    return problems[0]!;
  }
  throw new Error(`${path} was accepted`);
}

function record(callId: string, tool = "get_customer"): AuditRecord {
  return {
    time: new Date(0).toISOString(),
    call_id: callId,
    method: "tools/call",
    principal: { subject: "local", client: null },
    client: null,
    tool,
    args_sha256: "0".repeat(64),
    args: {},
    decision: "allowed",
    outcome: "ok",
    error_code: null,
    latency_ms: 1,
    upstream_request_ids: [],
    idempotency_key: null,
    cache_hits: 0,
  };
}

describe("openAuditFile refuses files it must not write", () => {
  it("refuses a symbolic link and leaves the file it points to untouched", () => {
    const dir = folder();
    const victim = join(dir, "victim.txt");
    writeFileSync(victim, "precious\n", { mode: 0o600 });
    const link = join(dir, "audit.jsonl");
    symlinkSync(victim, link);
    expect(refusal(link)).toMatch(/is a symbolic link/);
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
  });

  it("refuses a dangling symbolic link instead of creating its target", () => {
    const dir = folder();
    const link = join(dir, "audit.jsonl");
    symlinkSync(join(dir, "elsewhere.jsonl"), link);
    expect(refusal(link)).toMatch(/symbolic link/);
    expect(() => statSync(join(dir, "elsewhere.jsonl"))).toThrow(/ENOENT/);
  });

  it.each([0o644, 0o640, 0o604, 0o620, 0o602])("refuses an existing file with mode 0%o, and does not change it", (mode) => {
    const path = join(folder(), "audit.jsonl");
    writeFileSync(path, "");
    chmodSync(path, mode);
    expect(refusal(path)).toMatch(new RegExp(`mode 0${mode.toString(8)}.*chmod 600`));
    expect(statSync(path).mode & 0o777).toBe(mode);
  });

  it("refuses a file with a second hard link (another name for some other file)", () => {
    const dir = folder();
    const other = join(dir, "other.log");
    writeFileSync(other, "", { mode: 0o600 });
    const path = join(dir, "audit.jsonl");
    linkSync(other, path);
    expect(refusal(path)).toMatch(/2 hard links/);
  });

  it("refuses a FIFO without waiting for a reader, and a folder", () => {
    const dir = folder();
    const fifo = join(dir, "audit.fifo");
    execFileSync("mkfifo", ["-m", "600", fifo]);
    expect(refusal(fifo)).toMatch(/FIFO or socket/);
    mkdirSync(join(dir, "sub"), { mode: 0o700 });
    expect(refusal(join(dir, "sub"))).toMatch(/is a folder|not a regular file/);
  });

  it.each(["/proc/self/attr/current", "/proc/self/coredump_filter", "/sys/kernel/notes", "/dev/full", "/dev/null", "/dev/shm/audit.jsonl"])(
    "refuses %s, a kernel pseudo-file, before opening it",
    (path) => {
      expect(refusal(path)).toMatch(/kernel pseudo-filesystem/);
    },
  );

  it("refuses /proc reached through a symlinked folder", () => {
    const dir = folder();
    symlinkSync("/proc/self", join(dir, "proc-link"));
    expect(refusal(join(dir, "proc-link", "coredump_filter"))).toMatch(/through a symbolic link/);
  });

  it("names the error code when the folder cannot be made", () => {
    const notAFolder = join(folder(), "file");
    writeFileSync(notAFolder, "");
    expect(refusal(join(notAFolder, "audit.jsonl"))).toMatch(/ENOTDIR|EEXIST/);
  });

  it("creates a new file 0600 in new 0700 folders, and accepts an existing 0600 file", () => {
    const dir = folder();
    const path = join(dir, "a", "b", "audit.jsonl");
    closeSync(openAuditFile(path));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "a")).mode & 0o777).toBe(0o700);
    closeSync(openAuditFile(path));
  });
});

describe("audit file writes that fail", () => {
  it("a full disk (ENOSPC from /dev/full) throws from write: the record is not reported as written", () => {
    const sink = fdSink(openSync("/dev/full", "w"));
    expect(() => sink.write(record("c1"))).toThrow(expect.objectContaining({ code: "ENOSPC" }));
  });

  it("a descriptor that takes no more data gives up after a few tries instead of spinning, and the next record starts on a new line", async () => {
    // A FIFO opened read-write and non-blocking: writes fill its 64 KiB buffer, then fail with EAGAIN, as a stuck
    // disk would. A record larger than the buffer is cut part-way.
    const fifo = join(folder(), "stuck.fifo");
    execFileSync("mkfifo", ["-m", "600", fifo]);
    const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    const sink = fdSink(fd);
    const started = performance.now();
    expect(() => sink.write(record("big", "x".repeat(200_000)))).toThrow(/no data|EAGAIN/);
    expect(performance.now() - started).toBeLessThan(1_000);
    // Drain what was taken (the fragment), then write a small record: it begins with a newline.
    const buffer = Buffer.alloc(1 << 20);
    const fragment = buffer.subarray(0, readSync(fd, buffer)).toString("utf8");
    expect(fragment.length).toBeGreaterThan(0);
    expect(fragment.endsWith("\n")).toBe(false);
    sink.write(record("next"));
    const after = buffer.subarray(0, readSync(fd, buffer)).toString("utf8");
    expect(after.startsWith("\n")).toBe(true);
    expect(JSON.parse(after.trim())).toMatchObject({ call_id: "next" });
    await sink.close();
  });
});

/** A sink over a real descriptor that can be switched between /dev/full (disk full) and a real file. */
function switchableSink(path: string): AuditSink & { fail(on: boolean): void } {
  const good = fileSink(path);
  const full = fdSink(openSync("/dev/full", "w"));
  let failing = false;
  return {
    name: "file",
    fail: (on) => {
      failing = on;
    },
    write: (r) => (failing ? full : good).write(r),
    close: async () => {
      await good.close();
      await full.close();
    },
  };
}

describe("AuditTrail health", () => {
  it("turns unhealthy on a failed write, reports every lost record by call id, still feeds the other sinks, and recovers", async () => {
    const path = join(folder(), "audit.jsonl");
    const file = switchableSink(path);
    const stderr: AuditRecord[] = [];
    const failures: AuditWriteFailure[] = [];
    const recoveries: Array<{ sink: string; failedRecords: number }> = [];
    const trail = new AuditTrail(
      [{ name: "stderr", write: (r) => void stderr.push(r), close: async () => {} }, file],
      { onWriteFailed: (failure) => failures.push(failure), onRecovered: (recovery) => recoveries.push(recovery) },
    );
    const call = (callId: string) =>
      trail.begin({ callId, method: "tools/call", target: { tool: "get_customer" }, arguments: {}, principal: LOCAL }).finish({ outcome: "ok" });

    call("before");
    expect(trail.healthy).toBe(true);
    file.fail(true);
    call("lost-1");
    call("lost-2");
    expect(trail.healthy).toBe(false);
    expect(failures.map((f) => [f.sink, f.callId, f.failedRecords, (f.error as { code?: string }).code])).toEqual([
      ["file", "lost-1", 1, "ENOSPC"],
      ["file", "lost-2", 2, "ENOSPC"],
    ]);
    file.fail(false);
    call("after");
    expect(trail.healthy).toBe(true);
    expect(recoveries).toEqual([{ sink: "file", failedRecords: 2 }]);
    // stderr got every record; the file every record it could take.
    expect(stderr.map((r) => r.call_id)).toEqual(["before", "lost-1", "lost-2", "after"]);
    const inFile = readFileSync(path, "utf8").trim().split("\n").map((line) => (JSON.parse(line) as AuditRecord).call_id);
    expect(inFile).toEqual(["before", "after"]);
    await trail.close();
  });

  it("a reporter that throws does not stop the record reaching the next sink", () => {
    const later: AuditRecord[] = [];
    const trail = new AuditTrail(
      [
        { name: "broken", write: () => { throw new Error("EIO"); }, close: async () => {} },
        { name: "stderr", write: (r) => void later.push(r), close: async () => {} },
      ],
      { onWriteFailed: () => { throw new Error("reporter bug"); } },
    );
    trail.begin({ callId: "c", method: "tools/call", target: { tool: "t" }, arguments: {}, principal: LOCAL }).finish({ outcome: "ok" });
    expect(later).toHaveLength(1);
    expect(trail.healthy).toBe(false);
  });
});
