/**
 * Bounds on an imported document, checked before anything else is done with it. They keep a
 * hostile or broken file from costing more than a little memory and CPU time, and are far
 * above what a real configuration needs (a token entry is about 2 KB).
 */

/** Bytes of YAML (UTF-8). Below Strapi's default JSON body limit (1 MB) with room for escaping. */
export const MAX_DOCUMENT_BYTES = 512 * 1024;

/** Entries in one document. */
export const MAX_ENTRIES = 500;

/** Aliases resolved when the document is converted (yaml's maxAliasCount): no billion laughs. */
export const MAX_ALIAS_COUNT = 100;

/** Nesting of collections; a token entry needs 6. Checked before composing, which recurses. */
export const MAX_DEPTH = 32;

/** Keys in one map of parameters (Parameters, AutofilledParametersMapping, ParametersMapping). */
export const MAX_PARAMETERS = 50;
