/**
 * @module
 * Backup codes as a page shows them, with the ways to keep them: download as a text file (a
 * `data:` link, so it works without script), copy to the clipboard and print (the page's
 * script shows those two buttons; the print stylesheet leaves just the codes on paper).
 */
import type { FC } from "hono/jsx";
import type { PageText } from "./i18n/page-text";
import { PageScript } from "./layout";

/** The list in boxes that never overlap (the frame's `ol.codes`), the actions, and nothing but the codes in print. */
export const BACKUP_CODES_CSS = `
.keep-codes{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:1rem}
.keep-codes>*{flex:1 1 10rem;margin-top:0}
@media print{nav.languages,.no-print{display:none!important}body,.card{background:#fff;border:0;padding:0}}
`;

/**
 * @example
 * <BackupCodeList text={text} portal="Acme" codes={["k3x9q-7hd2m", …]} />
 */
export const BackupCodeList: FC<{ text: PageText; portal: string; codes: readonly string[] }> = ({ text, portal, codes }) => (
  <>
    <ol class="codes" id="backup-codes">
      {codes.map((code) => (
        <li>{code}</li>
      ))}
    </ol>
    <div class="keep-codes no-print">
      <a class="button secondary" id="download-codes" download={codesFileName(portal)} href={codesFile(text.t("backup.file", { portal }), codes)}>
        {text.t("backup.download")}
      </a>
      <button type="button" class="secondary" id="copy-codes" hidden>
        {text.t("backup.copy")}
      </button>
      <button type="button" class="secondary" id="print-codes" hidden>
        {text.t("backup.print")}
      </button>
    </div>
    <p class="muted no-print" role="status">
      <span id="codes-copied" hidden>
        {text.t("backup.copied")}
      </span>
    </p>
    <PageScript name="backupCodes" />
  </>
);

/**
 * The text file: what the codes are for, then one code a line.
 * @example
 * codesFile("Backup codes for Acme.", ["k3x9q-7hd2m"]) // "data:text/plain;charset=utf-8,Backup%20codes…"
 */
export function codesFile(heading: string, codes: readonly string[]): string {
  return `data:text/plain;charset=utf-8,${encodeURIComponent(`${heading}\n\n${codes.join("\n")}\n`)}`;
}

/** Latin letters that have no plain letter inside them to decompose to. */
const PLAIN_LETTERS: Readonly<Record<string, string>> = { ł: "l", ø: "o", đ: "d", ß: "ss", æ: "ae", œ: "oe", ı: "i", þ: "th" };

/**
 * `acme-brokers-backup-codes.txt` for "Acme Brokers": the portal's name in plain letters and
 * digits (none left: `backup-codes.txt`).
 * @example
 * codesFileName("Crédit Été") // "credit-ete-backup-codes.txt"
 */
export function codesFileName(portal: string): string {
  const slug = portal
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[łøđßæœıþ]/g, (letter) => PLAIN_LETTERS[letter]!)
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `${slug ? `${slug}-` : ""}backup-codes.txt`;
}
