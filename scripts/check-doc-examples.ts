// Keeps the documentation honest: every ```ts block of README.md and docs/*.md and every `@example`
// of src/**/*.ts is written to .doc-examples/ as a module of its own and type-checked (strict) in one
// TypeScript program, with 'rx-multiprocessing' mapped to src/index.ts; and every public symbol of
// src/index.ts (and each public member of its classes) must have a doc comment, with an @example.
//
//   tsx scripts/check-doc-examples.ts     prints every problem; exits 1 if there is any
//
// A block that is a fragment on purpose opts out with `ts no-check` as its fence's info string, or
// `// @noCheck` as its first line. test/docs/doc-examples.test.ts runs these checks in `npm test`.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const OUT_DIR = join(ROOT, '.doc-examples');

/** One code block found in the documentation. */
export interface Snippet {
  /** Where it was found: `README.md:42` (the line of its first code line). */
  readonly origin: string;
  readonly file: string;
  readonly line: number;
  readonly code: string;
  /** Marked as a fragment that is not checked (`ts no-check` or `// @noCheck`). */
  readonly noCheck: boolean;
  /** A markdown block marked `ts run`: a whole program, which the tests also run. */
  readonly run: boolean;
}

/** The ```ts blocks of README.md and docs/*.md and the @example blocks of src/**\/*.ts. */
export function collectSnippets(): Snippet[] {
  const markdown = ['README.md', ...listFiles('docs', (name) => name.endsWith('.md'), false)];
  const sources = listFiles('src', (name) => name.endsWith('.ts') && !name.endsWith('.d.ts'), true);
  return [...markdown.flatMap(markdownSnippets), ...sources.flatMap(jsdocSnippets)];
}

/** Type-checks every snippet not marked no-check; returns one message per problem. */
export function checkSnippets(snippets: readonly Snippet[]): string[] {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const prelude = publicImportLine();
  const problems: string[] = [];
  const byFile = new Map<string, { snippet: Snippet; offset: number }>();
  snippets
    .filter((snippet) => !snippet.noCheck)
    .forEach((snippet, index) => {
      problems.push(...lintTargets(snippet));
      // A snippet that imports nothing from the library gets every public name, so that a short
      // JSDoc example need not repeat the import line; the README's own blocks import explicitly.
      const ownImport = /from ['"]rx-multiprocessing['"]/.test(snippet.code);
      const text = ownImport ? `export {};\n${snippet.code}\n` : `${prelude}\n${snippet.code}\n`;
      const name = `${String(index).padStart(3, '0')}-${snippet.file.replace(/[^A-Za-z0-9]+/g, '-')}-${snippet.line}.mts`;
      const path = join(OUT_DIR, name);
      writeFileSync(path, text);
      byFile.set(path, { snippet, offset: 1 });
    });
  writeFileSync(
    join(OUT_DIR, 'tsconfig.json'),
    JSON.stringify({
      extends: '../tsconfig.json',
      compilerOptions: { noEmit: true, declaration: false, emitDeclarationOnly: false, rootDir: '..', paths: { 'rx-multiprocessing': ['../src/index.ts'] } },
      include: ['*.mts'],
    }),
  );
  const config = ts.getParsedCommandLineOfConfigFile(join(OUT_DIR, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => problems.push(flatten(d)) });
  if (!config) return problems;
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const source = diagnostic.file;
    const found = source ? byFile.get(source.fileName) : undefined;
    if (source && found && diagnostic.start !== undefined) {
      const { line, character } = source.getLineAndCharacterOfPosition(diagnostic.start);
      const codeLine = line - found.offset;
      const where = `${found.snippet.file}:${found.snippet.line + codeLine} (example line ${codeLine + 1}, column ${character + 1})`;
      problems.push(`${where}: ${flatten(diagnostic.messageText)}`);
    } else {
      problems.push(`${source ? relative(ROOT, source.fileName) : '(no file)'}: ${flatten(diagnostic.messageText)}`);
    }
  }
  return problems;
}

/** Public symbols of src/index.ts, and public members of its classes, without a doc comment or @example. */
export function checkPublicDocs(): string[] {
  const program = ts.createProgram([join(ROOT, 'src/index.ts')], { ...compilerOptions(), noEmit: true });
  const checker = program.getTypeChecker();
  const entry = program.getSourceFile(join(ROOT, 'src/index.ts'));
  const moduleSymbol = entry && checker.getSymbolAtLocation(entry);
  if (!moduleSymbol) return ['src/index.ts: could not be read'];
  const problems: string[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declaration = symbol.declarations?.[0];
    if (!declaration) continue;
    problems.push(...docProblems(exported.name, declaration, true));
    if (ts.isInterfaceDeclaration(declaration)) {
      for (const member of declaration.members) {
        if (member.name && !ts.isComputedPropertyName(member.name)) problems.push(...docProblems(`${exported.name}.${member.name.getText()}`, member, false));
      }
    }
    if (ts.isClassDeclaration(declaration)) {
      for (const member of declaration.members) {
        const name = publicMemberName(member);
        if (name === undefined) continue;
        // Methods and accessors show how they are called; a field's comment says what it holds.
        const wantsExample = ts.isMethodDeclaration(member) || ts.isGetAccessorDeclaration(member);
        problems.push(...docProblems(`${exported.name}#${name}`, member, wantsExample));
      }
    }
  }
  return problems;
}

// A snippet that starts processes must hand them targets a child can import: exported functions.
function lintTargets(snippet: Snippet): string[] {
  const problems: string[] = [];
  const targetUse = /(?:target:\s*|\b(?:producer|consume)(?:<[^>]*>)?\(\s*|\.(?:map|starmap|imap|imapUnordered|apply|applyAsync|run)\(\s*)([A-Za-z_$][\w$]*)\b/g;
  for (const match of snippet.code.matchAll(targetUse)) {
    const name = match[1] ?? '';
    const declared = new RegExp(
      `^(export\\s+)?(?:(?:async\\s+)?function\\*?\\s*${escapeRegExp(name)}\\b|class\\s+${escapeRegExp(name)}\\b|(?:const|let)\\s+${escapeRegExp(name)}\\s*=\\s*(?:async\\s*)?(?:\\(|function\\b|[\\w$]+\\s*=>))`,
      'm',
    ).exec(snippet.code);
    // An example of TargetResolutionError shows the mistake on purpose.
    if (declared && !declared[1] && !snippet.code.includes('TargetResolutionError')) {
      problems.push(`${snippet.origin}: \`${name}\` is used as a target but not exported; a child can only import an exported function`);
    }
  }
  // Exported targets next to code that starts processes: the child imports this very module, so
  // that code must run only in the main module.
  const startsProcesses = /\bnew Process\(|\bnew Pool\(|\bproducer(?:<[^>]*>)?\(|\bconsume(?:<[^>]*>)?\(/.test(snippet.code);
  const exportsTargets = /^export\s+(?:async\s+)?(?:function|class|const)\b/m.test(snippet.code);
  if (startsProcesses && exportsTargets && !/isMainModule\(import\.meta\.url\)/.test(snippet.code)) {
    problems.push(`${snippet.origin}: exports a target and starts processes without \`if (isMainModule(import.meta.url))\`; the child importing it would start them again`);
  }
  return problems;
}

function docProblems(name: string, node: ts.Node, wantsExample: boolean): string[] {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const where = `${relative(ROOT, node.getSourceFile().fileName)}:${node.getSourceFile().getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  if (docs.length === 0) return [`${name} (${where}): no doc comment`];
  const hasText = docs.some((doc) => commentText(doc.comment).trim() !== '');
  const hasExample = docs.some((doc) => (doc.tags ?? []).some((tag) => tag.tagName.text === 'example'));
  const problems: string[] = [];
  if (!hasText) problems.push(`${name} (${where}): its doc comment has no description`);
  if (wantsExample && !hasExample) problems.push(`${name} (${where}): no @example`);
  return problems;
}

function publicMemberName(member: ts.ClassElement): string | undefined {
  if (ts.isConstructorDeclaration(member) || ts.isClassStaticBlockDeclaration(member) || ts.isSemicolonClassElement(member)) return undefined;
  const name = member.name;
  if (!name || ts.isPrivateIdentifier(name) || ts.isComputedPropertyName(name)) return undefined;
  const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
  if (modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) return undefined;
  if (ts.getJSDocTags(member).some((tag) => tag.tagName.text === 'internal')) return undefined;
  return name.getText();
}

function markdownSnippets(file: string): Snippet[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript)\b(.*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end] ?? '')) end++;
    const code = lines.slice(start, end).join('\n');
    snippets.push({ ...makeSnippet(file, start + 1, code, /\bno-check\b/.test(open[2] ?? '')), run: /\brun\b/.test(open[2] ?? '') });
    i = end;
  }
  return snippets;
}

function jsdocSnippets(file: string): Snippet[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const snippets: Snippet[] = [];
  for (const block of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const firstLine = text.slice(0, block.index).split('\n').length;
    const lines = block[0].split('\n').map((line) => line.replace(/^\s*\/?\*\*?\/?\s?/, '').replace(/\s*\*\/$/, ''));
    for (let i = 0; i < lines.length; i++) {
      if (!/^@example\b/.test(lines[i] ?? '')) continue;
      let end = i + 1;
      while (end < lines.length && !/^@\w+/.test(lines[end] ?? '')) end++;
      const body = lines.slice(i + 1, end);
      const fenceAt = body.findIndex((line) => /^```/.test(line));
      if (fenceAt === -1) {
        snippets.push(makeSnippet(file, firstLine + i + 1, body.join('\n').trim(), false));
      } else {
        const close = body.findIndex((line, k) => k > fenceAt && /^```\s*$/.test(line));
        const code = body.slice(fenceAt + 1, close === -1 ? undefined : close).join('\n');
        snippets.push(makeSnippet(file, firstLine + i + fenceAt + 2, code, /\bno-check\b/.test(body[fenceAt] ?? '')));
      }
      i = end - 1;
    }
  }
  return snippets;
}

function makeSnippet(file: string, line: number, code: string, noCheck: boolean): Snippet {
  return { origin: `${file}:${line}`, file, line, code, noCheck: noCheck || /^\s*\/\/ @noCheck\b/.test(code), run: false };
}

// `import { Process, …, type Target, … } from 'rx-multiprocessing';`, from src/index.ts's export lists.
function publicImportLine(): string {
  const index = readFileSync(join(ROOT, 'src/index.ts'), 'utf8');
  const names: string[] = [];
  for (const match of index.matchAll(/export\s+(type\s+)?\{([^}]*)\}\s+from/g)) {
    for (const raw of (match[2] ?? '').split(',')) {
      const name = raw.trim();
      if (name) names.push(match[1] && !name.startsWith('type ') ? `type ${name}` : name);
    }
  }
  return `import { ${names.join(', ')} } from 'rx-multiprocessing';`;
}

function compilerOptions(): ts.CompilerOptions {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  return config?.options ?? {};
}

function listFiles(dir: string, keep: (name: string) => boolean, recursive: boolean): string[] {
  let entries: string[];
  try {
    entries = readdirSync(join(ROOT, dir), { recursive, encoding: 'utf8' });
  } catch {
    return [];
  }
  return entries.filter(keep).map((name) => join(dir, name)).sort();
}

function commentText(comment: string | ts.NodeArray<ts.JSDocComment> | undefined): string {
  if (comment === undefined) return '';
  return typeof comment === 'string' ? comment : comment.map((part) => part.text).join('');
}

function flatten(message: string | ts.DiagnosticMessageChain | ts.Diagnostic): string {
  if (typeof message === 'object' && 'messageText' in message) return flatten(message.messageText);
  return ts.flattenDiagnosticMessageText(message, ' ');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const snippets = collectSnippets();
  const problems = [...checkSnippets(snippets), ...checkPublicDocs()];
  const skipped = snippets.filter((snippet) => snippet.noCheck);
  console.log(`${snippets.length} examples, ${skipped.length} marked no-check${skipped.length ? `: ${skipped.map((s) => s.origin).join(', ')}` : ''}`);
  for (const problem of problems) console.log(problem);
  console.log(problems.length === 0 ? 'no problems' : `${problems.length} problem(s)`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
