import {
  Composer,
  isAlias,
  isMap,
  isNode,
  isSeq,
  LineCounter,
  Parser,
  visit,
  type CST,
  type Document,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
} from 'yaml';

import { MAX_ALIAS_COUNT, MAX_DEPTH, MAX_DOCUMENT_BYTES } from './limits';

/** A problem with the YAML text itself, where it is (1-based line and column). */
export interface YamlIssue {
  message: string;
  line?: number;
  column?: number;
}

export interface Position {
  line: number;
  column: number;
}

export interface ParsedYaml {
  value: unknown;
  /** Where the node at `path` starts, or its nearest ancestor when the path is not there. */
  locate(path: readonly string[]): Position | undefined;
}

export type ParseResult = { ok: true; yaml: ParsedYaml } | { ok: false; issues: YamlIssue[] };

const OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  // YAML 1.2 core, whatever %YAML directive the file carries: no merge keys (<<), no 1.1
  // booleans (yes/no), no timestamps or binaries.
  schema: 'core',
  version: '1.2',
  merge: false,
  uniqueKeys: true,
  strict: true,
  // Numbers are read as the text they are written as: a client id such as 0123 or 1e5, or a
  // secret of digits, stays exactly as written. The schema turns 0/1 into flags where it wants.
  customTags: (tags) => tags.filter((tag) => typeof tag === 'string' || !/:(int|float)$/.test(tag.tag)),
};

const firstLine = (message: string) => message.split('\n')[0].trim();

/** The offset of the first collection nested deeper than MAX_DEPTH, walking the CST without recursion. */
function tooDeepAt(tokens: CST.Token[]): number | undefined {
  const stack: Array<{ token: CST.Token | null | undefined; depth: number }> = tokens.map((token) => ({ token, depth: 0 }));
  while (stack.length) {
    const { token, depth } = stack.pop()!;
    if (!token) continue;
    if (token.type === 'document') {
      stack.push({ token: token.value, depth });
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth + 1 > MAX_DEPTH) return token.offset;
      for (const item of token.items as CST.CollectionItem[]) {
        stack.push({ token: item.key, depth: depth + 1 }, { token: item.value, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/**
 * Parses an import document defensively: size first, then the token stream (the parser
 * does not recurse), nesting depth, then composing, and only then conversion to plain
 * values with aliases bounded. Tags are refused: a configuration never needs one, and they
 * are how other YAML loaders are made to build objects.
 */
export function parseYaml(text: string): ParseResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_DOCUMENT_BYTES) {
    return { ok: false, issues: [{ message: `The document is ${bytes} bytes long; at most ${MAX_DOCUMENT_BYTES} bytes are accepted` }] };
  }

  const lineCounter = new LineCounter();
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
  const deep = tooDeepAt(tokens);
  if (deep !== undefined) {
    return { ok: false, issues: [{ message: `Collections are nested more than ${MAX_DEPTH} levels deep`, ...at(deep) }] };
  }

  const documents = [...new Composer(OPTIONS).compose(tokens, true, text.length)] as Document.Parsed[];
  const issues: YamlIssue[] = [];
  if (documents.length > 1) {
    issues.push({ message: 'The file holds more than one YAML document (---): put all entries in one list', ...at(documents[1].range[0]) });
  }
  const doc = documents[0];
  for (const problem of [...doc.errors, ...doc.warnings]) {
    // Tags are reported below, all of them, with a clearer message.
    if (problem.code === 'TAG_RESOLVE_FAILED') continue;
    issues.push({ message: firstLine(problem.message), ...at(problem.pos[0]) });
  }
  visit(doc, (_key, node) => {
    if (isNode(node) && node.tag) {
      const tag = node.tag.replace(/^tag:yaml\.org,2002:/, '!!');
      issues.push({ message: `Tags are not allowed (${tag})`, ...(node.range ? at(node.range[0]) : {}) });
    }
  });
  if (issues.length) return { ok: false, issues };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    return { ok: false, issues: [{ message: `Aliases (*name) expand too much: at most ${MAX_ALIAS_COUNT} are resolved` }] };
  }

  const locate = (path: readonly string[]): Position | undefined => {
    let node: unknown = doc.contents;
    let found = node;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isSeq(node)) node = node.get(Number(segment), true);
      else if (isMap(node)) node = node.get(segment, true);
      else break;
      if (!node) break;
      found = node;
    }
    return isNode(found) && found.range ? at(found.range[0]) : undefined;
  };

  return { ok: true, yaml: { value, locate } };
}
