/**
 * @module
 * Enrolling a phone number or an email address: ask for it, then confirm the first code.
 */
import type { FC } from "hono/jsx";
import { Approving, ErrorNote, Layout, TrustThisDevice, type Branding } from "./layout";

export interface EnrollAddressPageProps {
  branding: Branding;
  kind: "sms" | "email";
  challengeId: string | null;
  /** What the challenge that sent the user here approves (empty when none). */
  approving: ReadonlyArray<{ field: string; value: string }>;
  csrf: string;
  error: string | null;
  /** After the first code was sent: the enrolment to confirm and where the code went. */
  sent: { enrollmentId: string; destination: string } | null;
  /** What the user typed, shown again after an error. */
  address: string;
  offerTrust: boolean;
}

/**
 * @example
 * <EnrollAddressPage branding={…} kind="sms" sent={null} … />
 */
export const EnrollAddressPage: FC<EnrollAddressPageProps> = (props) => {
  const phone = props.kind === "sms";
  return (
    <Layout branding={props.branding} title={phone ? "Get codes by text message" : "Get codes by email"}>
      <Approving approving={props.approving} />
      <div class="card">
        <ErrorNote message={props.error} />
        {props.sent ? (
          <>
            <form method="post" action="/__stepgate/enroll">
              <p role="status">
                We sent a code to <strong>{props.sent.destination}</strong>.
              </p>
              <input type="hidden" name="csrf" value={props.csrf} />
              <input type="hidden" name="enrollmentId" value={props.sent.enrollmentId} />
              <input type="hidden" name="kind" value={props.kind} />
              <input type="hidden" name="destination" value={props.sent.destination} />
              {props.challengeId ? <input type="hidden" name="challenge" value={props.challengeId} /> : null}
              <label for="code">Code</label>
              <input id="code" name="code" type="text" required autofocus autocomplete="one-time-code" inputmode="numeric" maxlength={12} />
              {props.offerTrust ? <TrustThisDevice /> : null}
              <button type="submit">Confirm</button>
            </form>
            <form method="post" action={`/__stepgate/enroll/${props.kind}/resend`}>
              <input type="hidden" name="csrf" value={props.csrf} />
              <input type="hidden" name="enrollmentId" value={props.sent.enrollmentId} />
              <input type="hidden" name="destination" value={props.sent.destination} />
              {props.challengeId ? <input type="hidden" name="challenge" value={props.challengeId} /> : null}
              <button type="submit" class="secondary">
                Send a new code
              </button>
            </form>
          </>
        ) : (
          <form method="post" action={`/__stepgate/enroll/${props.kind}`}>
            <input type="hidden" name="csrf" value={props.csrf} />
            {props.challengeId ? <input type="hidden" name="challenge" value={props.challengeId} /> : null}
            <label for="address">{phone ? "Mobile number, with country code" : "Email address"}</label>
            <input
              id="address"
              name="address"
              type={phone ? "tel" : "email"}
              required
              autofocus
              autocomplete={phone ? "tel" : "email"}
              value={props.address}
              placeholder={phone ? "+1 415 555 2671" : "you@example.com"}
            />
            <button type="submit">Send me a code</button>
          </form>
        )}
      </div>
    </Layout>
  );
};
