// The layering rule, checked on every import in src/: engine, masking and data at the bottom; session above; worker
// and store above that; ui on top. A file imports only from its own floor or below (README, "Architecture"). Also
// checks that worker/protocol.ts declares messages only (the records they carry live in session/records.ts).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = join(dirname(new URL(import.meta.url).pathname));

/** The floor of each top-level folder of src/ (files directly in src/, such as main.tsx, are the page: ui's floor). */
const FLOORS: Readonly<Record<string, number>> = {
  engine: 0,
  masking: 0,
  data: 0,
  session: 1,
  lessons: 1,
  worker: 2,
  store: 2,
  ui: 3,
  '.': 3,
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

/** Every module specifier of a file: static imports and re-exports, dynamic import(), new URL('...', import.meta.url). */
function specifiers(sf: ts.SourceFile): string[] {
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (
      (ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) &&
      n.moduleSpecifier &&
      ts.isStringLiteral(n.moduleSpecifier)
    )
      out.push(n.moduleSpecifier.text);
    else if (
      ts.isCallExpression(n) &&
      n.expression.kind === ts.SyntaxKind.ImportKeyword &&
      n.arguments[0] &&
      ts.isStringLiteral(n.arguments[0])
    )
      out.push(n.arguments[0].text);
    else if (
      ts.isNewExpression(n) &&
      ts.isIdentifier(n.expression) &&
      n.expression.text === 'URL' &&
      n.arguments?.[0] &&
      ts.isStringLiteral(n.arguments[0])
    )
      out.push(n.arguments[0].text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** The floor of a file or folder in src/ (a folder import such as '../masking' is its index.ts). */
function floorOf(path: string): { folder: string; floor: number | undefined } {
  const rel = relative(SRC, path);
  const folder = rel.includes('/') || (existsSync(path) && statSync(path).isDirectory()) ? rel.split('/')[0] : '.';
  return { folder, floor: FLOORS[folder] };
}

describe('layers', () => {
  const files = sources(SRC);

  it('knows the floor of every folder of src/', () => {
    const unknown = [
      ...new Set(
        files
          .map((f) => floorOf(f))
          .filter((f) => f.floor === undefined)
          .map((f) => f.folder),
      ),
    ];
    expect(unknown).toEqual([]);
  });

  it('finds the imports it checks (relative, dynamic and worker URLs)', () => {
    const worker = specifiers(parse(join(SRC, 'worker/client.ts')));
    expect(worker).toContain('./protocol');
    expect(worker).toContain('./train.worker.ts');
    expect(files.length).toBeGreaterThan(100);
  });

  it('has no import that runs up a floor', () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = floorOf(file);
      for (const spec of specifiers(parse(file))) {
        if (!spec.startsWith('.')) continue;
        const target = normalize(join(dirname(file), spec));
        // Files outside src/ (the corpora in public/ and shared/) are data, not code on a floor.
        if (relative(SRC, target).startsWith('..')) continue;
        const to = floorOf(target);
        if (to.floor === undefined || to.floor > from.floor!)
          upward.push(`${relative(SRC, file)} (${from.folder}) imports ${spec} (${to.folder})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('keeps worker/protocol.ts to messages: every export is a type whose members carry a literal `type`', () => {
    const sf = parse(join(SRC, 'worker/protocol.ts'));
    const interfaces = new Map<string, ts.InterfaceDeclaration>();
    const problems: string[] = [];
    const exported = (n: ts.Node) =>
      ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    const hasLiteralType = (members: readonly ts.TypeElement[]) =>
      members.some(
        (m) =>
          ts.isPropertySignature(m) &&
          m.name.getText(sf) === 'type' &&
          m.type !== undefined &&
          ts.isLiteralTypeNode(m.type),
      );
    for (const s of sf.statements) if (ts.isInterfaceDeclaration(s)) interfaces.set(s.name.text, s);
    /** A message: an object type with a literal `type`, an interface of this file that is one, or an intersection with one. */
    const isMessage = (t: ts.TypeNode): boolean => {
      if (ts.isParenthesizedTypeNode(t)) return isMessage(t.type);
      if (ts.isTypeLiteralNode(t)) return hasLiteralType(t.members);
      if (ts.isIntersectionTypeNode(t)) return t.types.some(isMessage);
      if (ts.isTypeReferenceNode(t)) {
        const i = interfaces.get(t.typeName.getText(sf));
        return i !== undefined && hasLiteralType(i.members);
      }
      return false;
    };
    for (const s of sf.statements) {
      if (ts.isExportDeclaration(s)) problems.push(`re-export ${s.getText(sf)}`);
      else if (!exported(s)) continue;
      else if (ts.isInterfaceDeclaration(s)) {
        if (!hasLiteralType(s.members)) problems.push(`interface ${s.name.text} has no literal \`type\``);
      } else if (ts.isTypeAliasDeclaration(s)) {
        const members = ts.isUnionTypeNode(s.type) ? s.type.types : [s.type];
        for (const m of members) if (!isMessage(m)) problems.push(`${s.name.text}: ${m.getText(sf)} is not a message`);
      } else problems.push(`exports a value: ${s.getText(sf).slice(0, 60)}`);
    }
    expect(problems).toEqual([]);
  });
});
