/**
 * A phone number is checked against libphonenumber-js's numbering plans, which the worker reads
 * from its assets on first use (not from its bundle): the asset is the installed package's
 * metadata, a number is normalised with it, and a number that cannot be checked is not taken.
 */
import { env } from "cloudflare:test";
import metadata from "libphonenumber-js/metadata.min.json";
import { describe, expect, it } from "vitest";
import { EnrollPhoneBody, PHONE_METADATA_PATH, phoneNumbersReady } from "../../src/flows/enrollment-addresses";
import { assetJson } from "../../src/lib/asset-json";
import { ProblemError } from "../../src/lib/problem";
import { expectErrorLogs } from "../support/expected-logs";

describe("phone numbers", () => {
  // First in the file: the metadata, once read, stays for the isolate's life.
  it("are refused with a 503 while the numbering plans cannot be read, and read once they can", async () => {
    const errors = expectErrorLogs();
    const broken = { ASSETS: { fetch: async () => new Response("down", { status: 500 }) } as unknown as Fetcher };
    const refused = await phoneNumbersReady(broken).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProblemError);
    expect((refused as ProblemError).status).toBe(503);
    expect(errors).toHaveBeenCalledWith("stepgate: the phone number metadata could not be read", expect.any(Error));
    expect(() => EnrollPhoneBody.safeParse({ phone: "+14155552671" })).toThrow(/before phoneNumbersReady/);

    await phoneNumbersReady(env);
    expect(EnrollPhoneBody.parse({ phone: " +44 20 7946 0958 " })).toEqual({ phone: "+442079460958" });
    expect(EnrollPhoneBody.safeParse({ phone: "+1 555 0100" }).success).toBe(false);
  });

  it("are checked against the installed package's metadata, which the assets hold", async () => {
    expect(await assetJson(env.ASSETS, PHONE_METADATA_PATH)).toEqual(metadata);
  });
});
