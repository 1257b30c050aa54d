/**
 * @module
 * The demo tenant seeded by `npm run dev` (and used by the tests): 2FA on, optional
 * enforcement, every factor offered (passkeys too), trusted devices, the built-in operations mapped to the
 * demo portal's routes, its money movement shown as the amounts and payees the user approves; the
 * portal's `security_admin` group runs the whole admin console, `support` looks after users and
 * sees the security settings read-only.
 */
import { ALL_SCOPES } from "../src/config/admins-schema";
import type { PolicyInput } from "../src/config/policy-schema";
import { BRAND, BRAND_COLOR, LOGO_PATH } from "./portal-layout";

export const DEMO_TENANT_ID = "demo";
/** The username that signs in to the demo portal as its security administrator, and its group. */
export const DEMO_ADMIN = "admin";
/** The demo portal's username for its support desk, in the group below. */
export const DEMO_SUPPORT = "support";
export const DEMO_SUPPORT_GROUP = "support";
export const DEMO_ADMIN_GROUP = "security_admin";

/** The demo portal's amount field, with the currency the form sends beside it. */
const AMOUNT = {
  field: "amount",
  label: { en: "Amount", de: "Betrag", es: "Importe", fr: "Montant" },
  format: "money",
  currencyField: "currency",
  required: true,
} as const;
/** The account money goes to, when the request names one. */
const TO_ACCOUNT = { field: "to", label: { en: "To account", de: "An Konto", es: "A la cuenta", fr: "Vers le compte" } };
export const DEMO_HOSTS = ["localhost", "127.0.0.1"];

/**
 * The demo tenant's policy for a demo portal at `origin`.
 * @example
 * demoPolicy("http://127.0.0.1:8788")
 */
export function demoPolicy(origin: string): PolicyInput {
  return {
    origin,
    enabled: true,
    enforcement: "optional",
    identity: { algorithm: "HS256", secretRef: "TENANT_DEMO_JWT_SECRET", cookie: "portal_session" },
    // The hosted pages in the demo portal's colours, with its logo in the header and as the tab's icon.
    branding: { name: BRAND, color: BRAND_COLOR, logoUrl: new URL(LOGO_PATH, origin).href },
    // Texts and emails land in the dev outbox, a page with each one's code: http://localhost:8787/__stepgate/dev/outbox
    // Passkeys on http://localhost work in browsers (a secure context); the relying party is the host, `localhost`.
    factors: { totp: { issuer: BRAND }, sms: { enabled: true }, email: { enabled: true }, webauthn: { enabled: true } },
    // "Trust this device" skips the sign-in step-up for 30 days; money movement is still asked for every time.
    trustedDevices: { enabled: true },
    // Sign in to the demo portal as `admin`, then open /__stepgate/admin/ (enrol a factor first, as every console admin must).
    admins: { groups: { [DEMO_ADMIN_GROUP]: [...ALL_SCOPES], [DEMO_SUPPORT_GROUP]: ["users:read", "users:write", "audit:read", "policy:read"] } },
    operations: {
      login: { routes: ["* /*"], exempt: ["* /login", "POST /logout", "GET /favicon.ico"], maxAge: 12 * 3600 },
      // Money movement is bound to the exact request (the default for these names); the user sees what they approve,
      // the amount in their language with its currency.
      deposit: { routes: ["POST /wallet/deposit", "POST /api/deposit"], maxAge: 0, display: [AMOUNT] },
      withdraw: {
        routes: ["POST /wallet/withdraw", "POST /api/withdraw"],
        maxAge: 0,
        display: [AMOUNT, { field: "destination", label: { en: "Destination", de: "Ziel", es: "Destino", fr: "Destination" } }, TO_ACCOUNT],
      },
      transfer: {
        routes: ["POST /wallet/transfer", "POST /api/transfer"],
        maxAge: 0,
        display: [AMOUNT, TO_ACCOUNT],
      },
      prop_challenge_fee: { routes: ["POST /api/fees/prop-challenge"], maxAge: 0 },
      trading_competition_fee: { routes: ["POST /api/fees/trading-competition"], maxAge: 0 },
      change_password: { routes: ["POST /account/password", "POST /api/password"], maxAge: 300 },
      update_email: { routes: ["POST /account/email", "POST /api/email"], maxAge: 300 },
    },
  };
}
