/**
 * @module
 * The words of the texts and emails that carry a code, and the names of the built-in
 * operations they (and the hosted pages) approve, in every language of `config/languages.ts`.
 * English is the source: its keys and `{placeholder}` names are the ones every language has
 * (a missing key is a type error; `test/factors/message-text.test.ts` checks the placeholders).
 */
import type { Language } from "../config/languages";
import type { Message } from "../lib/message-format";

const en = {
  "code.sms": "{code} is your {tenant} code. It expires in {duration}. Never share it.",
  "code.smsApproving": "{code} is your {tenant} code to approve: {approves}. It expires in {duration}. Never share it.",
  "code.emailSubject": "{tenant} verification code: {code}",
  "code.emailIntro": "Your {tenant} verification code is:",
  "code.emailApproves": "It approves: {approves}.",
  "code.emailConfirm": "Use it to confirm it's you.",
  "code.emailExpires": "It expires in {duration} and works once.",
  "code.emailWarning":
    "If you did not ask for this code, someone may know your password: change it, and do not share this code with anyone — {tenant} will never ask you for it.",
  "code.approval": "{operation} ({fields})",
  "code.listSeparator": ", ",
  "op.login": "login",
  "op.deposit": "deposit",
  "op.withdraw": "withdraw",
  "op.transfer": "transfer",
  "op.prop_challenge_fee": "prop challenge fee",
  "op.trading_competition_fee": "trading competition fee",
  "op.change_password": "change password",
  "op.update_email": "update email",
  "op.manage_factors": "manage factors",
} as const satisfies Record<string, Message>;

export type MessageKey = keyof typeof en;
export type MessageCatalogue = Readonly<Record<MessageKey, Message>>;

const es: MessageCatalogue = {
  "code.sms": "{code} es su código de {tenant}. Caduca en {duration}. No lo comparta nunca.",
  "code.smsApproving": "{code} es su código de {tenant} para aprobar: {approves}. Caduca en {duration}. No lo comparta nunca.",
  "code.emailSubject": "Código de verificación de {tenant}: {code}",
  "code.emailIntro": "Su código de verificación de {tenant} es:",
  "code.emailApproves": "Aprueba: {approves}.",
  "code.emailConfirm": "Úselo para confirmar su identidad.",
  "code.emailExpires": "Caduca en {duration} y sirve una sola vez.",
  "code.emailWarning":
    "Si no ha pedido este código, puede que alguien conozca su contraseña: cámbiela y no comparta este código con nadie; {tenant} nunca se lo pedirá.",
  "code.approval": "{operation} ({fields})",
  "code.listSeparator": ", ",
  "op.login": "inicio de sesión",
  "op.deposit": "depósito",
  "op.withdraw": "retiro",
  "op.transfer": "transferencia",
  "op.prop_challenge_fee": "tarifa del prop challenge",
  "op.trading_competition_fee": "inscripción en la competición de trading",
  "op.change_password": "cambio de contraseña",
  "op.update_email": "cambio de correo electrónico",
  "op.manage_factors": "gestión de factores",
};

const ptBR: MessageCatalogue = {
  "code.sms": "{tenant}: seu código é {code}. Expira em {duration}. Nunca o compartilhe.",
  "code.smsApproving": "{tenant}: seu código para aprovar {approves} é {code}. Expira em {duration}. Nunca o compartilhe.",
  "code.emailSubject": "{tenant} – código de verificação: {code}",
  "code.emailIntro": "Seu código de verificação para {tenant} é:",
  "code.emailApproves": "Ele aprova: {approves}.",
  "code.emailConfirm": "Use-o para confirmar sua identidade.",
  "code.emailExpires": "Ele expira em {duration} e funciona uma única vez.",
  "code.emailWarning":
    "Se você não pediu este código, alguém pode saber sua senha: altere-a e não compartilhe este código com ninguém — {tenant} nunca vai pedi-lo a você.",
  "code.approval": "{operation} ({fields})",
  "code.listSeparator": ", ",
  "op.login": "acesso",
  "op.deposit": "depósito",
  "op.withdraw": "saque",
  "op.transfer": "transferência",
  "op.prop_challenge_fee": "taxa do prop challenge",
  "op.trading_competition_fee": "taxa da competição de trading",
  "op.change_password": "alteração de senha",
  "op.update_email": "alteração de e-mail",
  "op.manage_factors": "gerenciamento de fatores",
};

const fr: MessageCatalogue = {
  "code.sms": "{code} est votre code {tenant}. Il expire dans {duration}. Ne le communiquez jamais.",
  "code.smsApproving": "{code} est votre code {tenant} pour approuver : {approves}. Il expire dans {duration}. Ne le communiquez jamais.",
  "code.emailSubject": "Code de vérification {tenant} : {code}",
  "code.emailIntro": "Votre code de vérification {tenant} est :",
  "code.emailApproves": "Il approuve : {approves}.",
  "code.emailConfirm": "Utilisez-le pour confirmer votre identité.",
  "code.emailExpires": "Il expire dans {duration} et ne fonctionne qu'une fois.",
  "code.emailWarning":
    "Si vous n'avez pas demandé ce code, quelqu'un connaît peut-être votre mot de passe : changez-le et ne communiquez ce code à personne — {tenant} ne vous le demandera jamais.",
  "code.approval": "{operation} ({fields})",
  "code.listSeparator": ", ",
  "op.login": "connexion",
  "op.deposit": "dépôt",
  "op.withdraw": "retrait",
  "op.transfer": "virement",
  "op.prop_challenge_fee": "frais du prop challenge",
  "op.trading_competition_fee": "frais d'inscription au concours de trading",
  "op.change_password": "changement de mot de passe",
  "op.update_email": "changement d'adresse e-mail",
  "op.manage_factors": "gestion des facteurs",
};

const de: MessageCatalogue = {
  "code.sms": "{code} ist Ihr Code für {tenant}, {duration} gültig. Geben Sie ihn niemals weiter.",
  "code.smsApproving": "{code} ist Ihr Code für {tenant} zur Freigabe von: {approves}; {duration} gültig. Geben Sie ihn niemals weiter.",
  "code.emailSubject": "Bestätigungscode für {tenant}: {code}",
  "code.emailIntro": "Ihr Bestätigungscode für {tenant} lautet:",
  "code.emailApproves": "Er gibt frei: {approves}.",
  "code.emailConfirm": "Damit bestätigen Sie, dass Sie es sind.",
  "code.emailExpires": "Er ist {duration} gültig und funktioniert nur einmal.",
  "code.emailWarning":
    "Falls Sie diesen Code nicht angefordert haben, kennt möglicherweise jemand Ihr Passwort: Ändern Sie es und geben Sie diesen Code an niemanden weiter — {tenant} wird Sie niemals danach fragen.",
  "code.approval": "{operation} ({fields})",
  "code.listSeparator": ", ",
  "op.login": "Anmeldung",
  "op.deposit": "Einzahlung",
  "op.withdraw": "Auszahlung",
  "op.transfer": "Überweisung",
  "op.prop_challenge_fee": "Gebühr für die Prop-Challenge",
  "op.trading_competition_fee": "Gebühr für den Trading-Wettbewerb",
  "op.change_password": "Passwortänderung",
  "op.update_email": "Änderung der E-Mail-Adresse",
  "op.manage_factors": "Verwaltung der Faktoren",
};

const it: MessageCatalogue = {
  "code.sms": "{code} è il Suo codice {tenant}. Scade tra {duration}. Non lo condivida mai.",
  "code.smsApproving": "{code} è il Suo codice {tenant} per approvare: {approves}. Scade tra {duration}. Non lo condivida mai.",
  "code.emailSubject": "Codice di verifica {tenant}: {code}",
  "code.emailIntro": "Il Suo codice di verifica {tenant} è:",
  "code.emailApproves": "Approva: {approves}.",
  "code.emailConfirm": "Lo usi per confermare la Sua identità.",
  "code.emailExpires": "Scade tra {duration} e vale una sola volta.",
  "code.emailWarning":
    "Se non ha richiesto questo codice, qualcuno potrebbe conoscere la Sua password: la cambi e non condivida questo codice con nessuno — {tenant} non glielo chiederà mai.",
  "code.approval": "{operation} ({fields})",
  "code.listSeparator": ", ",
  "op.login": "accesso",
  "op.deposit": "deposito",
  "op.withdraw": "prelievo",
  "op.transfer": "bonifico",
  "op.prop_challenge_fee": "quota della prop challenge",
  "op.trading_competition_fee": "quota della competizione di trading",
  "op.change_password": "modifica della password",
  "op.update_email": "modifica dell'indirizzo e-mail",
  "op.manage_factors": "gestione dei fattori",
};

const pl: MessageCatalogue = {
  "code.sms": "{code} to Twój kod {tenant}. Ważny przez {duration}. Nikomu go nie podawaj.",
  "code.smsApproving": "{code} to Twój kod {tenant} do zatwierdzenia: {approves}. Ważny przez {duration}. Nikomu go nie podawaj.",
  "code.emailSubject": "Kod weryfikacyjny {tenant}: {code}",
  "code.emailIntro": "Twój kod weryfikacyjny {tenant} to:",
  "code.emailApproves": "Zatwierdza: {approves}.",
  "code.emailConfirm": "Użyj go, aby potwierdzić swoją tożsamość.",
  "code.emailExpires": "Czas ważności kodu: {duration}. Kod działa tylko raz.",
  "code.emailWarning":
    "Jeśli nie prosisz o ten kod, ktoś może znać Twoje hasło: zmień je i nie podawaj tego kodu nikomu — {tenant} nigdy Cię o niego nie poprosi.",
  "code.approval": "{operation} ({fields})",
  "code.listSeparator": ", ",
  "op.login": "logowanie",
  "op.deposit": "wpłata",
  "op.withdraw": "wypłata",
  "op.transfer": "przelew",
  "op.prop_challenge_fee": "opłata za prop challenge",
  "op.trading_competition_fee": "opłata za udział w konkursie tradingowym",
  "op.change_password": "zmiana hasła",
  "op.update_email": "zmiana adresu e-mail",
  "op.manage_factors": "zarządzanie metodami weryfikacji",
};

const ru: MessageCatalogue = {
  "code.sms": "{code} — ваш код {tenant}. Действует {duration}. Никому его не сообщайте.",
  "code.smsApproving": "{code} — ваш код {tenant} для подтверждения: {approves}. Действует {duration}. Никому его не сообщайте.",
  "code.emailSubject": "Код подтверждения {tenant}: {code}",
  "code.emailIntro": "Ваш код подтверждения {tenant}:",
  "code.emailApproves": "Он подтверждает: {approves}.",
  "code.emailConfirm": "Используйте его, чтобы подтвердить свою личность.",
  "code.emailExpires": "Срок действия: {duration}; код действует один раз.",
  "code.emailWarning":
    "Если вы не запрашивали этот код, возможно, кто-то знает ваш пароль: смените его и никому не сообщайте этот код — {tenant} никогда не попросит его у вас.",
  "code.approval": "{operation} ({fields})",
  "code.listSeparator": ", ",
  "op.login": "вход",
  "op.deposit": "пополнение счёта",
  "op.withdraw": "вывод средств",
  "op.transfer": "перевод",
  "op.prop_challenge_fee": "оплата prop challenge",
  "op.trading_competition_fee": "взнос за участие в торговом конкурсе",
  "op.change_password": "смена пароля",
  "op.update_email": "смена адреса электронной почты",
  "op.manage_factors": "управление способами проверки",
};

const tr: MessageCatalogue = {
  "code.sms": "{tenant} kodunuz: {code}. {duration} içinde geçerliliğini yitirir. Kimseyle paylaşmayın.",
  "code.smsApproving": "{tenant} onay kodunuz: {code} ({approves}). {duration} içinde geçerliliğini yitirir. Kimseyle paylaşmayın.",
  "code.emailSubject": "{tenant} doğrulama kodu: {code}",
  "code.emailIntro": "{tenant} doğrulama kodunuz:",
  "code.emailApproves": "Onayladığı işlem: {approves}.",
  "code.emailConfirm": "Kimliğinizi doğrulamak için kullanın.",
  "code.emailExpires": "{duration} içinde geçerliliğini yitirir ve yalnızca bir kez kullanılabilir.",
  "code.emailWarning":
    "Bu kodu siz istemediyseniz şifrenizi başka biri biliyor olabilir: şifrenizi değiştirin ve bu kodu kimseyle paylaşmayın — {tenant} bu kodu sizden asla istemez.",
  "code.approval": "{operation} ({fields})",
  "code.listSeparator": ", ",
  "op.login": "giriş",
  "op.deposit": "para yatırma",
  "op.withdraw": "para çekme",
  "op.transfer": "havale",
  "op.prop_challenge_fee": "prop challenge ücreti",
  "op.trading_competition_fee": "alım satım yarışması katılım ücreti",
  "op.change_password": "şifre değişikliği",
  "op.update_email": "e-posta değişikliği",
  "op.manage_factors": "doğrulama yöntemlerinin yönetimi",
};

const ar: MessageCatalogue = {
  "code.sms": "{code} هو رمز {tenant} الخاص بك. تنتهي صلاحيته خلال {duration}. لا تشاركه مع أحد.",
  "code.smsApproving": "{code} هو رمز {tenant} الخاص بك للموافقة على: {approves}. تنتهي صلاحيته خلال {duration}. لا تشاركه مع أحد.",
  "code.emailSubject": "رمز التحقق من {tenant}: {code}",
  "code.emailIntro": "رمز التحقق الخاص بك من {tenant} هو:",
  "code.emailApproves": "يوافق هذا الرمز على: {approves}.",
  "code.emailConfirm": "استخدمه لتأكيد هويتك.",
  "code.emailExpires": "تنتهي صلاحيته خلال {duration} ويصلح مرة واحدة فقط.",
  "code.emailWarning": "إذا لم تطلب هذا الرمز، فقد يعرف شخص ما كلمة مرورك: غيّرها، ولا تشارك هذا الرمز مع أي أحد — لن تطلبه منك {tenant} أبدًا.",
  "code.approval": "{operation} ({fields})",
  "code.listSeparator": "، ",
  "op.login": "تسجيل الدخول",
  "op.deposit": "الإيداع",
  "op.withdraw": "السحب",
  "op.transfer": "التحويل",
  "op.prop_challenge_fee": "رسوم تحدي التمويل",
  "op.trading_competition_fee": "رسوم المشاركة في مسابقة التداول",
  "op.change_password": "تغيير كلمة المرور",
  "op.update_email": "تغيير البريد الإلكتروني",
  "op.manage_factors": "إدارة طرق التحقق",
};

const zhCN: MessageCatalogue = {
  "code.sms": "您的 {tenant} 验证码为 {code}，{duration}内有效。请勿告诉任何人。",
  "code.smsApproving": "您的 {tenant} 验证码为 {code}，用于批准：{approves}。{duration}内有效。请勿告诉任何人。",
  "code.emailSubject": "{tenant} 验证码：{code}",
  "code.emailIntro": "您的 {tenant} 验证码为：",
  "code.emailApproves": "此验证码用于批准：{approves}。",
  "code.emailConfirm": "请用它确认您的身份。",
  "code.emailExpires": "验证码{duration}内有效，仅可使用一次。",
  "code.emailWarning": "如果您没有请求此验证码，可能有人知道您的密码：请修改密码，并且不要将此验证码告诉任何人——{tenant} 绝不会向您索要验证码。",
  "code.approval": "{operation}（{fields}）",
  "code.listSeparator": "，",
  "op.login": "登录",
  "op.deposit": "入金",
  "op.withdraw": "出金",
  "op.transfer": "转账",
  "op.prop_challenge_fee": "自营交易挑战费",
  "op.trading_competition_fee": "交易大赛报名费",
  "op.change_password": "修改密码",
  "op.update_email": "修改电子邮件",
  "op.manage_factors": "管理验证方式",
};

const ja: MessageCatalogue = {
  "code.sms": "{tenant}の確認コードは{code}です。有効期限は{duration}です。誰にも教えないでください。",
  "code.smsApproving": "{tenant}の確認コードは{code}です（承認内容：{approves}）。有効期限は{duration}です。誰にも教えないでください。",
  "code.emailSubject": "{tenant}の確認コード：{code}",
  "code.emailIntro": "{tenant}の確認コードは次のとおりです：",
  "code.emailApproves": "承認内容：{approves}",
  "code.emailConfirm": "本人確認にご利用ください。",
  "code.emailExpires": "有効期限は{duration}で、1回のみ使用できます。",
  "code.emailWarning":
    "このコードに心当たりがない場合、第三者がお客様のパスワードを知っている可能性があります。パスワードを変更し、このコードを誰にも教えないでください。{tenant}がこのコードをお尋ねすることはありません。",
  "code.approval": "{operation}（{fields}）",
  "code.listSeparator": "、",
  "op.login": "ログイン",
  "op.deposit": "入金",
  "op.withdraw": "出金",
  "op.transfer": "送金",
  "op.prop_challenge_fee": "プロップチャレンジ参加費",
  "op.trading_competition_fee": "トレード大会参加費",
  "op.change_password": "パスワードの変更",
  "op.update_email": "メールアドレスの変更",
  "op.manage_factors": "認証方法の管理",
};

const th: MessageCatalogue = {
  "code.sms": "{code} คือรหัส {tenant} ของคุณ หมดอายุใน {duration} ห้ามบอกรหัสนี้แก่ผู้ใด",
  "code.smsApproving": "{code} คือรหัส {tenant} ของคุณสำหรับอนุมัติ: {approves} หมดอายุใน {duration} ห้ามบอกรหัสนี้แก่ผู้ใด",
  "code.emailSubject": "รหัสยืนยัน {tenant}: {code}",
  "code.emailIntro": "รหัสยืนยัน {tenant} ของคุณคือ:",
  "code.emailApproves": "รหัสนี้ใช้อนุมัติ: {approves}",
  "code.emailConfirm": "ใช้รหัสนี้เพื่อยืนยันตัวตนของคุณ",
  "code.emailExpires": "รหัสหมดอายุใน {duration} และใช้ได้เพียงครั้งเดียว",
  "code.emailWarning": "หากคุณไม่ได้ขอรหัสนี้ อาจมีผู้อื่นรู้รหัสผ่านของคุณ กรุณาเปลี่ยนรหัสผ่าน และอย่าบอกรหัสนี้แก่ผู้ใด — {tenant} จะไม่ขอรหัสนี้จากคุณ",
  "code.approval": "{operation} ({fields})",
  "code.listSeparator": ", ",
  "op.login": "การเข้าสู่ระบบ",
  "op.deposit": "การฝากเงิน",
  "op.withdraw": "การถอนเงิน",
  "op.transfer": "การโอนเงิน",
  "op.prop_challenge_fee": "ค่าธรรมเนียม Prop Challenge",
  "op.trading_competition_fee": "ค่าสมัครการแข่งขันเทรด",
  "op.change_password": "การเปลี่ยนรหัสผ่าน",
  "op.update_email": "การเปลี่ยนอีเมล",
  "op.manage_factors": "การจัดการวิธียืนยัน",
};

const vi: MessageCatalogue = {
  "code.sms": "{code} là mã {tenant} của Quý khách. Mã hết hạn sau {duration}. Tuyệt đối không chia sẻ mã này.",
  "code.smsApproving": "{code} là mã {tenant} của Quý khách để phê duyệt: {approves}. Mã hết hạn sau {duration}. Tuyệt đối không chia sẻ mã này.",
  "code.emailSubject": "Mã xác minh {tenant}: {code}",
  "code.emailIntro": "Mã xác minh {tenant} của Quý khách là:",
  "code.emailApproves": "Mã này phê duyệt: {approves}.",
  "code.emailConfirm": "Dùng mã này để xác nhận danh tính của Quý khách.",
  "code.emailExpires": "Mã hết hạn sau {duration} và chỉ dùng được một lần.",
  "code.emailWarning":
    "Nếu Quý khách không yêu cầu mã này, có thể ai đó đã biết mật khẩu của Quý khách: hãy đổi mật khẩu và không chia sẻ mã này với bất kỳ ai — {tenant} sẽ không bao giờ hỏi Quý khách mã này.",
  "code.approval": "{operation} ({fields})",
  "code.listSeparator": ", ",
  "op.login": "đăng nhập",
  "op.deposit": "nạp tiền",
  "op.withdraw": "rút tiền",
  "op.transfer": "chuyển tiền",
  "op.prop_challenge_fee": "phí prop challenge",
  "op.trading_competition_fee": "phí tham gia cuộc thi giao dịch",
  "op.change_password": "đổi mật khẩu",
  "op.update_email": "đổi email",
  "op.manage_factors": "quản lý phương thức xác thực",
};

const id: MessageCatalogue = {
  "code.sms": "{code} adalah kode {tenant} Anda. Berlaku {duration}. Jangan berikan kepada siapa pun.",
  "code.smsApproving": "{code} adalah kode {tenant} Anda untuk menyetujui: {approves}. Berlaku {duration}. Jangan berikan kepada siapa pun.",
  "code.emailSubject": "Kode verifikasi {tenant}: {code}",
  "code.emailIntro": "Kode verifikasi {tenant} Anda adalah:",
  "code.emailApproves": "Kode ini menyetujui: {approves}.",
  "code.emailConfirm": "Gunakan kode ini untuk mengonfirmasi identitas Anda.",
  "code.emailExpires": "Kode berlaku selama {duration} dan hanya dapat digunakan satu kali.",
  "code.emailWarning":
    "Jika Anda tidak meminta kode ini, mungkin ada orang lain yang mengetahui kata sandi Anda: ubah kata sandi Anda dan jangan berikan kode ini kepada siapa pun — {tenant} tidak akan pernah memintanya.",
  "code.approval": "{operation} ({fields})",
  "code.listSeparator": ", ",
  "op.login": "masuk",
  "op.deposit": "setoran",
  "op.withdraw": "penarikan",
  "op.transfer": "transfer",
  "op.prop_challenge_fee": "biaya prop challenge",
  "op.trading_competition_fee": "biaya kompetisi trading",
  "op.change_password": "perubahan kata sandi",
  "op.update_email": "perubahan email",
  "op.manage_factors": "pengelolaan metode verifikasi",
};

/** Every language's message words; English is the source of the keys. */
export const MESSAGE_TEXT: Readonly<Record<Language, MessageCatalogue>> = { en, es, "pt-BR": ptBR, fr, de, it, pl, ru, tr, ar, "zh-CN": zhCN, ja, th, vi, id };
