// A bench-only worker that fills a tenant's object through its own RPC methods, inside workerd
// (fast), before its pages are measured: `{ tenantId, count }` stores `count` users in the
// directory (as the event stream's directory changes do); `kind: "audit"` stores `count` audit
// entries (as the stream's `verify.ok` events); `kind: "sends"` counts `count` code sends, and
// `kind: "timed-sends"` counts `count` more one after another, answering the mean milliseconds
// per call (workerd's clock moves on I/O only: a call to the object is I/O, so the mean over
// many calls is exact enough); `kind: "publish"` sends `count` of those `verify.ok` events to the
// event stream's queue (`EVENTS`), as the users' objects publish them, answering when the queue took them. `from` continues numbering after rows stored before; `batch` is
// how many go in one call (500 by default; the events consumer's calls carry up to 100).
const HEX = "b".repeat(64);

function directoryChange(tenantId, j, now, count) {
  const id = `user-${String(j).padStart(7, "0")}`;
  return {
    kind: "directory",
    id: `d-${HEX}-${j + 1}`,
    tenantId,
    row: {
      userId: id,
      email: `${id}@bench.test`,
      factors: j % 3 === 0 ? [] : j % 3 === 1 ? ["totp"] : ["sms", "email"],
      pendingUntil: 0,
      required: j % 10 === 0 ? true : null,
      lockedUntil: 0,
      enrolledAt: j % 3 === 0 ? null : now - j * 1000,
      firstSeenAt: now - j * 1000,
      lastSeenAt: now - ((j * 7919) % count) * 1000,
      version: 1,
    },
  };
}

function verifyEvent(tenantId, j, now) {
  return {
    kind: "event",
    id: `u-${HEX}-${j + 1}`,
    tenantId,
    type: "verify.ok",
    at: new Date(now - j).toISOString(),
    userId: `user-${String(j % 1_000_000).padStart(7, "0")}`,
    actor: null,
    ip: `198.18.${(j >> 8) & 255}.${j & 255}`,
    userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    city: "Frankfurt am Main",
    country: "DE",
    detail: { factor: "totp", operation: "withdraw", approving: [{ field: "amount", value: "2,500.00 USD" }] },
  };
}

export default {
  async fetch(request, env) {
    const { tenantId, count, from = 0, kind = "directory", batch = 500 } = await request.json();
    const tenant = env.TENANTS.get(env.TENANTS.idFromName(tenantId));
    const now = Date.now();
    if (kind === "timed-sends") {
      const started = Date.now();
      for (let j = from; j < from + count; j++) await tenant.takeSend(`ip:198.19.${(j >> 8) & 255}.${j & 255}`, 1e9, 1e9);
      return Response.json({ msPerCall: (Date.now() - started) / count });
    }
    if (kind === "publish") {
      // One sendBatch takes at most 100 messages.
      for (let i = from; i < from + count; i += 100) {
        const events = [];
        for (let j = i; j < Math.min(from + count, i + 100); j++) events.push({ body: verifyEvent(tenantId, j, now), contentType: "json" });
        await env.EVENTS.sendBatch(events);
      }
      return new Response("published");
    }
    for (let i = from; i < from + count; i += batch) {
      const end = Math.min(from + count, i + batch);
      if (kind === "sends") {
        const sends = [];
        for (let j = i; j < end; j++) sends.push(tenant.takeSend(`ip:198.18.${(j >> 8) & 255}.${j & 255}`, 1e9, 1e9));
        await Promise.all(sends);
        continue;
      }
      const messages = [];
      for (let j = i; j < end; j++) messages.push(kind === "audit" ? verifyEvent(tenantId, j, now) : directoryChange(tenantId, j, now, from + count));
      await tenant.storeEvents(tenantId, messages);
    }
    return new Response("seeded");
  },
};
