/**
 * @module
 * What an admin reads right after acting on a user (or naming them in an audit query) must
 * show it, though the user's object publishes to the event stream only a moment later. So the
 * admin's route copies the user's unpublished records into the tenant's object at once. The
 * stream delivers the same messages later, with the same ids: there they are a no-op. The
 * verification path never does this: it never calls the tenant's object for records.
 */
import { tenantState } from "../state/tenant";
import type { EventMessage } from "../state/events";
import type { UserState } from "../state/user";

/**
 * Stores the user's unpublished audit entries and directory row in the tenant's object now.
 * Best effort: the admin's action itself is done, and the stream brings the records anyway, so
 * a failure here must not turn a done action into an error.
 * @example
 * await storeFreshUserRecords(env, tenantId, userState(env, tenantId, "alice"));
 */
export async function storeFreshUserRecords(env: Env, tenantId: string, user: DurableObjectStub<UserState>): Promise<void> {
  try {
    const pending = (await user.pendingEvents()) as EventMessage[];
    if (pending.length > 0) await tenantState(env, tenantId).storeEvents(tenantId, pending);
  } catch (error) {
    console.error("stepgate: copying a user's records to the tenant's object failed; the event stream brings them", error);
  }
}
