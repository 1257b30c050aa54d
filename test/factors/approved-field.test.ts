/** A field the user approves, as each language shows it: on the page, in the JSON and in the code's text alike. */
import { describe, expect, it } from "vitest";
import { OperationSchema } from "../../src/config/operation-schema";
import { shownField } from "../../src/factors/approved-field";
import { keepMessageCatalogue } from "../../src/factors/message-text";
import { ALL_MESSAGE_TEXT } from "../../src/factors/message-translations";
import { describeApproval } from "../../src/factors/messages";

// The worker reads German's words from its assets; called directly, they are handed over.
keepMessageCatalogue("de", ALL_MESSAGE_TEXT.de);

const amount = { field: "amount", value: "1234.56", format: "money" as const, currency: "EUR", label: { en: "Amount", de: "Betrag", ja: "金額" } };

describe("shownField", () => {
  it("names the field with the policy's label in the page's language, else English, else the field's name", () => {
    expect(shownField(amount, "de").label).toBe("Betrag");
    expect(shownField(amount, "fr").label).toBe("Amount");
    expect(shownField({ ...amount, label: "Montant" }, "de").label).toBe("Montant");
    expect(shownField({ field: "to.iban", value: "DE89" }, "de").label).toBe("to.iban");
    expect(shownField({ field: "to", value: "x", label: { de: "An" } }, "en").label).toBe("to");
  });

  it("shows money in the page's language, with the digits sent", () => {
    expect(shownField(amount, "de").shown).toBe("1.234,56\u00a0€");
    expect(shownField(amount, "en").shown).toBe("€1,234.56");
    expect(shownField(amount, "ja").shown).toBe("€1,234.56");
    expect(shownField({ ...amount, value: "0.001", currency: "BTC" }, "en").shown).toMatch(/BTC\s?0\.001/);
  });

  it("shows a value that is not a plain decimal, or money without a currency code, as sent", () => {
    expect(shownField({ ...amount, value: "1,234.56" }, "de").shown).toBe("1,234.56");
    expect(shownField({ ...amount, value: "1e6" }, "en").shown).toBe("1e6");
    expect(shownField({ field: "amount", value: "12.5", format: "money" }, "de").shown).toBe("12.5");
    expect(shownField({ ...amount, currency: "eur" }, "de").shown).toBe("1234.56");
    expect(shownField({ field: "n", value: "12.5\\u200B", format: "number" }, "de").shown).toBe("12.5\\u200B");
  });

  it("groups an IBAN or account number in blocks of four, and a number as the language writes it", () => {
    expect(shownField({ field: "iban", value: "DE89370400440532013000", format: "iban" }, "en").shown).toBe("DE89 3704 0044 0532 0130 00");
    expect(shownField({ field: "account", value: "ACC-2002", format: "account" }, "en").shown).toBe("ACC-2002");
    expect(shownField({ field: "shares", value: "1500.250", format: "number" }, "de").shown).toBe("1.500,250");
    expect(shownField({ field: "note", value: "1500" }, "de").shown).toBe("1500");
  });

  it("says the same in the code's text as on the page", () => {
    const approval = { operation: "withdraw", approving: [amount, { field: "to", value: "DE89370400440532013000", format: "iban" as const }] };
    expect(describeApproval("de", approval)).toContain("Betrag 1.234,56\u00a0€, to DE89 3704 0044 0532 0130 00");
    expect(describeApproval("en", approval)).toContain("Amount €1,234.56");
  });
});

describe("display entries in the policy", () => {
  const parse = (display: unknown) => OperationSchema.safeParse({ routes: ["POST /w"], display });

  it("takes plain names as before, and objects with a label and a format", () => {
    expect(parse(["amount", "/to/iban"]).data?.display).toEqual(["amount", "/to/iban"]);
    const entries = parse([
      { field: "amount", format: "money", currencyField: "currency", required: true, label: { en: "Amount", de: "Betrag" } },
      { field: "memo" },
    ]);
    expect(entries.data?.display).toEqual([
      { field: "amount", format: "money", currencyField: "currency", required: true, label: { en: "Amount", de: "Betrag" } },
      { field: "memo", format: "text", required: false },
    ]);
  });

  it("refuses an unknown format or language, a currency field off money, a label over lines, and unknown keys", () => {
    expect(parse([{ field: "amount", format: "euro" }]).success).toBe(false);
    expect(parse([{ field: "amount", label: { xx: "Amount" } }]).success).toBe(false);
    expect(parse([{ field: "amount", currencyField: "currency" }]).success).toBe(false);
    expect(parse([{ field: "amount", label: "Amount\nPay Mallory" }]).success).toBe(false);
    expect(parse([{ field: "amount", colour: "red" }]).success).toBe(false);
    expect(parse([{ format: "money" }]).success).toBe(false);
  });
});
