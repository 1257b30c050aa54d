/**
 * @module
 * The backup codes, shown once right after the first factor is confirmed.
 */
import type { FC } from "hono/jsx";
import { Layout, type Branding } from "./layout";

export interface BackupCodesPageProps {
  branding: Branding;
  codes: string[];
  /** Where to go on: the page the user was going to, or the portal's home. */
  continueTo: string;
}

/**
 * @example
 * renderPage(c, <BackupCodesPage branding={…} codes={codes} continueTo="/wallet" />)
 */
export const BackupCodesPage: FC<BackupCodesPageProps> = ({ branding, codes, continueTo }) => (
  <Layout branding={branding} title="Save your backup codes">
    <div class="card">
      <p>
        Two-factor verification is on. If you lose your phone, each of these codes lets you in once. Save them somewhere safe now:{" "}
        <strong>they will not be shown again.</strong>
      </p>
      <ol class="codes" id="backup-codes">
        {codes.map((code) => (
          <li>{code}</li>
        ))}
      </ol>
    </div>
    <p>
      <a href={continueTo}>I have saved my codes, continue</a>
    </p>
  </Layout>
);
