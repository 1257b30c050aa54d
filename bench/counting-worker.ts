/**
 * @module
 * stepgate as `npm run bench` counts it: the production worker and its Durable Object classes,
 * given bindings that count (bench/counting-env.ts), every answer carrying the isolate's running
 * totals in `StepGate-Calls: kv=<reads>;do=<calls>`, and `GET /__bench/calls` answering the calls
 * on each object so far (`CallCounts.byObject`, JSON). Built beside the production bundle
 * (bench/build.ts) and run as its own instance; the timed instances run the production bundle.
 */
import stepgate, {
  AddressLimitState as ProductionAddressLimitState,
  TenantState as ProductionTenantState,
  UserState as ProductionUserState,
} from "../src/index";
import { CALLS_PATH, countingEnv, noCalls } from "./counting-env";

/** The isolate's running totals: the worker and the objects it calls run in the one isolate. */
const counts = noCalls();

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    if (new URL(request.url).pathname === CALLS_PATH) return Response.json(counts.byObject);
    const response = await stepgate.fetch(request, countingEnv(env, counts), ctx);
    // A WebSocket answer cannot be copied; none is counted.
    if (response.webSocket) return response;
    const reported = new Response(response.body, response);
    reported.headers.set("StepGate-Calls", `kv=${counts.kvReads};do=${counts.durableObjectCalls}`);
    return reported;
  },
  // The event stream's consumers, as in production (their calls to the tenant's object counted too).
  queue: (batch, env) => stepgate.queue(batch, countingEnv(env, counts, "stream")),
} satisfies ExportedHandler<Env>;

/** The user object, its own calls counted too. */
export class UserState extends ProductionUserState {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, countingEnv(env, counts, "object"));
  }
}

/** The tenant object, its own KV reads counted too. */
export class TenantState extends ProductionTenantState {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, countingEnv(env, counts, "object"));
  }
}

/** An address-limit object, its own calls counted too. */
export class AddressLimitState extends ProductionAddressLimitState {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, countingEnv(env, counts, "object"));
  }
}
