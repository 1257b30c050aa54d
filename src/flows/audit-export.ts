/**
 * @module
 * The tenant's audit trail as a file: every entry a filter selects, as CSV (RFC 4180, for a
 * spreadsheet) or NDJSON (one JSON entry a line, as the API shows them, for scripts), streamed
 * in batches as the client reads, so a trail of any length never sits in memory. The admin API
 * (`GET /audit/export`) and the console's Activity page answer with the same file.
 */
import { csvRecord } from "../lib/csv";
import type { TenantAuditEntry } from "../state/tenant/views";
import { type AuditFilter, auditBatches } from "./audit-trail";

export const AUDIT_EXPORT_FORMATS = ["csv", "ndjson"] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

/** Entries read from the tenant's object per step of the stream. */
export const EXPORT_BATCH_ENTRIES = 500;

/** The CSV's columns: the API entry's fields, `detail` as JSON. */
const CSV_COLUMNS = ["seq", "at", "type", "user", "actor", "ip", "userAgent", "detail"] as const;

const MEDIA: Readonly<Record<AuditExportFormat, string>> = {
  csv: "text/csv; charset=utf-8",
  ndjson: "application/x-ndjson",
};

const LINE: Readonly<Record<AuditExportFormat, (entry: TenantAuditEntry) => string>> = {
  csv: (e) => csvRecord([e.seq, e.at, e.type, e.user, e.actor, e.ip, e.userAgent, JSON.stringify(e.detail)]),
  ndjson: (e) => `${JSON.stringify(e)}\n`,
};

/**
 * The download, as a response. The first batch is read before answering, so a trail that cannot
 * be read is a 503 problem, not a file cut short; a failure later ends the stream with an error.
 * @example
 * return auditExport(c.env, tenantId, { type: "verify.*" }, "csv");
 */
export async function auditExport(env: Env, tenantId: string, filter: AuditFilter, format: AuditExportFormat, now = new Date()): Promise<Response> {
  const batches = auditBatches(env, tenantId, filter, EXPORT_BATCH_ENTRIES);
  const encoder = new TextEncoder();
  const line = LINE[format];
  let pending: IteratorResult<TenantAuditEntry[]> | null = await batches.next();
  const header = format === "csv" ? csvRecord(CSV_COLUMNS) : "";
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (header) controller.enqueue(encoder.encode(header));
    },
    async pull(controller) {
      const next = pending ?? (await batches.next());
      pending = null;
      if (next.done) return controller.close();
      controller.enqueue(encoder.encode(next.value.map(line).join("")));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": MEDIA[format],
      "Content-Disposition": `attachment; filename="${exportFileName(tenantId, format, now)}"`,
      "Cache-Control": "no-store",
    },
  });
}

/**
 * `stepgate-audit-<tenant>-<time>.<format>`, in the characters every system's file names take.
 * @example
 * exportFileName("acme", "csv", new Date("2026-11-02T14:00:00Z")) // "stepgate-audit-acme-20261102T140000Z.csv"
 */
export function exportFileName(tenantId: string, format: AuditExportFormat, now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+/, "").replace(/[-:]/g, "");
  return `stepgate-audit-${tenantId.replace(/[^\w-]/g, "_")}-${stamp}.${format}`;
}
