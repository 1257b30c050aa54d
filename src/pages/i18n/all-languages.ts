/**
 * @module
 * Every language's page words, as typed modules: the source `npm run assets` writes to the
 * worker's assets, and what the tests read. Not imported by the worker (it would put all 15
 * languages in the bundle every isolate parses).
 */
import type { Language } from "../../config/languages";
import { ar } from "./ar";
import { de } from "./de";
import { en, type PageCatalogue } from "./en";
import { es } from "./es";
import { fr } from "./fr";
import { id } from "./id";
import { it } from "./it";
import { ja } from "./ja";
import { pl } from "./pl";
import { ptBR } from "./pt-BR";
import { ru } from "./ru";
import { th } from "./th";
import { tr } from "./tr";
import { vi } from "./vi";
import { zhCN } from "./zh-CN";

/** Every language's page words. */
export const ALL_PAGE_TEXT: Readonly<Record<Language, PageCatalogue>> = { en, es, "pt-BR": ptBR, fr, de, it, pl, ru, tr, ar, "zh-CN": zhCN, ja, th, vi, id };
