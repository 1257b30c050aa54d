/**
 * @module
 * The hosted pages' catalogue: one plain object per language (`en.ts` is the source of keys
 * and placeholders), typed so that a language missing a key, or holding one English does not
 * have, does not compile.
 *
 * A new string: add it to `en.ts`, then to every other language's module (the compiler lists
 * them), then use it through the page's `text.t("key", { … })`.
 */
import type { Language } from "../../config/languages";
import { en, type PageCatalogue } from "./en";
import { es } from "./es";
import { ptBR } from "./pt-BR";
import { fr } from "./fr";
import { de } from "./de";
import { it } from "./it";
import { pl } from "./pl";
import { ru } from "./ru";
import { tr } from "./tr";
import { ar } from "./ar";
import { zhCN } from "./zh-CN";
import { ja } from "./ja";
import { th } from "./th";
import { vi } from "./vi";
import { id } from "./id";

export type { PageCatalogue, PageKey } from "./en";

/** Every language's page words. */
export const PAGE_TEXT: Readonly<Record<Language, PageCatalogue>> = { en, es, "pt-BR": ptBR, fr, de, it, pl, ru, tr, ar, "zh-CN": zhCN, ja, th, vi, id };
