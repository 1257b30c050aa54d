/**
 * @module
 * The confirmation before an admin resets a user's two-factor verification: it names the user,
 * says what goes (factors, backup codes, trusted devices, the lockout, earlier verifications)
 * and that only this account is affected, and holds the form that resets.
 */
import type { FC } from "hono/jsx";
import type { ConsoleFrame } from "./console-frame";
import { ConsoleLayout } from "./console-layout";
import { userHref } from "./console-users-paths";
import { Ltr } from "./layout";

/**
 * @example
 * renderPage(c, <ResetUserPage frame={frame} userId="alice" />)
 */
export const ResetUserPage: FC<{ frame: ConsoleFrame; userId: string }> = ({ frame, userId }) => {
  const { text, csrf } = frame;
  const user = <Ltr text={text}>{userId}</Ltr>;
  return (
    <ConsoleLayout frame={frame} title={text.t("console.users.resetTitle", { user: userId })}>
      <div class="card">
        <p id="reset-what">{text.parts("console.users.resetWhat", { user: <strong>{user}</strong> })}</p>
        <p id="reset-only">
          <strong>{text.t("console.users.resetOnlyThis")}</strong>
        </p>
        <form method="post" action={userHref(userId, "reset")}>
          <input type="hidden" name="csrf" value={csrf} />
          <button type="submit" id="confirm-reset">
            {text.parts("console.users.resetConfirm", { user })}
          </button>
        </form>
        <a class="button secondary" href={userHref(userId)}>
          {text.t("console.users.cancel")}
        </a>
      </div>
    </ConsoleLayout>
  );
};
