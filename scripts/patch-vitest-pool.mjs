/**
 * Fixes a bug in `@cloudflare/vitest-pool-workers` 0.15.1 that makes every test file slower with
 * each request it makes (`npm install` runs this as `postinstall`; running it again changes nothing).
 *
 * The pool wraps the worker's default export and each Durable Object class in a class whose
 * prototype is a `Proxy`, installed on construction, and installed again on every construction:
 * each new layer wraps the one before (cloudflare/workers-sdk#15092). workerd constructs the
 * wrapper for every `SELF.fetch` and every Durable Object it starts, and each property read
 * walks every layer, so a request's cost grows with the requests made before it in the file.
 * test/pages/every-language.test.ts makes thousands: its first language took 1.5 s, its
 * fifteenth 50 s. The fix is upstream's (cloudflare/workers-sdk#15106, in the renamed
 * `@cloudflare/vitest-plugin`, which needs Node 22): install the proxy once.
 *
 *   node scripts/patch-vitest-pool.mjs
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const FILE = fileURLToPath(new URL("../node_modules/@cloudflare/vitest-pool-workers/dist/worker/lib/cloudflare/test-internal.mjs", import.meta.url));
/** The constructor as 0.15.1 has it: each construction wraps the prototype (the previous proxy) again. */
const STACKING = "\tfunction Class(...args) {\n\t\tClass.prototype = new Proxy(Class.prototype, {";
/** The same, wrapping it on the first construction only (later ones share that prototype). */
const ONCE = "\tlet proxy;\n\tfunction Class(...args) {\n\t\tif (proxy === void 0) Class.prototype = proxy = new Proxy(Class.prototype, {";

// Installed without dev dependencies (a deployment): nothing to fix.
if (existsSync(FILE)) {
  const source = readFileSync(FILE, "utf8");
  if (source.includes(STACKING)) {
    writeFileSync(`${FILE}.tmp`, source.replace(STACKING, ONCE));
    renameSync(`${FILE}.tmp`, FILE);
  } else if (!source.includes(ONCE)) {
    console.warn(`${fileURLToPath(import.meta.url)}: ${FILE} has changed; if it installs its prototype proxy once (workers-sdk#15092), remove this script.`);
  }
}
