import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * jsii's rule for construct libraries, held here for `lib/`: every property of an exported props
 * interface (`…Props`, `…Options`, `…Attributes`) is `readonly` and documented, and every optional
 * one says its default with `@default`.
 */
const LIB = path.join(__dirname, '..', 'lib');
const PROPS_NAME = /(Props|Options|Attributes)$/;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

interface Problem { readonly where: string; readonly problem: string }

function problemsOf(file: string): Problem[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const problems: Problem[] = [];
  for (const statement of source.statements) {
    if (!ts.isInterfaceDeclaration(statement) || !PROPS_NAME.test(statement.name.text)) continue;
    if (!statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    for (const member of statement.members) {
      if (!ts.isPropertySignature(member)) continue;
      const where = `${path.relative(LIB, file)}: ${statement.name.text}.${member.name.getText(source)}`;
      const docs = ts.getJSDocCommentsAndTags(member).filter(ts.isJSDoc);
      const text = docs.map((d) => (typeof d.comment === 'string' ? d.comment : ts.getTextOfJSDocComment(d.comment) ?? '')).join('').trim();
      const hasDefault = docs.some((d) => d.tags?.some((t) => t.tagName.text === 'default'));
      if (!member.modifiers?.some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword)) problems.push({ where, problem: 'not readonly' });
      if (text === '') problems.push({ where, problem: 'no doc comment' });
      if (member.questionToken && !hasDefault) problems.push({ where, problem: 'optional without @default' });
    }
  }
  return problems;
}

describe('props interfaces of lib/', () => {
  const files = sourceFiles(LIB);

  test('the check reads the library (negative control: it finds a props interface)', () => {
    const withProps = files.filter((f) => /export interface \w+Props\b/.test(fs.readFileSync(f, 'utf8')));
    expect(withProps.length).toBeGreaterThan(10);
  });

  test('every property is readonly and documented, every optional one with @default', () => {
    const problems = files.flatMap(problemsOf).map((p) => `${p.where}: ${p.problem}`);
    expect(problems).toEqual([]);
  });
});
