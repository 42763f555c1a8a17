// Export files (CSV with a header row, or JSON Lines) as the model may see them. The API decides their columns,
// so masking goes by what each column or key is called (piiFieldOf), not by what its values look like: a tax id
// or a birth date looks like any other number or date. Every cell is sanitized (bidi controls, zero-width and
// tag characters removed) for every caller; without customers:pii, PII columns are masked and emails and phone
// numbers inside other cells too. Row order, line endings and the header are kept.
import { MASK, MASKED_DATE_OF_BIRTH, MASKERS, type PiiField, piiFieldOf, redactPiiInText } from "./pii.js";
import { sanitizeText } from "./untrusted.js";

export function presentExportFile(text: string, format: "csv" | "jsonl", maskPii: boolean): string {
  return format === "csv" ? presentCsv(text, maskPii) : presentJsonLines(text, maskPii);
}

function cellText(value: string, field: PiiField | undefined, maskPii: boolean): string {
  const clean = sanitizeText(value);
  if (!maskPii || clean === "") return clean;
  return field ? MASKERS[field](clean) : redactPiiInText(clean);
}

// ---- CSV (RFC 4180: quoted cells may hold commas, quotes as "" and line breaks) ------------------------------

interface CsvRow {
  cells: string[];
  /** The row's line ending as it was ("\r\n", "\n", or "" for a last row without one). */
  end: string;
}

/** Splits a CSV file into rows of cells. Never throws: an unterminated quote runs to the end of the file. */
export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (quoted) {
      if (char !== '"') cell += char;
      else if (text[i + 1] === '"') {
        cell += '"';
        i++;
      } else quoted = false;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      cells.push(cell);
      cell = "";
    } else if (char === "\n" || (char === "\r" && text[i + 1] === "\n")) {
      const end = char === "\r" ? "\r\n" : "\n";
      if (char === "\r") i++;
      cells.push(cell);
      rows.push({ cells, end });
      cells = [];
      cell = "";
    } else cell += char;
  }
  if (cell !== "" || cells.length > 0) {
    cells.push(cell);
    rows.push({ cells, end: "" });
  }
  return rows;
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function presentCsv(text: string, maskPii: boolean): string {
  const [header, ...rows] = parseCsv(text);
  if (!header) return "";
  const fields = header.cells.map((name) => piiFieldOf(name));
  const headerLine = header.cells.map((name) => csvCell(sanitizeText(name))).join(",") + header.end;
  const lines = rows.map(
    (row) => row.cells.map((value, i) => csvCell(cellText(value, fields[i], maskPii))).join(",") + row.end,
  );
  return headerLine + lines.join("");
}

// ---- JSON Lines -------------------------------------------------------------------------------------------

function presentJsonValue(value: unknown, field: PiiField | undefined, maskPii: boolean): unknown {
  if (maskPii && field && value !== null && value !== undefined) {
    if (typeof value === "string") return value === "" ? value : MASKERS[field](sanitizeText(value));
    return field === "date_of_birth" ? MASKED_DATE_OF_BIRTH : MASK;
  }
  if (typeof value === "string") return cellText(value, undefined, maskPii);
  if (Array.isArray(value)) return value.map((item) => presentJsonValue(item, field, maskPii));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    out[sanitizeText(key)] = presentJsonValue(item, piiFieldOf(key), maskPii);
  }
  return out;
}

function presentJsonLines(text: string, maskPii: boolean): string {
  return text.replace(/([^\n]*)(\n|$)/g, (_whole, line: string, end: string) => {
    if (line === "" && end === "") return "";
    const body = line.endsWith("\r") ? line.slice(0, -1) : line;
    const lineEnd = (line.endsWith("\r") ? "\r" : "") + end;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      // Not JSON (a broken line from the API): shown as text, cleaned and masked like any other cell.
      return cellText(body, undefined, maskPii) + lineEnd;
    }
    return JSON.stringify(presentJsonValue(parsed, undefined, maskPii)) + lineEnd;
  });
}
