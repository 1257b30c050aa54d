/**
 * @module
 * The challenge page: answer with a passkey (`passkey-answer.tsx`), or enter the code from the
 * authenticator app, a text or an email, or a backup code; ask for a code to be sent (again). A code already sent is asked for whenever the
 * page is opened again, and the wait before another is counted down. While the user is locked
 * out after wrong codes the forms give way to when the lockout ends (or that an admin must
 * unlock it, after repeated lockouts) and whom to ask for help.
 */
import type { Child, FC } from "hono/jsx";
import type { RequestOptionsJSON } from "../factors/webauthn-options";
import type { AnswerFactor, ApprovedField } from "../state/user";
import type { PageKey } from "./i18n/catalogue";
import type { PageText } from "./i18n/page-text";
import { CodeWait, type ShownCode } from "./code-wait";
import { Approving, ErrorNote, Layout, Ltr, TrustThisDevice, type Branding } from "./layout";
import { PasskeyAnswer } from "./passkey-answer";

/** What a challenge page asks for: a passkey, or a code of one of the user's factors. */
export type PageFactor = "webauthn" | AnswerFactor;

export interface ChallengePageProps {
  branding: Branding;
  text: PageText;
  challengeId: string;
  operation: string;
  factor: PageFactor;
  /** Factors the user can answer with here, to offer the others. */
  factors: string[];
  /** For a passkey: the request options for this challenge. */
  passkey: RequestOptionsJSON | null;
  /** For a code by text or email: where it goes, whether the one sent still works, the wait before another. */
  code: ShownCode | null;
  digits: number;
  codeLength: number;
  csrf: string;
  error: string | null;
  /** Offer "trust this device" (the policy allows it for this operation). */
  offerTrust: boolean;
  /** What the user approves: fields of the request (escaped like any text by JSX). */
  approving: ApprovedField[];
  /** Whether the request is kept and will be sent once verified. */
  held: boolean;
  /** When the user's lockout ends (epoch ms), while they are locked out. */
  lockedUntil: number | null;
  /** Locked after repeated lockouts until an admin unlocks: no end time. */
  lockedUntilUnlock: boolean;
}

const FACTOR_LINKS: Record<PageFactor, PageKey> = {
  webauthn: "passkey.useInstead",
  totp: "challenge.useTotp",
  sms: "challenge.useSms",
  email: "challenge.useEmail",
  backup_code: "challenge.useBackupCode",
};

/**
 * @example
 * renderPage(c, <ChallengePage branding={…} text={text} challengeId={id} operation="withdraw" factor="totp" … />)
 */
export const ChallengePage: FC<ChallengePageProps> = (props) => {
  const { text, factor } = props;
  const action = `/__stepgate/challenge/${props.challengeId}`;
  const others = (Object.keys(FACTOR_LINKS) as PageFactor[]).filter((f) => f !== factor && props.factors.includes(f));
  if (props.lockedUntil !== null || props.lockedUntilUnlock) {
    return (
      <Layout branding={props.branding} text={text} title={text.operationTitle(props.operation)}>
        <div class="card">
          <Approving text={text} approving={props.approving} />
          {props.lockedUntil !== null ? (
            <Locked text={text} branding={props.branding} lockedUntil={props.lockedUntil} />
          ) : (
            <LockedUntilUnlock text={text} branding={props.branding} />
          )}
        </div>
      </Layout>
    );
  }
  return (
    <Layout branding={props.branding} text={text} title={text.operationTitle(props.operation)}>
      <div class="card">
        <Approving text={text} approving={props.approving} />
        {factor === "webauthn" && props.passkey ? (
          <PasskeyAnswer
            text={text}
            action={action}
            csrf={props.csrf}
            options={props.passkey}
            offerTrust={props.offerTrust}
            held={props.held}
            error={props.error}
          />
        ) : (
          <CodeAnswer {...props} />
        )}
      </div>
      {others.length > 0 ? (
        <ul>
          {others.map((f) => (
            <li>
              <a href={`${action}?factor=${f}`}>{text.t(FACTOR_LINKS[f])}</a>
            </li>
          ))}
        </ul>
      ) : null}
    </Layout>
  );
};

/** The forms that take a code (and send one by text or email). */
const CodeAnswer: FC<ChallengePageProps> = (props) => {
  const { text, factor } = props;
  const action = `/__stepgate/challenge/${props.challengeId}`;
  const sentCode = factor === "sms" || factor === "email";
  return (
    <>
      <Instructions {...props} />
      {props.held ? <p class="muted">{text.t("challenge.held")}</p> : null}
      <ErrorNote message={props.error} />
      {props.code && !props.code.sent ? null : (
        <form method="post" action={action}>
          <input type="hidden" name="csrf" value={props.csrf} />
          <input type="hidden" name="factor" value={factor} />
          <label for="code">
            {factor === "backup_code" ? text.t("factor.backupCode") : text.t("code.digits", { digits: sentCode ? props.codeLength : props.digits })}
          </label>
          <input
            id="code"
            name="code"
            type="text"
            required
            autofocus
            autocomplete="one-time-code"
            inputmode={factor === "backup_code" ? "text" : "numeric"}
            maxlength={factor === "backup_code" ? 16 : 12}
          />
          {props.offerTrust ? <TrustThisDevice text={text} /> : null}
          <button type="submit">{text.t("challenge.verify")}</button>
        </form>
      )}
      {props.code ? (
        <form method="post" action={`${action}/send`}>
          <input type="hidden" name="csrf" value={props.csrf} />
          <input type="hidden" name="factor" value={factor} />
          <button type="submit" class={props.code.sent ? "secondary" : undefined}>
            {text.t(props.code.sent ? "code.sendNew" : factor === "sms" ? "challenge.textMe" : "challenge.emailMe")}
          </button>
          <CodeWait text={text} seconds={props.code.resendInSeconds} message={props.code.sent ? "challenge.resendIn" : "code.sendIn"} />
        </form>
      ) : null}
    </>
  );
};

/** The lockout in place of the forms: until when, in the visitor's time zone, and whom to ask. */
const Locked: FC<{ text: PageText; branding: Branding; lockedUntil: number }> = ({ text, branding, lockedUntil }) => (
  <div id="locked" data-locked-for={Math.max(1, Math.ceil((lockedUntil - Date.now()) / 1000))}>
    <p class="error" role="alert">
      {text.t("challenge.locked", { time: text.dateTime(new Date(lockedUntil).toISOString()) })} {text.t("challenge.lockedRetry")}
    </p>
    <p>{text.parts("challenge.contactSupport", { support: support(text, branding) })}</p>
    <p class="muted">{text.t("layout.timeZone", { zone: text.zoneName() })}</p>
  </div>
);

/** The lock until an admin unlocks, in place of the forms: no time to wait for, only whom to ask. */
const LockedUntilUnlock: FC<{ text: PageText; branding: Branding }> = ({ text, branding }) => (
  <div id="locked" data-locked="until-unlock">
    <p class="error" role="alert">
      {text.t("challenge.lockedUntilUnlock")}
    </p>
    <p>{text.parts("challenge.contactSupportToUnlock", { support: support(text, branding) })}</p>
  </div>
);

/** The tenant's support page, else its support address, else "the portal's support" in words. */
function support(text: PageText, branding: Branding): Child {
  if (branding.supportUrl) return <a href={branding.supportUrl}>{text.t("challenge.support")}</a>;
  if (!branding.supportEmail) return text.t("challenge.support");
  return (
    <a href={`mailto:${branding.supportEmail}`}>
      <Ltr text={text}>{branding.supportEmail}</Ltr>
    </a>
  );
}

const Instructions: FC<ChallengePageProps> = ({ text, factor, code }) => {
  if (factor === "backup_code") return <p>{text.t("challenge.backupCodeHelp")}</p>;
  if (factor === "totp") return <p>{text.t("challenge.totpHelp")}</p>;
  if (!code) return null;
  const destination = (
    <strong>
      <Ltr text={text}>{code.destination}</Ltr>
    </strong>
  );
  return code.sent ? (
    <p role="status">
      {text.parts("code.sentTo", { destination })} {text.t("code.enterBelow")}
    </p>
  ) : (
    <p>{text.parts("code.willSendTo", { destination })}</p>
  );
};
