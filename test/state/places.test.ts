import { env, runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { userState } from "../../src/state/user";
import { requestOrigin } from "../../src/state/user/audit";
import { isNewPlace, loadPlaces, notePlace, type Place, PLACES_KEPT } from "../../src/state/user/places";

const berlin: Place = { country: "DE", asn: 3320 };

describe("whether a sign-in's place is new to the user", () => {
  it("is never new for a user with no place yet: the first has nothing to be compared with", () => {
    expect(isNewPlace([], berlin)).toBe(false);
    expect(isNewPlace([], { country: null, asn: null })).toBe(false);
  });

  it("is new in a country, or on a network, the user has not been at", () => {
    expect(isNewPlace([berlin], berlin)).toBe(false);
    expect(isNewPlace([berlin], { country: "DE", asn: 6805 })).toBe(true);
    expect(isNewPlace([berlin], { country: "FR", asn: 3320 })).toBe(true);
    // Known separately is known: the country from one place, the network from another.
    expect(isNewPlace([berlin, { country: "FR", asn: 3215 }], { country: "FR", asn: 3320 })).toBe(false);
  });

  it("compares what Cloudflare named, and takes a place it named nothing of for new", () => {
    expect(isNewPlace([berlin], { country: null, asn: 3320 })).toBe(false);
    expect(isNewPlace([berlin], { country: "DE", asn: null })).toBe(false);
    expect(isNewPlace([berlin], { country: null, asn: 13335 })).toBe(true);
    expect(isNewPlace([berlin], { country: null, asn: null })).toBe(true);
  });

  const place = fc.record({
    country: fc.option(fc.constantFrom("DE", "FR", "JP", "US", "BR"), { nil: null }),
    asn: fc.option(fc.integer({ min: 1, max: 8 }), { nil: null }),
  });

  it("is new exactly when its country or its network is unseen (a place just noted is never new)", () => {
    fc.assert(
      fc.property(fc.array(place, { minLength: 1, maxLength: 10 }), place, (known, next) => {
        const seenCountry = next.country === null || known.some((k) => k.country === next.country);
        const seenNetwork = next.asn === null || known.some((k) => k.asn === next.asn);
        const named = next.country !== null || next.asn !== null;
        expect(isNewPlace(known, next)).toBe(!named || !seenCountry || !seenNetwork);
        if (named) expect(isNewPlace([...known, next], next)).toBe(false);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe("the places kept in the user's object", () => {
  it("keeps the last 20 used, dropping the least recently used, and learns nothing from a place with no name", async () => {
    const user = userState(env, "places-tenant", "pia");
    await runInDurableObject(user, async (_object, state) => {
      const sql = state.storage.sql;
      for (let i = 1; i <= 25; i++) notePlace(sql, { country: "DE", asn: i }, 1_000 + i);
      // Used again: the oldest is now the most recent.
      notePlace(sql, { country: "DE", asn: 6 }, 5_000);
      notePlace(sql, { country: null, asn: null }, 6_000);
      const kept = loadPlaces(sql);
      expect(kept).toHaveLength(PLACES_KEPT);
      expect(kept[0]).toEqual({ country: "DE", asn: 6 });
      expect(kept.map((p) => p.asn).sort((a, b) => a! - b!)).toEqual([6, ...Array.from({ length: 19 }, (_, i) => i + 7)]);
      notePlace(sql, { country: null, asn: 64_512 }, 7_000);
      expect(loadPlaces(sql)[0]).toEqual({ country: null, asn: 64_512 });
    });
  });

  it("reads the place from request.cf: the country (none for XX and Tor) and the network", () => {
    const from = (cf: Record<string, unknown>) => requestOrigin(new Request("https://x.test/", { cf } as RequestInit));
    expect(from({ country: "DE", asn: 3320, city: "Berlin" })).toMatchObject({ country: "DE", asn: 3320, city: "Berlin" });
    expect(from({ country: "T1", asn: 0 })).toMatchObject({ country: null, asn: null });
    expect(from({ country: "XX", asn: 2 ** 32 })).toMatchObject({ country: null, asn: null });
    expect(from({ asn: "3320" }).asn).toBeNull();
  });
});
