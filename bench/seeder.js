// A bench-only worker that fills the tenant's directory with 100,000 users through the tenant
// object's own RPC method, inside workerd (fast), before the directory page is measured: the
// directory rows arrive as the event stream delivers them (`storeEvents` with `directory`
// messages, as src/state/events.ts defines them), 500 to a call.
export default {
  async fetch(request, env) {
    const { tenantId, count } = await request.json();
    const tenant = env.TENANTS.get(env.TENANTS.idFromName(tenantId));
    const now = Date.now();
    for (let i = 0; i < count; i += 500) {
      const messages = [];
      for (let j = i; j < Math.min(count, i + 500); j++) {
        const id = `user-${String(j).padStart(6, "0")}`;
        messages.push({
          kind: "directory",
          // A made-up user object id (hex), as `directoryEventId` builds them.
          id: `d-${j.toString(16).padStart(8, "0")}-1`,
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
        });
      }
      await tenant.storeEvents(tenantId, messages);
    }
    return new Response("seeded");
  },
};
