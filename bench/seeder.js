// A bench-only worker that fills the tenant's directory with 100,000 users through the tenant
// object's own RPC method, inside workerd (fast), before the directory page is measured.
export default {
  async fetch(request, env) {
    const { tenantId, count } = await request.json();
    const tenant = env.TENANTS.get(env.TENANTS.idFromName(tenantId));
    const now = Date.now();
    for (let i = 0; i < count; i += 500) {
      const batch = [];
      for (let j = i; j < Math.min(count, i + 500); j++) {
        const id = `user-${String(j).padStart(6, "0")}`;
        batch.push(
          tenant.updateDirectory(tenantId, {
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
          }),
        );
      }
      await Promise.all(batch);
    }
    return new Response("seeded");
  },
};
