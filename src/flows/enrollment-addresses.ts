/**
 * @module
 * The addresses a user enrols for codes, as the user API and the hosted pages both read them:
 * a phone number normalised to E.164, an email address in lower case.
 *
 * A phone number is checked against libphonenumber-js's metadata (the numbering plan of every
 * country: ~19 KiB gzipped, which only an enrolment needs), read from the worker's assets on
 * first use in an isolate (`npm run assets` copies it from the installed package), so a route
 * that reads a phone number first awaits {@link phoneNumbersReady}.
 */
import { type MetadataJson, parsePhoneNumberFromString } from "libphonenumber-js/core";
import * as z from "zod";
import { assetJson } from "../lib/asset-json";
import { EmailAddress } from "../lib/email-address";
import { ProblemError } from "../lib/problem";

/** The metadata's asset. */
export const PHONE_METADATA_PATH = "/phone-metadata.json";

let metadata: MetadataJson | null = null;

/**
 * Reads the phone numbering metadata into the isolate, once; a 503 problem when it cannot be
 * read (a number that cannot be checked is not taken).
 * @example
 * await phoneNumbersReady(c.env);
 * EnrollPhoneBody.safeParse({ phone: typed });
 */
export async function phoneNumbersReady(env: Pick<Env, "ASSETS">): Promise<void> {
  if (metadata) return;
  const read = await assetJson(env.ASSETS, PHONE_METADATA_PATH).catch((error: unknown) => {
    console.error("stepgate: the phone number metadata could not be read", error);
    return null;
  });
  if (typeof read !== "object" || read === null || !("countries" in read)) {
    throw new ProblemError(503, "phone_numbers_unavailable", "Phone numbers cannot be checked right now; try again in a minute.");
  }
  metadata = read as MetadataJson;
}

function loadedMetadata(): MetadataJson {
  if (!metadata) throw new Error("stepgate: a phone number was read before phoneNumbersReady");
  return metadata;
}

/** A phone number in international form, normalised to E.164 by libphonenumber-js. */
export const PhoneNumber = z
  .string()
  .max(32)
  .transform((input, ctx) => {
    const parsed = parsePhoneNumberFromString(input.trim(), loadedMetadata());
    if (!parsed?.isValid()) {
      ctx.addIssue({ code: "custom", message: "a valid phone number in international form, like +14155552671" });
      return z.NEVER;
    }
    return parsed.number;
  });

export const EnrollPhoneBody = z.strictObject({ phone: PhoneNumber });
export const EnrollEmailBody = z.strictObject({ email: EmailAddress.transform((e) => e.toLowerCase()) });
