// A bench-only worker for `npm run bench:isolate`: calls stepgate's and the bare proxy's own
// `fetch` many times inside one request, with the origin replaced by a stub answering at once,
// so that what is left is each worker's own JavaScript (no sockets, no load generator, no origin).
import stepgate from "./.build/stepgate/index.js";
import bare from "./.build/bare/bare-proxy.js";

export { TenantState, UserState } from "./.build/stepgate/index.js";

globalThis.fetch = async () => new Response('{"ok":true}', { headers: { "Content-Type": "application/json" } });
const ctx = { waitUntil() {}, passThroughOnException() {} };

export default {
  async fetch(request, env) {
    const { worker, method, path, headers, body, times } = await request.json();
    const app = worker === "bare" ? bare : stepgate;
    const statuses = new Set();
    for (let i = 0; i < times; i++) {
      const response = await app.fetch(new Request(`http://127.0.0.1${path}`, { method, headers, body }), env, ctx);
      statuses.add(response.status);
    }
    return Response.json({ statuses: [...statuses] });
  },
};
