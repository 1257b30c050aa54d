/**
 * @module
 * Choosing how to receive codes: an authenticator app, text messages or email.
 */
import type { FC } from "hono/jsx";
import { Layout, type Branding } from "./layout";

export interface EnrollChoicePageProps {
  branding: Branding;
  /** The factors the policy offers, in order. */
  offered: Array<"totp" | "sms" | "email">;
  challengeId: string | null;
}

const LABELS = {
  totp: ["Authenticator app", "Recommended: codes from an app on your phone, even offline."],
  sms: ["Text message", "A code by SMS each time."],
  email: ["Email", "A code by email each time."],
} as const;

/**
 * @example
 * <EnrollChoicePage branding={…} offered={["totp", "sms"]} challengeId={null} />
 */
export const EnrollChoicePage: FC<EnrollChoicePageProps> = ({ branding, offered, challengeId }) => (
  <Layout branding={branding} title="Set up two-factor verification">
    <p>Choose how you want to confirm it's you.</p>
    {offered.map((factor) => (
      <div class="card">
        <a href={`/__stepgate/enroll?factor=${factor}${challengeId ? `&challenge=${challengeId}` : ""}`}>
          <strong>{LABELS[factor][0]}</strong>
        </a>
        <p class="muted">{LABELS[factor][1]}</p>
      </div>
    ))}
  </Layout>
);
