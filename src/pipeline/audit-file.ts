// The audit file (CUSTOMER_MCP_AUDIT_FILE): opened once at startup only if it is a private regular file of its
// own, then written with plain synchronous writes in a bounded loop, so a failing disk is reported as a thrown
// error (the trail turns unhealthy and writes are refused) instead of a spinning retry or a silent loss.
import { closeSync, constants, fstatSync, mkdirSync, openSync, realpathSync, statfsSync, writeSync } from "node:fs";
import { dirname, resolve, sep } from "node:path";
import { ConfigurationError } from "../errors.js";
import type { AuditRecord, AuditSink } from "./audit.js";

/** Kernel pseudo-filesystems: their files look regular but are not storage (a write can block, spin or act). */
const PSEUDO_ROOTS = ["/proc", "/sys", "/dev"];
/** statfs magic numbers of pseudo-filesystems, for one mounted somewhere else (linux/magic.h). */
const PSEUDO_FS_TYPES = new Map<number, string>([
  [0x9fa0, "procfs"],
  [0x62656572, "sysfs"],
  [0x64626720, "debugfs"],
  [0x74726163, "tracefs"],
  [0x27e0eb, "cgroup"],
  [0x63677270, "cgroup2"],
  [0x73636673, "securityfs"],
  [0xcafe4a11, "bpf"],
  [0x1cd1, "devpts"],
  [0x6165676c, "pstore"],
  [0x42494e4d, "binfmt_misc"],
  [0x50495045, "pipefs"],
]);
/** Writes that make no progress (0 bytes or EAGAIN) before the record is given up as not written. */
const MAX_STALLED_WRITES = 8;
const POSIX = process.platform !== "win32";

function refuse(path: string, problem: string): never {
  throw new ConfigurationError([`CUSTOMER_MCP_AUDIT_FILE (${path}) ${problem}.`]);
}

function underPseudoRoot(path: string): string | undefined {
  return PSEUDO_ROOTS.find((root) => path === root || path.startsWith(`${root}${sep}`));
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "error";
}

/**
 * Opens the audit file for appending, or throws a ConfigurationError with one sentence saying why not. Refused:
 * paths on /proc, /sys, /dev or another pseudo-filesystem; a symbolic link (the last component is opened with
 * O_NOFOLLOW); anything but a regular file (a FIFO is opened non-blocking, so it fails instead of waiting for a
 * reader); a file with more than one hard link; and on POSIX a file another user owns or that group or others may
 * read or write. A new file is created 0600 and missing folders 0700.
 */
export function openAuditFile(path: string): number {
  const absolute = resolve(path);
  const lexical = underPseudoRoot(absolute);
  if (POSIX && lexical) refuse(path, `is on ${lexical}, a kernel pseudo-filesystem; choose a file on a real disk`);
  const folder = dirname(absolute);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  } catch (error) {
    refuse(path, `cannot be created: its folder cannot be made (${codeOf(error)})`);
  }
  if (POSIX) {
    const realFolder = realpathSync(folder);
    const real = underPseudoRoot(realFolder);
    if (real) refuse(path, `is on ${real} (through a symbolic link), a kernel pseudo-filesystem; choose a file on a real disk`);
    const type = PSEUDO_FS_TYPES.get(Number(statfsSync(realFolder).type));
    if (type) refuse(path, `is on a ${type} filesystem, not a real disk; choose another file`);
  }
  let fd: number;
  try {
    // O_NOFOLLOW and O_NONBLOCK are 0 where the platform lacks them (Windows).
    const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT
      | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
    fd = openSync(absolute, flags, 0o600);
  } catch (error) {
    const code = codeOf(error);
    if (code === "ELOOP") refuse(path, "is a symbolic link; give the path of the file itself");
    if (code === "ENXIO") refuse(path, "is a FIFO or socket, not a regular file");
    if (code === "EISDIR") refuse(path, "is a folder; give the path of a file in it");
    refuse(path, `cannot be opened for appending (${code})`);
  }
  try {
    checkOpenedFile(fd, path);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

function checkOpenedFile(fd: number, path: string): void {
  const stat = fstatSync(fd);
  if (!stat.isFile()) refuse(path, "is not a regular file");
  if (stat.nlink > 1) refuse(path, `has ${stat.nlink} hard links; the audit file must not be another file's name`);
  if (!POSIX) return;
  const uid = process.geteuid?.();
  if (uid !== undefined && stat.uid !== uid) refuse(path, `belongs to user ${stat.uid}, not to the user running the server (${uid})`);
  const mode = stat.mode & 0o777;
  // Refused rather than fixed: the records may already have been read, and a group mode may be a deliberate
  // choice (a log shipper) that only the operator can weigh against the records' sensitivity.
  if ((mode & 0o077) !== 0) {
    refuse(path, `has mode 0${mode.toString(8)}, so other users may read or change it; run chmod 600 on it or choose a new file`);
  }
}

/** Writes all of `data` at the end of `fd`, or throws. A write that makes no progress is retried a few times only. */
function writeWhole(fd: number, data: Buffer): void {
  let offset = 0;
  let stalls = 0;
  while (offset < data.length) {
    let written = 0;
    try {
      written = writeSync(fd, data, offset);
    } catch (error) {
      if (codeOf(error) !== "EAGAIN") throw Object.assign(error as Error, { bytesWritten: offset });
    }
    if (written > 0) {
      offset += written;
      stalls = 0;
    } else if (++stalls >= MAX_STALLED_WRITES) {
      throw Object.assign(new Error(`the audit file took no data after ${stalls} writes`), { code: "EAGAIN", bytesWritten: offset });
    }
  }
}

/**
 * A sink appending one JSON line per record to an open file descriptor. `write` throws when the record was not
 * written whole (ENOSPC, EIO, ...). A record cut off part-way leaves a fragment; the next record then starts on a
 * new line, so the fragment stays one unparseable line and never corrupts the record after it.
 */
export function fdSink(fd: number, name = "file"): AuditSink {
  let torn = false;
  let closed = false;
  return {
    name,
    write(record: AuditRecord) {
      if (closed) throw new Error("the audit file is closed");
      const data = Buffer.from(`${torn ? "\n" : ""}${JSON.stringify(record)}\n`, "utf8");
      try {
        writeWhole(fd, data);
        torn = false;
      } catch (error) {
        if (((error as { bytesWritten?: number }).bytesWritten ?? 0) > 0) torn = true;
        throw error;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}

/** The audit file as a sink: `openAuditFile` at once (throwing at startup), then `fdSink`. */
export function fileSink(path: string): AuditSink {
  return fdSink(openAuditFile(path));
}
