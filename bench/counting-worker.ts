/**
 * @module
 * stepgate as `npm run bench` counts it: the production worker and its two Durable Object
 * classes, given bindings that count (bench/counting-env.ts), every answer carrying the isolate's
 * running totals in `StepGate-Calls: kv=<reads>;do=<calls>`. Built beside the production bundle
 * (bench/build.ts) and run as its own instance; the timed instances run the production bundle.
 */
import stepgate, { TenantState as ProductionTenantState, UserState as ProductionUserState } from "../src/index";
import { type CallCounts, countingEnv } from "./counting-env";

/** The isolate's running totals: the worker and the objects it calls run in the one isolate. */
const counts: CallCounts = { kvReads: 0, durableObjectCalls: 0 };

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const response = await stepgate.fetch(request, countingEnv(env, counts), ctx);
    // A WebSocket answer cannot be copied; none is counted.
    if (response.webSocket) return response;
    const reported = new Response(response.body, response);
    reported.headers.set("StepGate-Calls", `kv=${counts.kvReads};do=${counts.durableObjectCalls}`);
    return reported;
  },
  // The event stream's consumers, as in production (their calls to the tenant's object counted too).
  queue: (batch, env) => stepgate.queue(batch, countingEnv(env, counts)),
} satisfies ExportedHandler<Env>;

/** The user object, its own calls (to the tenant object) counted too. */
export class UserState extends ProductionUserState {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, countingEnv(env, counts));
  }
}

/** The tenant object, its own KV reads counted too. */
export class TenantState extends ProductionTenantState {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, countingEnv(env, counts));
  }
}
