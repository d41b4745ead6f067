#!/usr/bin/env node
// Every visible string of the admin panel goes through translations/en.json. This collects the
// ids and default texts used in admin/src (t('id', 'text') and getTranslation('id') with its
// defaultMessage) and either checks en.json against them (default; exit 1 on a difference) or
// rewrites en.json from them (--write).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const srcDir = join(root, 'admin', 'src');
const enFile = join(srcDir, 'translations', 'en.json');

const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : [];
  });

const unquote = (quote, text) => text.replace(new RegExp(`\\\\${quote}`, 'g'), quote);
const patterns = [
  /\bt\(\s*(['"])([\w.-]+)\1\s*,\s*(['"])((?:\\.|(?!\3)[^\\])*)\3/g,
  /getTranslation\(\s*(['"])([\w.-]+)\1\s*\)\s*,\s*defaultMessage:\s*(['"])((?:\\.|(?!\3)[^\\])*)\3/g,
];

export function collect() {
  const messages = new Map();
  const conflicts = [];
  for (const file of files(srcDir)) {
    const source = readFileSync(file, 'utf8');
    for (const pattern of patterns) {
      for (const m of source.matchAll(pattern)) {
        const [, , id, quote, raw] = m;
        const text = unquote(quote, raw);
        if (messages.has(id) && messages.get(id) !== text) conflicts.push(`${id}: "${messages.get(id)}" vs "${text}" (${file})`);
        if (!messages.has(id)) messages.set(id, text);
      }
    }
  }
  return { messages, conflicts };
}

export function check() {
  const { messages, conflicts } = collect();
  const en = JSON.parse(readFileSync(enFile, 'utf8'));
  const problems = [...conflicts.map((c) => `two texts for ${c}`)];
  for (const [id, text] of messages) {
    if (!(id in en)) problems.push(`missing in en.json: ${id}`);
    else if (en[id] !== text) problems.push(`en.json differs for ${id}: "${en[id]}" vs code "${text}"`);
  }
  for (const id of Object.keys(en)) if (!messages.has(id)) problems.push(`unused in en.json: ${id}`);
  return { problems, count: messages.size };
}

if (process.argv[1] === import.meta.filename) {
  if (process.argv.includes('--write')) {
    const { messages, conflicts } = collect();
    if (conflicts.length) {
      console.error(conflicts.join('\n'));
      process.exit(1);
    }
    writeFileSync(enFile, `${JSON.stringify(Object.fromEntries(messages), null, 2)}\n`);
    console.log(`wrote ${messages.size} messages to ${enFile}`);
  } else {
    const { problems, count } = check();
    if (problems.length) {
      console.error(problems.join('\n'));
      process.exit(1);
    }
    console.log(`${count} messages, en.json matches`);
  }
}
