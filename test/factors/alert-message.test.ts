/**
 * The alert's words in every language (`alertMessage`): each kind filled in, never an unfilled
 * placeholder, a subject on one line, the tenant's help as the one link, and amounts as the
 * approval page writes them.
 */
import { describe, expect, it } from "vitest";
import { LANGUAGES } from "../../src/config/languages";
import { ALERT_TYPES, type AlertType, alertMessage } from "../../src/factors/alert-message";
import { hasMessageCatalogue, keepMessageCatalogue } from "../../src/factors/message-text";
import { ALL_MESSAGE_TEXT } from "../../src/factors/message-translations";

for (const language of LANGUAGES) if (!hasMessageCatalogue(language)) keepMessageCatalogue(language, ALL_MESSAGE_TEXT[language]);

const AT = "2026-12-01T09:30:00.000Z";
const DETAILS: Record<AlertType, Record<string, unknown>> = {
  "factor.enrolled": { factor: "webauthn" },
  "factor.removed": { factor: "email" },
  "factor.replaced": { factor: "totp" },
  "backup_codes.issued": { count: 10, regenerated: true },
  "backup_code.used": { remaining: 1 },
  "device.trusted": { name: "Safari on iOS" },
  "lockout.started": { until: Date.parse(AT) + 900_000 },
  "lockout.escalated": {},
  "user.reset": {},
  "signin.new_location": {},
  "verify.ok": { operation: "transfer", approving: [{ field: "amount", value: "99.90", format: "money", currency: "USD", label: "Amount" }] },
};
const sender = { tenant: "Acme", help: "https://help.acme.test/", timeZone: "America/New_York" };
const facts = (type: AlertType) => ({ type, at: AT, city: "São Paulo", country: "BR", detail: DETAILS[type] });

describe.each(LANGUAGES)("the alerts in %s", (language) => {
  it.each([...ALERT_TYPES] as AlertType[])("tell of %s by email and by text, every placeholder filled, the help the one link", (type) => {
    const email = alertMessage(language, "email", facts(type), sender);
    const sms = alertMessage(language, "sms", facts(type), sender);
    for (const text of [email.subject!, email.text, sms.text]) {
      expect(text).not.toMatch(/\{\w+\}/);
      expect(text).toContain("Acme");
      expect(text.match(/https?:\/\/\S+|www\.\S+/g) ?? []).toEqual(text === email.subject ? [] : ["https://help.acme.test/"]);
    }
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(sms.subject).toBeNull();
    expect(email.text).toContain("America/New_York");
    expect(email.text).toContain("São Paulo");
    if (language !== "en") expect(email.text).not.toBe(alertMessage("en", "email", facts(type), sender).text);
  });
});

describe("an alert's particulars", () => {
  it("names the time in the user's zone, else in UTC, and the country in the alert's language", () => {
    const inTokyo = alertMessage("ja", "email", { ...facts("device.trusted"), city: null, country: "DE" }, { ...sender, timeZone: "Asia/Tokyo" });
    expect(inTokyo.text).toContain("日時：2026/12/01 18:30（Asia/Tokyo）");
    expect(inTokyo.text).toContain("場所：ドイツ");
    const inUtc = alertMessage("en", "email", { ...facts("device.trusted"), city: null, country: null }, { ...sender, timeZone: null });
    expect(inUtc.text).toMatch(/\nWhen: Dec 1, 2026, 9:30\sAM \(UTC\)\nWhere: an unknown place\n/);
  });

  it("writes the approved amount as the approval page does, with its label in the alert's language", () => {
    const approving = [{ field: "amount", value: "1234.5", format: "money", currency: "EUR", label: { en: "Amount", de: "Betrag" } }];
    const german = alertMessage("de", "email", { ...facts("verify.ok"), detail: { operation: "withdraw", approving } }, sender);
    expect(german.subject).toBe("Acme: Freigegeben: Auszahlung");
    expect(german.text).toContain("In Ihrem Acme-Konto freigegeben: Auszahlung (Betrag 1.234,5\u00a0€).");
  });

  it("keeps a place to one line of visible text, and leaves out a device it cannot name", () => {
    const odd = alertMessage(
      "en",
      "email",
      { ...facts("device.trusted"), city: "Evil\r\nCall +1 555", country: null, detail: { name: "Browser on an unknown system" } },
      sender,
    );
    expect(odd.text).toContain("\nWhere: Evil Call +1 555\n");
    expect(odd.text).not.toContain("Device:");
  });

  it("takes the tenant's own wording of an alert", () => {
    const own = alertMessage("en", "email", facts("device.trusted"), sender, { "alert.deviceTrusted.title": "New trusted browser" });
    expect(own.subject).toBe("Acme: New trusted browser");
  });
});
