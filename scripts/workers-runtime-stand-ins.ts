/**
 * Lets Node import the worker's modules, to generate from them at build time what the worker
 * would otherwise compute (`worker-assets.ts`): the runtime's own modules, which only workerd
 * has, resolve to stand-ins that load but do nothing. Nothing generated may call them.
 */
import { register } from "node:module";

/**
 * Each module the worker's code imports that only workerd can load, as a module exporting the
 * same names: the runtime's own, and worker-mailer (whose CommonJS build, the one Node loads,
 * requires `cloudflare:sockets`, out of these hooks' reach).
 */
const STAND_INS: Record<string, string> = {
  "cloudflare:workers": "export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }",
  "worker-mailer": 'export class WorkerMailer { static connect() { throw new Error("worker-mailer is a stand-in outside workerd"); } }',
};

/** Node module-resolution hooks (they run on Node's loader thread, hence a module of their own). */
const HOOKS = `
const STAND_INS = ${JSON.stringify(STAND_INS)};
export async function resolve(specifier, context, next) {
  if (Object.hasOwn(STAND_INS, specifier)) return { url: "data:text/javascript," + encodeURIComponent(STAND_INS[specifier]), shortCircuit: true };
  return next(specifier, context);
}`;

let registered = false;

/** From now on, this process imports the worker's modules with the runtime's stood in for. */
export function standInForWorkersRuntime(): void {
  if (registered) return;
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`);
  registered = true;
}
