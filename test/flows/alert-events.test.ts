/** Which events warrant an alert under which switches (`alertKindOf`), without the stream. */
import { describe, expect, it } from "vitest";
import { NotificationsSchema } from "../../src/config/notification-settings";
import { alertKindOf, mayWarrantAlert } from "../../src/flows/alert-events";

const defaults = NotificationsSchema.parse(undefined);
const event = (type: string, detail: Record<string, unknown> = {}, userId: string | null = "ann") => ({ type, detail, userId });

describe("the events that warrant an alert", () => {
  it("has the security alerts on and the approvals off by default", () => {
    expect(defaults).toEqual({
      factorAdded: true,
      factorRemoved: true,
      backupCodesRegenerated: true,
      backupCodesLow: true,
      deviceTrusted: true,
      lockout: true,
      adminReset: true,
      newLocation: true,
      approvals: [],
      perKindPerHour: 5,
    });
  });

  it.each([
    ["factor.enrolled", {}, "factorAdded"],
    ["factor.removed", {}, "factorRemoved"],
    ["factor.replaced", {}, "factorRemoved"],
    ["backup_codes.issued", { regenerated: true }, "backupCodesRegenerated"],
    ["backup_code.used", { remaining: 2 }, "backupCodesLow"],
    ["device.trusted", {}, "deviceTrusted"],
    ["lockout.started", {}, "lockout"],
    ["lockout.escalated", {}, "lockout"],
    ["user.reset", {}, "adminReset"],
    ["signin.new_location", {}, "newLocation"],
  ])("%s is a %s alert, and none while that switch is off", (type, detail, kind) => {
    expect(alertKindOf(event(type, detail), defaults)).toBe(kind);
    expect(alertKindOf(event(type, detail), { ...defaults, [kind]: false })).toBeNull();
  });

  it("tells of an approval only for the operations named", () => {
    const approvals = { ...defaults, approvals: ["withdraw", "transfer"] };
    expect(alertKindOf(event("verify.ok", { operation: "withdraw" }), defaults)).toBeNull();
    expect(alertKindOf(event("verify.ok", { operation: "withdraw" }), approvals)).toBe("approval");
    expect(alertKindOf(event("verify.ok", { operation: "login" }), approvals)).toBeNull();
  });

  it("is about what its switch is about", () => {
    // Backup codes issued with a first factor (its own alert tells of that), or before the flag existed.
    expect(alertKindOf(event("backup_codes.issued", { regenerated: false }), defaults)).toBeNull();
    expect(alertKindOf(event("backup_codes.issued", {}), defaults)).toBeNull();
    expect(alertKindOf(event("backup_code.used", { remaining: 3 }), defaults)).toBeNull();
    expect(alertKindOf(event("backup_code.used", { remaining: 0 }), defaults)).toBe("backupCodesLow");
  });

  it("never for a tenant-wide event or one no alert is about", () => {
    expect(mayWarrantAlert(event("factor.enrolled", {}, null))).toBe(false);
    for (const type of ["verify.failed", "code.sent", "alert.sent", "alert.refused", "key.created", "device.revoked"]) {
      expect(mayWarrantAlert(event(type))).toBe(false);
      expect(alertKindOf(event(type), defaults)).toBeNull();
    }
  });
});
