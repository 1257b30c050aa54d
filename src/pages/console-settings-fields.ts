/**
 * @module
 * The security settings form, field by field: what each shows, in which fieldset, with which
 * words. Everything the form does not show (the identity, the origin, wordings, admin groups,
 * provider API addresses…) is left as the policy has it: the form writes its fields onto the
 * loaded policy, never a policy of its own.
 */
import { LANGUAGE_NAMES, LANGUAGES } from "../config/languages";
import type { Policy } from "../config/policy-schema";
import type { PageKey } from "./i18n/catalogue";
import {
  checkbox,
  type ChoiceOption,
  choice,
  type FieldBase,
  type FieldSection,
  lines,
  number,
  optionsAt,
  secret,
  type SettingField,
  set,
  text,
} from "./console-settings-kinds";
import { alertGroup } from "./console-settings-alerts";
import { formOperations, operationFields } from "./console-settings-operations";

/** A fieldset of the form: its legend and its fields. */
export interface SettingGroup {
  section: FieldSection;
  fields: SettingField[];
}

const at = (section: PageKey, path: string, label: PageKey, hint?: PageKey): FieldBase => ({ path: path.split("."), label, hint, section });

/** The schema's choices at `path`, each with its words. */
function worded(path: string, words: Readonly<Record<string, PageKey>>): ChoiceOption[] {
  return optionsAt(path.split(".")).map((value) => ({ value, label: words[value] ?? { own: value } }));
}

/** Choices named as they are (algorithms, provider brands). */
function own(values: readonly string[], words: Readonly<Record<string, PageKey>> = {}): ChoiceOption[] {
  return values.map((value) => ({ value, label: words[value] ?? { own: value } }));
}

const LEVELS: Readonly<Record<string, PageKey>> = {
  required: "console.settings.level.required",
  preferred: "console.settings.level.preferred",
  discouraged: "console.settings.level.discouraged",
};

/** A delivered code's settings, the same for text messages and email. */
function codeFields(section: PageKey, factor: "sms" | "email"): SettingField[] {
  return [
    number(at(section, `factors.${factor}.codeLength`, "console.settings.code.length")),
    number(at(section, `factors.${factor}.codeTtlSeconds`, "console.settings.code.ttl")),
    number(at(section, `factors.${factor}.resendCooldownSeconds`, "console.settings.code.cooldown")),
    number(at(section, `factors.${factor}.maxAttemptsPerCode`, "console.settings.code.attempts")),
  ];
}

/** The 2FA switch and how it is enforced. */
function enforcementGroup(): SettingGroup {
  const section = "console.settings.section.enforcement";
  return {
    section,
    fields: [
      checkbox(at(section, "enabled", "console.settings.enabled")),
      choice(
        at(section, "enforcement", "console.settings.enforcement"),
        worded("enforcement", {
          optional: "console.settings.enforcement.optional",
          required: "console.settings.enforcement.required",
          per_user: "console.settings.enforcement.perUser",
        }),
        "radio",
      ),
      lines(at(section, "requiredGroups", "console.settings.requiredGroups", "console.settings.requiredGroupsHint")),
      checkbox(at(section, "reenrollOnReenable", "console.settings.reenroll", "console.settings.reenrollHint")),
    ],
  };
}

/** The second factors: each offered or not, with its settings and its provider's. */
function factorGroups(): SettingGroup[] {
  const totp = "console.settings.section.totp";
  const passkeys = "console.settings.section.webauthn";
  const sms = "console.settings.section.sms";
  const email = "console.settings.section.email";
  const backup = "console.settings.section.backupCodes";
  const outbox: Record<string, PageKey> = { outbox: "console.settings.provider.outbox" };
  const providerNames: Record<string, string> = { twilio: "Twilio", smtp: "SMTP", resend: "Resend" };
  const providers = (path: string) =>
    optionsAt(path.split(".")).map((value): ChoiceOption => ({ value, label: outbox[value] ?? { own: providerNames[value] ?? value } }));
  return [
    {
      section: totp,
      fields: [
        text(at(totp, "factors.totp.issuer", "console.settings.totp.issuer", "console.settings.totp.issuerHint"), { optional: true }),
        choice(at(totp, "factors.totp.digits", "console.settings.totp.digits"), own(["6", "8"]), "select", { numeric: true }),
        number(at(totp, "factors.totp.periodSeconds", "console.settings.totp.period")),
        choice(at(totp, "factors.totp.algorithm", "console.settings.totp.algorithm"), own(optionsAt(["factors", "totp", "algorithm"])), "select"),
        number(at(totp, "factors.totp.skewSteps", "console.settings.totp.skew")),
      ],
    },
    {
      section: passkeys,
      fields: [
        checkbox(at(passkeys, "factors.webauthn.enabled", "console.settings.offered")),
        text(at(passkeys, "factors.webauthn.rpId", "console.settings.webauthn.rpId", "console.settings.webauthn.rpIdHint"), { optional: true }),
        choice(
          at(passkeys, "factors.webauthn.userVerification", "console.settings.webauthn.userVerification"),
          worded("factors.webauthn.userVerification", LEVELS),
          "select",
        ),
        choice(
          at(passkeys, "factors.webauthn.authenticatorAttachment", "console.settings.webauthn.attachment"),
          worded("factors.webauthn.authenticatorAttachment", {
            any: "console.settings.webauthn.attachment.any",
            platform: "console.settings.webauthn.attachment.platform",
            "cross-platform": "console.settings.webauthn.attachment.crossPlatform",
          }),
          "select",
        ),
        choice(at(passkeys, "factors.webauthn.residentKey", "console.settings.webauthn.residentKey"), worded("factors.webauthn.residentKey", LEVELS), "select"),
      ],
    },
    {
      section: sms,
      fields: [
        checkbox(at(sms, "factors.sms.enabled", "console.settings.offered")),
        choice(at(sms, "factors.sms.provider", "console.settings.provider"), providers("factors.sms.provider"), "select"),
        text(at(sms, "factors.sms.twilio.accountSid", "console.settings.twilio.accountSid"), { optional: true }),
        secret(at(sms, "factors.sms.twilio.authToken", "console.settings.twilio.authToken")),
        text(at(sms, "factors.sms.twilio.from", "console.settings.twilio.from"), { optional: true, error: "console.settings.error.phone" }),
        text(at(sms, "factors.sms.twilio.messagingServiceSid", "console.settings.twilio.messagingService"), { optional: true }),
        ...codeFields(sms, "sms"),
      ],
    },
    {
      section: email,
      fields: [
        checkbox(at(email, "factors.email.enabled", "console.settings.offered")),
        choice(at(email, "factors.email.provider", "console.settings.provider"), providers("factors.email.provider"), "select"),
        text(at(email, "factors.email.from", "console.settings.email.from"), { optional: true, error: "console.settings.error.mailbox" }),
        text(at(email, "factors.email.host", "console.settings.email.host"), { optional: true }),
        number(at(email, "factors.email.port", "console.settings.email.port"), { optional: true }),
        checkbox(at(email, "factors.email.secure", "console.settings.email.secure")),
        text(at(email, "factors.email.username", "console.settings.email.username"), { optional: true }),
        secret(at(email, "factors.email.password", "console.settings.email.password")),
        secret(at(email, "factors.email.apiKey", "console.settings.email.apiKey")),
        ...codeFields(email, "email"),
      ],
    },
    { section: backup, fields: [number(at(backup, "factors.backupCodes.count", "console.settings.backupCodes.count"))] },
  ];
}

/** Lockout, send limits, trusted devices and the console's own sign-in. */
function limitGroups(operations: readonly string[], policy: Policy): SettingGroup[] {
  const lockout = "console.settings.section.lockout";
  const sends = "console.settings.section.sendLimits";
  const devices = "console.settings.section.trustedDevices";
  const admins = "console.settings.section.admins";
  // Operations a device may skip: the form's, and any the policy names that it no longer has.
  const skippable = [...new Set([...operations, ...policy.trustedDevices.operations])].map((name): ChoiceOption => ({ value: name, label: { own: name } }));
  return [
    {
      section: lockout,
      fields: [
        number(at(lockout, "lockout.maxAttempts", "console.settings.lockout.maxAttempts")),
        number(at(lockout, "lockout.windowSeconds", "console.settings.lockout.window")),
        number(at(lockout, "lockout.lockSeconds", "console.settings.lockout.lock")),
        number(at(lockout, "lockout.perIpPerHour", "console.settings.lockout.perIp")),
        number(at(lockout, "lockout.maxTemporaryLockouts", "console.settings.lockout.maxTemporary", "console.settings.lockout.maxTemporaryHint")),
        number(at(lockout, "lockout.temporaryLockoutPeriodSeconds", "console.settings.lockout.temporaryPeriod")),
      ],
    },
    {
      section: sends,
      fields: [
        number(at(sends, "sendLimits.perUserPerHour", "console.settings.sends.perUser")),
        number(at(sends, "sendLimits.perIpPerHour", "console.settings.sends.perIp")),
        number(at(sends, "sendLimits.perTenantPerHour", "console.settings.sends.perTenant")),
      ],
    },
    {
      section: devices,
      fields: [
        checkbox(at(devices, "trustedDevices.enabled", "console.settings.devices.enabled")),
        number(at(devices, "trustedDevices.days", "console.settings.devices.days")),
        number(at(devices, "trustedDevices.max", "console.settings.devices.max")),
        set(at(devices, "trustedDevices.operations", "console.settings.devices.operations", "console.settings.devices.operationsHint"), skippable),
        checkbox(at(devices, "login.newLocation", "console.settings.login.newLocation")),
      ],
    },
    {
      section: admins,
      fields: [
        checkbox(at(admins, "admins.keySignIn", "console.settings.admins.keySignIn", "console.settings.admins.keySignInHint")),
        number(at(admins, "admins.maxAgeSeconds", "console.settings.admins.maxAge")),
      ],
    },
  ];
}

/** How the hosted pages look. */
function brandingGroup(): SettingGroup {
  const section = "console.settings.section.branding";
  const languages = LANGUAGES.map((language): ChoiceOption => ({ value: language, label: { own: LANGUAGE_NAMES[language] } }));
  return {
    section,
    fields: [
      text(at(section, "branding.name", "console.settings.branding.name")),
      text(at(section, "branding.logoUrl", "console.settings.branding.logo"), { optional: true, input: "url" }),
      text(at(section, "branding.color", "console.settings.branding.color"), { error: "console.settings.error.colour" }),
      choice(
        at(section, "branding.mode", "console.settings.branding.mode"),
        worded("branding.mode", { light: "console.settings.mode.light", dark: "console.settings.mode.dark", auto: "console.settings.mode.auto" }),
        "radio",
      ),
      set(at(section, "branding.languages", "console.settings.branding.languages"), languages, "console.settings.error.languages"),
      choice(at(section, "branding.defaultLanguage", "console.settings.branding.defaultLanguage"), languages, "select", {
        error: "console.settings.error.defaultLanguage",
      }),
      text(at(section, "branding.portalUrl", "console.settings.branding.portal"), { optional: true, input: "url", error: "console.settings.error.httpsUrl" }),
      text(at(section, "branding.supportUrl", "console.settings.branding.support"), { optional: true, input: "url", error: "console.settings.error.httpsUrl" }),
      text(at(section, "branding.supportEmail", "console.settings.branding.supportEmail"), { optional: true, input: "email" }),
    ],
  };
}

/** The form for `policy`, fieldset by fieldset: the operations it shows are the standard ones and the policy's own. */
export interface SettingsForm {
  enforcement: SettingGroup;
  operations: SettingGroup[];
  factors: SettingGroup[];
  limits: SettingGroup[];
  alerts: SettingGroup;
  branding: SettingGroup;
}

/**
 * @example
 * const form = settingsForm(policy);
 * allFields(form).map((field) => field.name) // ["enabled", "enforcement", …]
 */
export function settingsForm(policy: Policy): SettingsForm {
  const operations = formOperations(policy);
  return {
    enforcement: enforcementGroup(),
    operations: operations.map((name) => ({ section: { operation: name }, fields: operationFields(name) })),
    factors: factorGroups(),
    limits: limitGroups(operations, policy),
    alerts: alertGroup(operations, policy),
    branding: brandingGroup(),
  };
}

/** Every field of the form, in the page's order (an operation's checkbox before its other fields). */
export function allFields(form: SettingsForm): SettingField[] {
  return [form.enforcement, ...form.operations, ...form.factors, ...form.limits, form.alerts, form.branding].flatMap((group) => group.fields);
}
