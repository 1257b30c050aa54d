/**
 * @module
 * What follows a confirmed enrolment, whatever the factor: the backup codes with the first
 * factor, else the note that a factor was added (or the app replaced); then on to the request
 * held with the challenge the enrolment answered, the page the user was going to, or the settings.
 */
import type { Context } from "hono";
import type { SessionEnv } from "../app-env";
import type { ConfirmedEnrollment } from "../flows/challenge-answers";
import { sameHostPath } from "../lib/return-to";
import { BackupCodesPage } from "./backup-codes-page";
import { nextAfterVerifying } from "./challenge-routes";
import { FactorAddedPage } from "./factor-added-page";
import { requestText } from "./i18n/language-choice";
import { renderPage } from "./layout";

/**
 * @example
 * return renderEnrolled(c, await confirmEnrollment(c, enrollmentId, proof, challengeId), challengeId);
 */
export async function renderEnrolled(c: Context<SessionEnv>, confirmed: ConfirmedEnrollment, challengeId: string | null): Promise<Response> {
  const { branding } = c.var.policy;
  const text = await requestText(c, c.var.policy);
  if (confirmed.replaced) return renderPage(c, <FactorAddedPage branding={branding} text={text} continueTo="/__stepgate/settings" replaced />);
  const continueTo = challengeId ? nextAfterVerifying(c, challengeId, confirmed) : sameHostPath(confirmed.returnTo);
  if (confirmed.backupCodes.length === 0) return renderPage(c, <FactorAddedPage branding={branding} text={text} continueTo={continueTo} />);
  return renderPage(c, <BackupCodesPage branding={branding} text={text} codes={confirmed.backupCodes} continueTo={continueTo} />);
}
